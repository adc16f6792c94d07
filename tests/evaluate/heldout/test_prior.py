from collections import defaultdict

import pytest

from synthloop.core.records import Record
from synthloop.evaluate.heldout.prior import match_real_prior


def records(labels: str, prefix: str, **extra: float) -> list[Record]:
    """One record per character: p = positive, n = negative, x = neutral."""
    names = {"p": "positive", "n": "negative", "x": "neutral"}
    return [
        Record(id=f"{prefix}{i}", inputs={"text": f"text {i}"}, label=names[c], extra=dict(extra))
        for i, c in enumerate(labels)
    ]


def weight_by_label(synthetic: list[Record]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for r in synthetic:
        out[r.label] += r.extra["weight"]
    return dict(out)


def test_the_synthetic_labels_take_the_real_mix_and_keep_their_total_weight() -> None:
    real = records("n" * 15 + "p" * 5, "r")  # 75 % negative
    synthetic = records("pppppp" + "nn", "s")  # 25 % negative: S3 imitating missed positives
    out = match_real_prior()(real, synthetic)
    assert [r.id for r in out] == [r.id for r in synthetic]  # nothing dropped, order kept
    weights = weight_by_label(out)
    assert weights["negative"] / sum(weights.values()) == pytest.approx(0.75)
    assert sum(weights.values()) == pytest.approx(len(synthetic))


def test_a_label_the_real_data_lacks_weighs_nothing_and_curation_weights_multiply() -> None:
    real = records("nnpp", "r")
    synthetic = records("npx", "s", weight=0.5)
    out = {r.label: r.extra["weight"] for r in match_real_prior()(real, synthetic)}
    assert out["neutral"] == 0.0
    assert out["negative"] == pytest.approx(0.5 * (2 / 4) / (1 / 3))  # real share / synthetic share


def test_nothing_to_match_leaves_the_records_alone() -> None:
    synthetic = records("pn", "s")
    assert match_real_prior()([], synthetic) == synthetic
    assert match_real_prior()(records("pn", "r"), []) == []
