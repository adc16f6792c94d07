"""Indirect evaluation: confusion matrices and several learners."""

from typing import Any

import numpy as np
import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate import confusion, indirect_evaluation, score, train_and_score
from tests.conftest import labelled_rows


class Fixed:
    """A learner stand-in that answers from a script, so the matrix is known."""

    classes_ = np.array(["negative", "positive"])

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers

    def predict(self, texts: list[str]) -> np.ndarray:
        return np.array(self.answers[: len(texts)])


def rec(i: int, label: str) -> Record:
    return Record(id=str(i), inputs={"text": f"t{i}"}, label=label)


def test_confusion_rows_are_gold_in_task_order(task: Task) -> None:
    gold = [rec(0, "positive"), rec(1, "positive"), rec(2, "negative")]
    out = confusion(Fixed(["positive", "negative", "negative"]), gold, task)  # type: ignore[arg-type]
    assert out == {"labels": ["positive", "negative"], "matrix": [[1, 1], [0, 1]]}


def test_accuracy_and_macro_f1_by_hand(task: Task) -> None:
    gold = [rec(0, "positive"), rec(1, "positive"), rec(2, "negative")]
    got = score(Fixed(["positive", "negative", "negative"]), gold, task)  # type: ignore[arg-type]
    # positive: precision 1, recall 1/2 -> F1 2/3; negative: precision 1/2, recall 1 -> 2/3
    assert got.accuracy == pytest.approx(2 / 3) and got.macro_f1 == pytest.approx(2 / 3)
    assert got.n == 3


def test_indirect_evaluation_matches_train_and_score(task: Task) -> None:
    rows = labelled_rows(30)
    train = [
        Record(id=f"a{i}", inputs={"text": r["text"]}, label=r["label"])
        for i, r in enumerate(rows[:20])
    ]
    test = [
        Record(id=f"b{i}", inputs={"text": r["text"]}, label=r["label"])
        for i, r in enumerate(rows[20:])
    ]
    out = indirect_evaluation(train, test, task, ["tfidf_lr"])["tfidf_lr"]
    expected = train_and_score(train, test, task)
    assert out["accuracy"] == expected.accuracy and out["n"] == 10 and out["train_size"] == 20
    assert sum(map(sum, out["confusion"]["matrix"])) == 10


def test_a_learner_named_twice_is_trained_once(task: Task, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: `evaluate --also tfidf_lr` beside the default tfidf_lr trained the same model twice
    import synthloop.evaluate.indirect as indirect

    fit_on = indirect.fit_on
    fitted: list[str | None] = []

    def counting_fit_on(train: list[Record], task: Task, learner: str | None = None) -> Any:
        fitted.append(learner)
        return fit_on(train, task, learner)

    monkeypatch.setattr(indirect, "fit_on", counting_fit_on)
    rows = labelled_rows(30)
    records = [
        Record(id=f"a{i}", inputs={"text": r["text"]}, label=r["label"]) for i, r in enumerate(rows)
    ]
    out = indirect_evaluation(records[:20], records[20:], task, ["tfidf_lr", "tfidf_lr"])
    assert fitted == ["tfidf_lr"] and list(out) == ["tfidf_lr"]
