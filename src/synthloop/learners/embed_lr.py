"""Sentence embeddings (all-MiniLM-L6-v2) + logistic regression.

For one text the feature is its embedding. For a pair (premise, hypothesis) it is the
classic InferSent combination ``[u, v, |u - v|, u * v]``: a bag of words is at chance on
NLI, but the relation between the two embeddings carries the label.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from synthloop.core.embeddings import Embedder, default_embedder
from synthloop.core.errors import DataError
from synthloop.core.tasks import LearnerInput
from synthloop.learners.base import check_training_data


def pair_features(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.hstack([first, second, np.abs(first - second), first * second])


class EmbeddingLogisticRegression:
    def __init__(self, *, C: float = 1.0, max_iter: int = 2000) -> None:
        self.C = C
        self.max_iter = max_iter

    @staticmethod
    def _embedder() -> Embedder:
        return default_embedder()

    def _features(self, inputs: Sequence[LearnerInput]) -> np.ndarray:
        if not inputs:
            raise DataError("no examples to embed")
        arity = 1 if isinstance(inputs[0], str) else len(inputs[0])
        if any((1 if isinstance(x, str) else len(x)) != arity for x in inputs):
            raise DataError("mixed single texts and text pairs in one dataset")
        enc = self._embedder().encode
        if arity == 1:
            return enc([x if isinstance(x, str) else x[0] for x in inputs])
        if arity != 2:
            raise DataError(f"embed_lr handles one text or a pair, not {arity} fields")
        return pair_features(enc([x[0] for x in inputs]), enc([x[1] for x in inputs]))

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> EmbeddingLogisticRegression:
        check_training_data(texts, labels)
        self.lr_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.lr_.fit(self._features(texts), list(labels), sample_weight=weights)
        self.classes_ = self.lr_.classes_
        return self

    def _fitted(self) -> LogisticRegression:
        if not hasattr(self, "lr_"):
            raise RuntimeError("call fit() before predict()")
        return self.lr_

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        return np.asarray(self._fitted().predict(self._features(texts)))

    def predict_proba(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        return np.asarray(self._fitted().predict_proba(self._features(texts)))
