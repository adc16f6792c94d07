"""Choosing the final model's knobs on held-out real data only: learner, regularisation
and synthetic weight, each candidate scored by cross-fitting (see :mod:`.crossfit`).

The winner is the candidate with the best held-out accuracy; a tie goes to the candidate
listed first, and grids list the simpler choice first (less synthetic weight), so noise
alone never buys synthetic data a place. The winner's held-out score is optimistic (it
is the best of several noisy estimates); the test split, scored once, is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from synthloop.heldout.crossfit import Candidate, Folds, HeldOut, Prepare, held_out
from synthloop.records import Record
from synthloop.tasks import Task

#: Inverse regularisation strengths tried for each learner (tfidf_lr's default is 10,
#: embed_lr's 1: both are in the grid).
C_GRID: tuple[float, ...] = (1.0, 10.0, 100.0)
#: How much one synthetic record weighs against one real record; 0 = real data alone.
WEIGHT_GRID: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0)


def grid(
    learners: Iterable[str],
    *,
    cs: Sequence[float] = C_GRID,
    weights: Sequence[float] = WEIGHT_GRID,
    use_real: bool = True,
) -> list[Candidate]:
    """Candidates in tie-break order: by weight (smallest first), then learner, then C."""
    learners = list(learners)
    if not use_real:
        return [Candidate(name, c, 1.0, use_real=False) for name in learners for c in cs]
    return [Candidate(name, c, w) for w in sorted(weights) for name in learners for c in cs]


@dataclass(frozen=True)
class Selection:
    best: HeldOut
    tried: list[HeldOut]

    def table(self) -> list[dict[str, object]]:
        return [
            {"candidate": h.candidate.name, "heldout_accuracy": h.scores.accuracy}
            for h in self.tried
        ]


def choose(
    candidates: Sequence[Candidate],
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    prepare: Prepare | None = None,
) -> Selection:
    """Score every candidate on the held-out folds; the best (first on ties) wins.
    Candidates that use synthetic data are skipped when there is none."""
    if not candidates:
        raise ValueError("no candidates to choose from")
    tried: list[HeldOut] = []
    for c in candidates:
        if (c.weight > 0 or not c.use_real) and not synthetic:
            continue
        tried.append(held_out(c, real, synthetic, folds, task, prepare))
    if not tried:
        raise ValueError("every candidate needs synthetic data, and there is none")
    best = tried[0]
    for h in tried[1:]:
        if h.scores.accuracy > best.scores.accuracy + 1e-12:
            best = h
    return Selection(best=best, tried=tried)
