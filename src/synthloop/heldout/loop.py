"""S3 over the user's own real data, measured honestly.

The user has a few hundred real labelled records and wants a better model than those
records alone give. Every round: choose the final model's knobs (learner, regularisation,
synthetic weight) by cross-fitted held-out accuracy over the real records (see
:mod:`.crossfit`), take that model's held-out errors, and ask the LLM for ``per_error``
new examples like each error, with its gold label. Synthetic records made from fold k's
errors never help score fold k, so the held-out score never rewards imitating the very
records it is measured on. Rounds stop when the held-out score stops improving, and the
data and knobs of the best round are kept.

Each round also carries the number the original loop printed, the "mined" score: a model
trained on the synthetic data alone, scored on all the real records, the very records
whose errors were extrapolated. It rises by construction; the held-out score is the one
to trust.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from synthloop.evaluate.indirect import Scores, score
from synthloop.generate import extrapolate, generate_rationales, s3_seed, seed_anchors
from synthloop.generate.demos import DemoSelector
from synthloop.heldout.crossfit import Candidate, Folds, fit
from synthloop.heldout.select import Selection, choose
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.records import Record
from synthloop.seeds import derive_seed


@dataclass(frozen=True)
class HonestS3Config:
    seed_size: int = 150
    rationale_calls_per_label: int = 2
    rationales_per_call: int = 5
    rationales_per_example: int = 2
    rounds: int = 3
    per_error: int = 2
    max_errors_per_round: int | None = 100
    folds: int = 5
    patience: int = 1  # rounds without a held-out gain before stopping


@dataclass
class HonestRound:
    round: int
    calls: int  # LLM requests so far, this round's data included
    synthetic: int  # synthetic records so far
    added: int
    heldout: Scores  # the chosen candidate's cross-fitted score on the real records
    choice: Candidate
    heldout_real_alone: Scores  # the best candidate with no synthetic data, same folds
    mined: Scores  # synthetic data alone, scored on all real records (the old loop's number)
    errors: int  # held-out errors of the chosen candidate
    generation: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "calls": self.calls,
            "synthetic": self.synthetic,
            "added": self.added,
            "heldout": self.heldout.as_dict(),
            "choice": self.choice.name,
            "heldout_real_alone": self.heldout_real_alone.as_dict(),
            "mined": self.mined.as_dict(),
            "errors": self.errors,
            "generation": self.generation,
        }


def best_round(scores: Sequence[float], patience: int = 1) -> int:
    """The round whose data is kept: the best held-out score seen before ``patience``
    rounds in a row failed to beat it (an earlier round wins a tie)."""
    best, since = 0, 0
    for r in range(1, len(scores)):
        if scores[r] > scores[best] + 1e-12:
            best, since = r, 0
        else:
            since += 1
            if since >= patience:
                break
    return best


def should_stop(scores: Sequence[float], patience: int = 1) -> bool:
    """Whether a loop stops after the last of ``scores`` (one per round so far):
    ``patience`` rounds in a row have not beaten the best round."""
    return len(scores) - 1 - best_round(scores, patience=len(scores)) >= patience


@dataclass
class HonestS3Result:
    rounds: list[HonestRound]
    synthetic: list[Record]  # everything generated, every round
    kept_round: int  # the best round by held-out accuracy
    rationales: dict[str, list[str]]

    @property
    def kept(self) -> list[Record]:
        """The synthetic records of the kept round (generated in rounds 0..kept_round)."""
        return [r for r in self.synthetic if (r.round or 0) <= self.kept_round]

    @property
    def choice(self) -> Candidate:
        return self.rounds[self.kept_round].choice

    def final_model(self, real: Sequence[Record], task: Any) -> Any:
        """The kept knobs trained on all the real records and the kept synthetic ones."""
        return fit(self.choice, real, self.kept, task)


def _assess(
    r: int,
    candidates: Sequence[Candidate],
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    prompter: Prompter,
    calls: int,
    added: int,
    generation: dict[str, Any],
) -> tuple[HonestRound, Selection]:
    task = prompter.task
    sel = choose(candidates, real, synthetic, folds, task)
    alone = [h for h in sel.tried if h.candidate.use_real and h.candidate.weight == 0]
    baseline = max(alone, key=lambda h: h.scores.accuracy) if alone else sel.best
    chosen = sel.best.candidate
    only = Candidate(chosen.learner, chosen.C, 1.0, use_real=False)
    mined = score(fit(only, real, synthetic, task), real, task)
    round_ = HonestRound(
        round=r,
        calls=calls,
        synthetic=len(synthetic),
        added=added,
        heldout=sel.best.scores,
        choice=chosen,
        heldout_real_alone=baseline.scores,
        mined=mined,
        errors=len(sel.best.errors),
        generation=generation,
    )
    return round_, sel


async def s3_with_real(
    llm: LLM,
    prompter: Prompter,
    real: Sequence[Record],
    candidates: Sequence[Candidate],
    cfg: HonestS3Config = HonestS3Config(),
    *,
    seed: int = 0,
    stop_early: bool = True,
    neighbours: DemoSelector | None = None,
    show_progress: bool = True,
) -> HonestS3Result:
    """Run S3 with the user's real records as both the data to improve on and, by
    cross-fitting, the judge. ``stop_early=False`` runs every round (for benchmarks that
    study the stopping rule afterwards); the kept round is chosen the same way."""
    task = prompter.task
    real = list(real)
    folds = Folds.split(real, cfg.folds, seed)
    rationales = await generate_rationales(
        llm,
        prompter,
        calls_per_label=cfg.rationale_calls_per_label,
        per_call=cfg.rationales_per_call,
        seed=seed,
        show_progress=show_progress,
    )
    calls = cfg.rationale_calls_per_label * len(task.labels)
    gen = await s3_seed(
        llm,
        prompter,
        rationales,
        cfg.seed_size,
        k=cfg.rationales_per_example,
        seed=seed,
        anchors=seed_anchors(task, real, cfg.seed_size, seed=seed),
        show_progress=show_progress,
    )
    calls += gen.calls
    synthetic = list(gen.records)
    rounds: list[HonestRound] = []
    for r in range(cfg.rounds + 1):
        result, sel = _assess(
            r, candidates, real, synthetic, folds, prompter, calls, len(gen.records), gen.summary()
        )
        rounds.append(result)
        scores = [x.heldout.accuracy for x in rounds]
        if r == cfg.rounds or (stop_early and should_stop(scores, cfg.patience)):
            break
        errors = sel.best.errors
        if cfg.max_errors_per_round and len(errors) > cfg.max_errors_per_round:
            rng = random.Random(derive_seed(seed, "errors", r))
            errors = rng.sample(errors, cfg.max_errors_per_round)
        gen = await extrapolate(
            llm,
            prompter,
            errors,
            per_error=cfg.per_error,
            round=r + 1,
            seed=seed,
            neighbours=neighbours,
            show_progress=show_progress,
        )
        calls += gen.calls
        synthetic.extend(gen.records)
    kept = best_round([x.heldout.accuracy for x in rounds], cfg.patience)
    return HonestS3Result(
        rounds=rounds, synthetic=synthetic, kept_round=kept, rationales=rationales
    )
