"""Cross-validated probabilities for curation, memoised in the curation context so the
steps that share them (confidence filter, re-weighting, relabelling, review queue) train
once; the folds are trained where the context's compute says
(:mod:`synthloop.learners.crossval`)."""

from __future__ import annotations

from collections.abc import Sequence

from synthloop.core.records import Record
from synthloop.curate.base import CurateContext
from synthloop.learners.crossval import CrossVal


def cross_val_proba(
    records: Sequence[Record],
    ctx: CurateContext,
    *,
    folds: int = 5,
    learner: str | None = None,
    seed: int | None = None,
) -> CrossVal:
    """Memoised in ``ctx``; the folds are trained where ``ctx.compute`` says."""
    learner = learner or ctx.learner
    seed = ctx.seed if seed is None else seed
    key = ("cv", learner, folds, seed, tuple((r.id, r.label) for r in records))
    if key in ctx.memo:
        cached: CrossVal = ctx.memo[key]
        return cached
    result = ctx.compute.cross_val_proba(records, ctx.task, learner=learner, folds=folds, seed=seed)
    ctx.memo[key] = result
    return result
