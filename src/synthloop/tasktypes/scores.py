"""What a small model scores on real records: accuracy and macro-F1 for labelled tasks,
SQuAD's exact match and token F1 for extractive QA (in the same two slots: ``Scores.kind``
says which, and ``as_dict`` names them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from synthloop.core.records import Record
from synthloop.core.tasks import Task
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


def wrong(pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
    """The records whose prediction is wrong (QA: not an exact match of the answer)."""
    if task.type == "qa":
        return [r for r, p in zip(records, pred, strict=True) if not exact_match(str(p), r.label)]
    return [r for r, p in zip(records, pred, strict=True) if p != r.label]


def confusion_of(pred: Sequence[Any], records: Sequence[Record], task: Task) -> dict[str, Any]:
    """Rows are gold labels, columns predicted ones, both in the task's label order."""
    gold = [r.label for r in records]
    matrix = confusion_matrix(gold, list(pred), labels=task.label_names)
    return {"labels": task.label_names, "matrix": matrix.tolist()}
