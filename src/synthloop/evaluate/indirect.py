"""Indirect evaluation: train a small model on (synthetic) records, score it on real ones.

Classification and pair tasks report accuracy and macro-F1; extractive QA reports SQuAD's
exact match and token F1 in the same two slots (``Scores.kind`` says which, and
``as_dict`` names them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores
from synthloop.learners import Predictor
from synthloop.learners.fit import fit_on

__all__ = [
    "Scores",
    "confusion",
    "confusion_of",
    "fit_on",
    "indirect_evaluation",
    "misclassified",
    "predictions",
    "score",
    "scores_of",
    "train_and_score",
    "wrong",
]


def scores_of(pred: Sequence[Any], records: Sequence[Record], task: Task) -> Scores:
    """Predictions scored against the records' labels, as the task's type scores them."""
    return task.spec.score(pred, records, task)


def wrong(pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
    """The records whose prediction is wrong (QA: not an exact match of the answer)."""
    return task.spec.wrong(pred, records, task)


def confusion_of(pred: Sequence[Any], records: Sequence[Record], task: Task) -> dict[str, Any]:
    """Rows are gold labels, columns predicted ones, both in the task's label order."""
    from sklearn.metrics import confusion_matrix

    gold = [r.label for r in records]
    matrix = confusion_matrix(gold, list(pred), labels=task.label_names)
    return {"labels": task.label_names, "matrix": matrix.tolist()}


def predictions(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> list[Any]:
    """The model's prediction for each record, made where ``compute`` says."""
    return (compute or LOCAL).predict(model, [task.learner_input(r) for r in records])


def score(
    model: Predictor, records: Sequence[Record], task: Task, compute: Compute | None = None
) -> Scores:
    return scores_of(predictions(model, records, task, compute), records, task)


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
    """Each learner trained on ``train``, scored on ``test``: accuracy, macro-F1, confusion.
    A learner named twice (``--also tfidf_lr`` beside the default) is trained once."""
    out: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(learners):  # in order, each once
        pred = predictions(fit_on(train, task, name), test, task, compute)
        out[name] = {"train_size": len(train), **scores_of(pred, test, task).as_dict()}
        if task.has_labels:  # answers and responses are free text: no label confusion
            out[name]["confusion"] = confusion_of(pred, test, task)
    return out
