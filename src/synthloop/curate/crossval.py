"""Cross-validated probabilities: what a small model trained without a record thinks of it.

Split the records into k stratified parts; for each part, train the learner on the other
k-1 and predict the held-out part. Every record is judged by a model that never saw it,
which is what makes its probability an honest confidence (and what cross-partition
relabelling needs). Results are memoised in the curation context, so steps that share
them (confidence filter, re-weighting, relabelling, review queue) train once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from synthloop.curate.base import CurateContext
from synthloop.evaluate import fit_on
from synthloop.records import Record


@dataclass(frozen=True)
class CrossVal:
    classes: list[str]
    proba: np.ndarray  # (n, len(classes)), rows sum to 1

    def given(self, labels: Sequence[str]) -> np.ndarray:
        """The probability each record's own label gets."""
        col = {c: i for i, c in enumerate(self.classes)}
        return np.array(
            [self.proba[i, col[lab]] if lab in col else 0.0 for i, lab in enumerate(labels)]
        )

    @property
    def predicted(self) -> list[str]:
        return [self.classes[i] for i in self.proba.argmax(axis=1)]

    @property
    def top(self) -> np.ndarray:
        return self.proba.max(axis=1)


def cross_val_proba(
    records: Sequence[Record],
    ctx: CurateContext,
    *,
    folds: int = 5,
    learner: str | None = None,
    seed: int | None = None,
) -> CrossVal:
    learner = learner or ctx.learner
    seed = ctx.seed if seed is None else seed
    key = ("cv", learner, folds, seed, tuple((r.id, r.label) for r in records))
    if key in ctx.memo:
        cached: CrossVal = ctx.memo[key]
        return cached
    classes = list(ctx.task.label_names)
    labels = np.array([r.label for r in records])
    proba = np.full((len(records), len(classes)), 1.0 / len(classes))
    # a label with fewer members than folds still needs a place in every split
    smallest = min((int((labels == c).sum()) for c in set(labels)), default=0)
    k = min(folds, smallest) if smallest >= 2 else 0
    if k >= 2 and len(set(labels)) >= 2:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
            train = [records[i] for i in train_idx]
            if len({r.label for r in train}) < 2:
                continue
            model = fit_on(train, ctx.task, learner)
            part = model.predict_proba([ctx.task.learner_input(records[i]) for i in test_idx])
            cols = [classes.index(str(c)) for c in model.classes_]
            fold = np.zeros((len(test_idx), len(classes)))
            fold[:, cols] = part
            proba[test_idx] = fold
    result = CrossVal(classes, proba)
    ctx.memo[key] = result
    return result
