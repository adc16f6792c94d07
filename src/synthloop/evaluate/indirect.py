"""Indirect evaluation: train a small model on (synthetic) records, score it on real ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from synthloop.learners import Learner, make_learner
from synthloop.records import Record
from synthloop.tasks import Task


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def fit_on(records: Sequence[Record], task: Task, learner: str = "tfidf_lr") -> Learner:
    model = make_learner(learner)
    return model.fit([task.learner_input(r) for r in records], [r.label for r in records])


def score(model: Learner, records: Sequence[Record], task: Task) -> Scores:
    gold = [r.label for r in records]
    pred = model.predict([task.learner_input(r) for r in records])
    return Scores(
        accuracy=float(accuracy_score(gold, pred)),
        macro_f1=float(
            f1_score(gold, pred, labels=task.label_names, average="macro", zero_division=0)
        ),
        n=len(records),
    )


def misclassified(model: Learner, records: Sequence[Record], task: Task) -> list[Record]:
    pred = model.predict([task.learner_input(r) for r in records])
    return [r for r, p in zip(records, pred, strict=True) if p != r.label]


def train_and_score(
    train: Sequence[Record], test: Sequence[Record], task: Task, learner: str = "tfidf_lr"
) -> Scores:
    return score(fit_on(train, task, learner), test, task)


def confusion(model: Learner, records: Sequence[Record], task: Task) -> dict[str, Any]:
    """Rows are gold labels, columns predicted ones, both in the task's label order."""
    gold = [r.label for r in records]
    pred = model.predict([task.learner_input(r) for r in records])
    matrix = confusion_matrix(gold, pred, labels=task.label_names)
    return {"labels": task.label_names, "matrix": matrix.tolist()}


def indirect_evaluation(
    train: Sequence[Record],
    test: Sequence[Record],
    task: Task,
    learners: Sequence[str] = ("tfidf_lr",),
) -> dict[str, dict[str, Any]]:
    """Each learner trained on ``train``, scored on ``test``: accuracy, macro-F1, confusion."""
    out: dict[str, dict[str, Any]] = {}
    for name in learners:
        model = fit_on(train, task, name)
        out[name] = {
            "train_size": len(train),
            **score(model, test, task).as_dict(),
            "confusion": confusion(model, test, task),
        }
    return out
