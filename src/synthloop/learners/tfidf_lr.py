"""TF-IDF (word 1–2 grams) + logistic regression: fast, strong on short texts, the default."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from synthloop.core.errors import DataError
from synthloop.core.tasks import LearnerInput
from synthloop.learners.base import check_training_data


def _as_text(x: LearnerInput) -> str:
    # A bag of words cannot see which text a word came from; joining is all it can use.
    return x if isinstance(x, str) else " \n ".join(x)


class TfidfLogisticRegression:
    def __init__(
        self, *, C: float = 10.0, ngram_range: tuple[int, int] = (1, 2), max_iter: int = 2000
    ) -> None:
        self.C = C
        self.ngram_range = ngram_range
        self.max_iter = max_iter

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> TfidfLogisticRegression:
        check_training_data(texts, labels)
        self.pipeline_ = Pipeline(
            [
                ("tfidf", TfidfVectorizer(ngram_range=self.ngram_range, sublinear_tf=True)),
                ("lr", LogisticRegression(C=self.C, max_iter=self.max_iter)),
            ]
        )
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        inputs = [_as_text(t) for t in texts]
        try:
            self.pipeline_.fit(inputs, list(labels), lr__sample_weight=weights)
        except ValueError as e:
            if "empty vocabulary" not in str(e):
                raise
            # Texts of punctuation, emoji or one-letter words only: tf-idf has no term to weigh.
            raise DataError(
                f"none of the {len(texts)} training texts has a word of two or more letters",
                hint="check that the data holds texts, or use a learner that reads them whole "
                "(--learner embed_lr)",
            ) from None
        self.classes_ = self.pipeline_.classes_
        return self

    def _fitted(self) -> Pipeline:
        if not hasattr(self, "pipeline_"):
            raise RuntimeError("call fit() before predict()")
        return self.pipeline_

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        return np.asarray(self._fitted().predict([_as_text(t) for t in texts]))

    def predict_proba(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        return np.asarray(self._fitted().predict_proba([_as_text(t) for t in texts]))
