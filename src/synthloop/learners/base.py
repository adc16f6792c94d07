"""The small-model contract, scikit-learn style.

``__init__`` only stores keyword arguments; ``fit(texts, labels, sample_weight=None)``
returns self; fitted attributes end in ``_``; ``predict_proba`` columns follow
``classes_``. Every learner passes the same contract test (tests/learners).

An input is a text, or a tuple of texts for multi-input tasks (premise, hypothesis);
see :meth:`synthloop.core.tasks.Task.learner_input`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from synthloop.core.errors import DataError
from synthloop.core.tasks import LearnerInput


def check_training_data(texts: Sequence[LearnerInput], labels: Sequence[str]) -> None:
    """The checks every classifier makes before fitting, with the same one-line errors."""
    if len(texts) != len(labels):
        raise DataError(f"{len(texts)} texts but {len(labels)} labels")
    if len(set(labels)) < 2:
        raise DataError(
            f"cannot train on {len(texts)} examples with fewer than two labels "
            f"({sorted(set(labels))})",
            hint="generate more data, or check that the LLM's output parses",
        )


@runtime_checkable
class Predictor(Protocol):
    """What evaluation needs: fit on inputs and targets, predict targets. Classifiers
    (:class:`Learner`) predict labels; a span extractor (``span_lr``) predicts answers."""

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> Predictor: ...

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray: ...


@runtime_checkable
class Learner(Protocol):
    classes_: np.ndarray

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> Learner: ...

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray: ...

    def predict_proba(self, texts: Sequence[LearnerInput]) -> np.ndarray: ...
