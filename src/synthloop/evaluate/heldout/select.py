"""Choosing the final model's knobs on held-out real data only: learner, regularisation
and synthetic weight, each candidate scored by cross-fitting (see :mod:`.crossfit`).

The winner is the candidate with the best held-out accuracy; a tie goes to the candidate
listed first, and grids list the simpler choice first (less synthetic weight), so noise
alone never buys synthetic data a place. The winner's held-out score is optimistic (it
is the best of several noisy estimates); the test split, scored once, is not.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from synthloop.compute.local import Compute
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores
from synthloop.evaluate.heldout.crossfit import Candidate, Folds, HeldOut, Prepare, fit, held_out
from synthloop.evaluate.indirect import score
from synthloop.learners import LEARNERS

#: Inverse regularisation strengths tried for each learner (tfidf_lr's default is 10,
#: embed_lr's 1: both are in the grid).
C_GRID: tuple[float, ...] = (1.0, 10.0, 100.0)
#: How much one synthetic record weighs against one real record; 0 = real data alone.
WEIGHT_GRID: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0)


def grid(
    learners: Iterable[str],
    *,
    cs: Sequence[float | None] = C_GRID,
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


def default_learners(task: Task) -> list[str]:
    """The learners a final model is chosen among: for single texts a bag of words and
    MiniLM embeddings (neither wins everywhere: on sst2 with 500 labels embed_lr is 15
    points ahead, on long reviews it truncates), for pairs embeddings only (a bag of
    words is at chance there), otherwise the type's default learner."""
    if task.type == "classification":
        return ["tfidf_lr", "embed_lr"]
    if task.type == "pair":
        return ["embed_lr"]
    return [task.default_learner] if task.default_learner else []


def takes_c(learner: str) -> bool:
    """Whether ``learner`` has a regularisation strength C to tune (the logistic
    regressions); minilm_ft, QA's and instruction data's learners do not."""
    cls = LEARNERS.get(learner)
    return cls is not None and "C" in inspect.signature(cls).parameters


def final_grid(learners: Sequence[str]) -> list[Candidate]:
    """Candidates for a final model: each regularised classifier's C grid, a learner
    without a C (minilm_ft, QA's, instruction data's) at its defaults; synthetic weights
    0 (real alone) first."""
    tunable = [name for name in learners if takes_c(name)]
    fixed = [name for name in learners if not takes_c(name)]
    out = grid(tunable) if tunable else []
    out += [Candidate(name, None, w) for w in sorted(WEIGHT_GRID) for name in fixed]
    return sorted(out, key=lambda c: c.weight)  # stable: keeps learner and C order per weight


@dataclass(frozen=True)
class FinalModel:
    """The final model's knobs, chosen on held-out real data; its test score, once."""

    selection: Selection
    real_alone: HeldOut  # the best candidate without synthetic data
    test: Scores | None

    def as_dict(self) -> dict[str, object]:
        return {
            "choice": self.selection.best.candidate.name,
            "heldout": self.selection.best.scores.as_dict(),
            "heldout_real_alone": self.real_alone.scores.as_dict(),
            "real_alone_choice": self.real_alone.candidate.name,
            "test": self.test.as_dict() if self.test else None,
            "tried": self.selection.table(),
        }


def choose_final(
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    learners: Sequence[str],
    test: Sequence[Record] | None = None,
    compute: Compute | None = None,
) -> FinalModel:
    """Learner, C and synthetic weight by cross-fitted held-out accuracy over ``real``;
    the winner is trained on all of ``real`` + ``synthetic`` and scored on ``test``."""
    sel = choose(final_grid(learners), real, synthetic, folds, task)
    alone = [h for h in sel.tried if h.candidate.weight == 0 and h.candidate.use_real]
    real_alone = alone[0]
    for h in alone[1:]:
        if h.scores.accuracy > real_alone.scores.accuracy + 1e-12:
            real_alone = h
    test_scores = None
    if test:
        model = fit(sel.best.candidate, real, synthetic, task)
        test_scores = score(model, test, task, compute)  # the test split: where compute says
    return FinalModel(sel, real_alone, test_scores)
