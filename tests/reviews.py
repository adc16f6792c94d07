"""The restaurant-review task and its tiny labelled data, for the tests and for
bench/reliability.py (plain Python: importing it starts nothing and needs no pytest)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from synthloop.core.tasks import Task

POSITIVE = ["wonderful", "delicious", "friendly", "lovely", "great", "fresh", "superb"]
NEGATIVE = ["awful", "cold", "rude", "stale", "dirty", "bland", "terrible"]

TASK_YAML = """\
name: reviews
domain: restaurants
example_noun: restaurant review
inputs: [text]
labels:
  positive: the customer was happy
  negative: the customer was unhappy
"""
#: the task file's task, parsed as `synthloop` parses a task file (one definition, two forms)
REVIEWS = Task.model_validate(yaml.safe_load(TASK_YAML))


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def labelled_rows(n: int, start: int = 0, *, negatives_like_positives: bool = False) -> list[dict]:
    """Rows ``start`` to ``start + n - 1``: positive reviews at even rows, negative at odd.
    Negative reviews pair their words differently and name the waiter; with
    ``negatives_like_positives`` they are built as the positive ones are (the data
    bench/reliability.py's published results were measured on)."""
    rows = []
    for i in range(start, start + n):
        positive = i % 2 == 0
        words = POSITIVE if positive else NEGATIVE
        step, noun = (3, "service") if positive or negatives_like_positives else (2, "waiter")
        rows.append(
            {
                "text": f"{words[i % 7]} food and {words[(i + step) % 7]} {noun}",
                "label": "positive" if positive else "negative",
            }
        )
    return rows
