"""Training a small model on records: inputs as the task presents them, and the
training weights curation set (``extra["weight"]``)."""

from __future__ import annotations

from collections.abc import Sequence

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.learners import Predictor, make_learner

#: the small model of instruction data (it answers with the nearest training response)
DEFAULT_RESPONDER = "retrieval_responder"


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


def fit_responder(
    records: Sequence[Record], task: Task, model: Predictor | None = None
) -> Predictor:
    """Train the small model (default: a fresh ``retrieval_responder``) on ``records``."""
    model = model if model is not None else make_learner(DEFAULT_RESPONDER)
    return model.fit([task.learner_input(r) for r in records], [r.label for r in records])
