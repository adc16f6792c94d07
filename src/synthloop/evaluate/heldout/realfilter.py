"""Label noise in synthetic data, judged by the user's real data: an auxiliary model
trained on the real records only scores each synthetic record's label. A small generator
often writes a text that does not carry the label it was asked for; a model that has
seen real labels catches the confident cases.

Each function returns a :data:`~synthloop.evaluate.heldout.crossfit.Prepare`: given the real
records a model will train on and the synthetic ones, it returns the curated synthetic
records. Cross-fitting calls it once per fold with that fold's real training part, so
the auxiliary model never sees the records it will be judged on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.heldout.crossfit import Candidate, Prepare, fit


def _given_and_top(
    aux: Candidate, real: Sequence[Record], synthetic: Sequence[Record], task: Task
) -> tuple[np.ndarray, list[str], np.ndarray]:
    model: Any = fit(aux, real, [], task)  # a classifier: probabilities and classes_
    proba = model.predict_proba([task.learner_input(r) for r in synthetic])
    classes = [str(c) for c in model.classes_]
    col = {c: i for i, c in enumerate(classes)}
    given = np.array(
        [proba[i, col[r.label]] if r.label in col else 0.0 for i, r in enumerate(synthetic)]
    )
    top = proba.argmax(axis=1)
    return given, [classes[j] for j in top], proba.max(axis=1)


def drop_rejected(aux: Candidate, task: Task, threshold: float) -> Prepare:
    """Drop synthetic records whose own label gets probability below ``threshold`` from
    a model trained on the real records."""

    def prepare(real: Sequence[Record], synthetic: Sequence[Record]) -> list[Record]:
        given, _, _ = _given_and_top(aux, real, synthetic, task)
        return [r for r, p in zip(synthetic, given, strict=True) if p >= threshold]

    return prepare


def relabel_confident(aux: Candidate, task: Task, min_confidence: float) -> Prepare:
    """Give a synthetic record the real-trained model's label where that model disagrees
    with probability at least ``min_confidence`` (the old label stays in ``extra``)."""

    def prepare(real: Sequence[Record], synthetic: Sequence[Record]) -> list[Record]:
        _, predicted, top = _given_and_top(aux, real, synthetic, task)
        out = []
        for r, new, p in zip(synthetic, predicted, top, strict=True):
            if new != r.label and p >= min_confidence:
                r = replace(r, label=new, extra={**r.extra, "label_history": [r.label]})
            out.append(r)
        return out

    return prepare
