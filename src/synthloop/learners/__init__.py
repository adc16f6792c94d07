"""Small models trained on synthetic data, behind one scikit-learn-like contract."""

from __future__ import annotations

from collections.abc import Callable

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task
from synthloop.learners.base import Learner, Predictor
from synthloop.learners.embed_lr import EmbeddingLogisticRegression
from synthloop.learners.minilm_ft import FineTunedMiniLM
from synthloop.learners.retrieval_responder import RetrievalResponder
from synthloop.learners.span_lr import SpanLogisticRegression
from synthloop.learners.tfidf_lr import TfidfLogisticRegression

# Classifiers: the contract test covers every one of these.
LEARNERS: dict[str, Callable[[], Learner]] = {
    "tfidf_lr": TfidfLogisticRegression,
    "embed_lr": EmbeddingLogisticRegression,
    "minilm_ft": FineTunedMiniLM,
}
# Extractive QA: predicts answer spans, not classes.
EXTRACTORS: dict[str, Callable[[], Predictor]] = {
    "span_lr": SpanLogisticRegression,
}
# Instruction data: predicts free-text responses (see synthloop.tasktypes.instruction.metrics).
RESPONDERS: dict[str, Callable[[], Predictor]] = {
    "retrieval_responder": RetrievalResponder,
}


def check_learner(name: str, task: Task | None = None) -> None:
    """Raise ConfigError unless ``name`` is a learner, and one for ``task``'s type when a
    task is given (builds nothing: a run checks it before its first paid call)."""
    if name not in LEARNERS and name not in EXTRACTORS and name not in RESPONDERS:
        options = ", ".join(sorted([*LEARNERS, *EXTRACTORS, *RESPONDERS]))
        raise ConfigError(f"unknown learner {name!r}; choose one of: {options}")
    if task is None:
        return
    # a classifier on QA scores every answer 0; span_lr on a class label finds no span
    family = next((f for f in (EXTRACTORS, RESPONDERS) if task.default_learner in f), None)
    fits = LEARNERS if task.has_labels else family
    if fits is not None and name not in fits:
        raise ConfigError(
            f"learner {name!r} does not fit a {task.type} task; choose one of: {', '.join(fits)}"
        )


def make_learner(name: str) -> Predictor:
    check_learner(name)
    factory = LEARNERS.get(name) or EXTRACTORS.get(name) or RESPONDERS.get(name)
    assert factory is not None
    return factory()


__all__ = [
    "EXTRACTORS",
    "LEARNERS",
    "RESPONDERS",
    "EmbeddingLogisticRegression",
    "FineTunedMiniLM",
    "Learner",
    "Predictor",
    "RetrievalResponder",
    "SpanLogisticRegression",
    "TfidfLogisticRegression",
    "check_learner",
    "make_learner",
]
