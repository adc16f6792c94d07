"""Small models trained on synthetic data, behind one scikit-learn-like contract."""

from __future__ import annotations

from collections.abc import Callable

from synthloop.errors import ConfigError
from synthloop.learners.base import Learner
from synthloop.learners.embed_lr import EmbeddingLogisticRegression
from synthloop.learners.minilm_ft import FineTunedMiniLM
from synthloop.learners.tfidf_lr import TfidfLogisticRegression

LEARNERS: dict[str, Callable[[], Learner]] = {
    "tfidf_lr": TfidfLogisticRegression,
    "embed_lr": EmbeddingLogisticRegression,
    "minilm_ft": FineTunedMiniLM,
}


def make_learner(name: str) -> Learner:
    try:
        return LEARNERS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown learner {name!r}; choose one of: {', '.join(sorted(LEARNERS))}"
        ) from None


__all__ = [
    "LEARNERS",
    "EmbeddingLogisticRegression",
    "FineTunedMiniLM",
    "Learner",
    "TfidfLogisticRegression",
    "make_learner",
]
