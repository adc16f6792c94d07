from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest

from synthloop import learners
from synthloop.core.records import Record


class Memorizer:
    """A learner that predicts the label it was trained with for a text it has seen, and
    the majority label otherwise: it shows exactly which records a model trained on."""

    def __init__(self, *, C: float = 1.0) -> None:
        self.C = C

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> Memorizer:
        weights = sample_weight or [1.0] * len(texts)
        self.seen_ = {t: y for t, y, w in zip(texts, labels, weights, strict=True) if w > 0}
        self.majority_ = Counter(labels).most_common(1)[0][0]
        self.classes_ = np.array(sorted(set(labels)))
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self.seen_.get(t, self.majority_) for t in texts])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        pred = self.predict(texts)
        return np.array([[1.0 if c == p else 0.0 for c in self.classes_] for p in pred])


@pytest.fixture
def memorizer(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(learners.LEARNERS, "memorizer", Memorizer)
    return "memorizer"


def real_records(n: int = 20, minority_every: int = 4) -> list[Record]:
    """``n`` distinct texts; one in ``minority_every`` is negative."""
    return [
        Record(
            id=f"real-{i}",
            inputs={"text": f"text number {i}"},
            label="negative" if i % minority_every == 0 else "positive",
        )
        for i in range(n)
    ]


def copies(
    real: Sequence[Record], *, derived: bool, flip: bool = False, method: str = "extrapolate"
) -> list[Record]:
    """A synthetic copy of each real record (its parent when ``derived``)."""
    other = {"positive": "negative", "negative": "positive"}
    return [
        Record(
            id=f"{method}-r1-{i:05d}",
            inputs=dict(r.inputs),
            label=other[r.label] if flip else r.label,
            method=method,
            round=1,
            parent_id=r.id if derived else None,
        )
        for i, r in enumerate(real)
    ]
