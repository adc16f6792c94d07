"""Small models trained on synthetic data, behind one scikit-learn-like contract."""

from __future__ import annotations

from collections.abc import Callable

from synthloop.core.errors import ConfigError
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


def make_learner(name: str) -> Predictor:
    factory = LEARNERS.get(name) or EXTRACTORS.get(name) or RESPONDERS.get(name)
    if factory is None:
        options = ", ".join(sorted([*LEARNERS, *EXTRACTORS, *RESPONDERS]))
        raise ConfigError(f"unknown learner {name!r}; choose one of: {options}")
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
    "make_learner",
]
