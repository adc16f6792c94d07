"""Indirect evaluation: train a small model on (synthetic) records, score it on real ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sklearn.metrics import accuracy_score, f1_score

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
    """Train ``learner``; records carrying ``extra["weight"]`` (curation) are weighted."""
    model = make_learner(learner)
    weights = None
    if any("weight" in r.extra for r in records):
        weights = [float(r.extra.get("weight", 1.0)) for r in records]
    return model.fit(
        [task.learner_input(r) for r in records], [r.label for r in records], sample_weight=weights
    )


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
