import pytest

from synthloop.evaluate.stats import bootstrap_mean, wilson_interval


def test_wilson_interval_textbook_value() -> None:
    # 8 of 10: the Wilson 95% interval is 0.490 to 0.943 (Newcombe, 1998)
    est = wilson_interval(8, 10)
    assert est.value == pytest.approx(0.8)
    assert est.low == pytest.approx(0.4902, abs=1e-4)
    assert est.high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0).value is None
    assert wilson_interval(10, 10).high == pytest.approx(1.0)


def test_bootstrap_mean() -> None:
    assert bootstrap_mean([3.0, 3.0, 3.0]).as_dict() == {"value": 3, "low": 3, "high": 3, "n": 3}
    est = bootstrap_mean([1, 2, 3, 4, 5], seed=1)
    assert est.low is not None and est.high is not None
    assert est.value == pytest.approx(3.0) and 1 <= est.low < 3 < est.high <= 5
    assert bootstrap_mean([]).value is None
