import pytest

from synthloop.tasktypes.qa.metrics import exact_match, normalize_answer, qa_scores, token_f1


def test_normalisation_follows_squad() -> None:
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("an apple, a pear") == "apple pear"


def test_exact_match_and_token_f1() -> None:
    assert exact_match("the Selva River", "Selva River") == 1.0
    assert exact_match("Selva", "Selva River") == 0.0
    # precision 1/1, recall 1/2
    assert token_f1("Selva", "Selva River") == pytest.approx(2 / 3)
    assert token_f1("Lake Orvin", "Selva River") == 0.0
    assert token_f1("", "") == 1.0


def test_qa_scores_average_over_the_set() -> None:
    em, f1 = qa_scores(["1887", "Selva", "no"], ["1887", "Selva River", "yes"])
    assert em == pytest.approx(1 / 3)
    assert f1 == pytest.approx((1 + 2 / 3 + 0) / 3)
    with pytest.raises(ValueError):
        qa_scores(["a"], [])
