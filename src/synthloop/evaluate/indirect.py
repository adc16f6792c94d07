"""Indirect evaluation: train a small model on (synthetic) records, score it on real ones.

Classification and pair tasks report accuracy and macro-F1; extractive QA reports SQuAD's
exact match and token F1 in the same two slots (``Scores.kind`` says which, and
``as_dict`` names them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.learners import Predictor, make_learner
from synthloop.tasktypes.qa.metrics import exact_match, qa_scores


@dataclass(frozen=True)
class Scores:
    accuracy: float  # QA: exact match
    macro_f1: float  # QA: token F1
    n: int
    kind: str = "classification"  # or "qa"

    def as_dict(self) -> dict[str, float | int]:
        if self.kind == "qa":
            return {"exact_match": self.accuracy, "f1": self.macro_f1, "n": self.n}
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "n": self.n}


def fit_on(records: Sequence[Record], task: Task, learner: str | None = None) -> Predictor:
    """Train ``learner`` (default: the task's); records carrying ``extra["weight"]``
    (curation's re-weighting) are weighted."""
    model = make_learner(learner or task.default_learner or "tfidf_lr")
    weights = None
    if any("weight" in r.extra for r in records):
        weights = [float(r.extra.get("weight", 1.0)) for r in records]
    return model.fit(
        [task.learner_input(r) for r in records], [r.label for r in records], sample_weight=weights
    )


def predictions(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> list[Any]:
    """The model's prediction for each record, made where ``compute`` says."""
    return (compute or LOCAL).predict(model, [task.learner_input(r) for r in records])


def scores_of(pred: Sequence[Any], records: Sequence[Record], task: Task) -> Scores:
    gold = [r.label for r in records]
    if task.type == "qa":
        em, f1 = qa_scores([str(p) for p in pred], gold)
        return Scores(accuracy=em, macro_f1=f1, n=len(records), kind="qa")
    return Scores(
        accuracy=float(accuracy_score(gold, list(pred))),
        macro_f1=float(
            f1_score(gold, list(pred), labels=task.label_names, average="macro", zero_division=0)
        ),
        n=len(records),
    )


def score(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> Scores:
    return scores_of(predictions(model, records, task, compute), records, task)


def wrong(pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
    """The records whose prediction is wrong (QA: not an exact match of the answer)."""
    if task.type == "qa":
        return [r for r, p in zip(records, pred, strict=True) if not exact_match(str(p), r.label)]
    return [r for r, p in zip(records, pred, strict=True) if p != r.label]


def misclassified(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> list[Record]:
    """Real records the model gets wrong (QA: whose answer is not an exact match)."""
    return wrong(predictions(model, records, task, compute), records, task)


def train_and_score(
    train: Sequence[Record],
    test: Sequence[Record],
    task: Task,
    learner: str | None = None,
    compute: Compute | None = None,
) -> Scores:
    return score(fit_on(train, task, learner), test, task, compute)


def confusion_of(pred: Sequence[Any], records: Sequence[Record], task: Task) -> dict[str, Any]:
    """Rows are gold labels, columns predicted ones, both in the task's label order."""
    gold = [r.label for r in records]
    matrix = confusion_matrix(gold, list(pred), labels=task.label_names)
    return {"labels": task.label_names, "matrix": matrix.tolist()}


def confusion(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> dict[str, Any]:
    return confusion_of(predictions(model, records, task, compute), records, task)


def indirect_evaluation(
    train: Sequence[Record],
    test: Sequence[Record],
    task: Task,
    learners: Sequence[str] = ("tfidf_lr",),
    compute: Compute | None = None,
) -> dict[str, dict[str, Any]]:
    """Each learner trained on ``train``, scored on ``test``: accuracy, macro-F1, confusion."""
    out: dict[str, dict[str, Any]] = {}
    for name in learners:
        pred = predictions(fit_on(train, task, name), test, task, compute)
        out[name] = {"train_size": len(train), **scores_of(pred, test, task).as_dict()}
        if task.type != "qa":  # answers are free text: there is no label confusion
            out[name]["confusion"] = confusion_of(pred, test, task)
    return out
