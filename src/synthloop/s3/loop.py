"""The S3 loop (Synthesis Step by Step): seed, then, round after round, train a small model
on the synthetic data so far, find its errors on real validation data, and ask the LLM
for new examples like each error.

What seeding, assessing and extrapolating mean for a kind of data is a
:class:`~synthloop.s3.strategy.Strategy` (:mod:`synthloop.s3.examples` for classification,
pairs and QA; :mod:`synthloop.s3.instruction` for instruction data); every LLM call goes
through the one job runner (:func:`~synthloop.generate.common.run_plan`).

With ``patience``, the loop stops once that many rounds in a row have not raised the
strategy's held-out score (real + synthetic, cross-fitted over the real validation
records) and keeps the best round's data: :attr:`S3Result.kept_round`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from synthloop.core.records import Record
from synthloop.core.tasktype import Scores
from synthloop.generate.common import Plan, Stage, run_plan
from synthloop.llm import LLM
from synthloop.s3.strategy import Strategy

T = TypeVar("T")


@dataclass
class RoundResult:
    round: int
    train_size: int
    added: int
    generation: dict[str, Any]
    val: Scores
    errors: list[Record]  # the real validation records the round's model got wrong
    test: Scores | None = None
    test_with_real: Scores | None = None  # trained on validation + synthetic
    report: dict[str, Any] = field(default_factory=dict)  # the strategy's figures
    heldout: Scores | None = None  # synthetic alone, cross-fitted on validation
    heldout_with_real: Scores | None = None  # validation folds + synthetic, cross-fitted
    requests: int = 0  # LLM requests so far, rationales and this round's data included

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "train_size": self.train_size,
            "added": self.added,
            "generation": self.generation,
            "calls": self.requests,
            **self.report,
        }


def best_round(scores: Sequence[float | None], patience: int | None = None) -> int:
    """The round whose data is kept: the best held-out score seen before ``patience``
    rounds in a row failed to beat it (``None``: over every round); an earlier round wins
    a tie, so noise alone never buys more synthetic data. Without scores, the last round."""
    if not scores or any(s is None for s in scores):
        return len(scores) - 1
    best, since = 0, 0
    for r in range(1, len(scores)):
        if scores[r] > scores[best] + 1e-12:  # type: ignore[operator]
            best, since = r, 0
        else:
            since += 1
            if patience is not None and since >= patience:
                break
    return best


def should_stop(scores: Sequence[float | None], patience: int | None) -> bool:
    """Whether the loop stops after the last of ``scores`` (one per round so far):
    ``patience`` rounds in a row have not beaten the best round."""
    if patience is None or not scores or any(s is None for s in scores):
        return False
    return len(scores) - 1 - best_round(scores) >= patience


@dataclass
class S3Result:
    dataset: list[Record]  # everything generated (and kept by curation), every round
    rounds: list[RoundResult]
    rationales: dict[str, list[str]] = field(default_factory=dict)
    calls: int = 0  # LLM calls the generators made (cached ones included)
    kept_round: int = -1  # the round whose data is kept (-1: the last one)

    @property
    def kept(self) -> list[Record]:
        """The synthetic records of rounds up to the kept one."""
        if self.kept_round < 0 or self.kept_round == len(self.rounds) - 1:
            return list(self.dataset)
        return [r for r in self.dataset if (r.round or 0) <= self.kept_round]


class Curator(Protocol):
    """Curates the dataset before a round trains (see synthloop.curate.rounds)."""

    async def __call__(self, records: list[Record], round: int) -> list[Record]: ...


class RoundSink(Protocol):
    def save_rationales(self, rationales: dict[str, list[str]]) -> None: ...

    def save_round(
        self, round: int, added: Sequence[Record], errors: Sequence[Record], metrics: dict[str, Any]
    ) -> None: ...


def _counted(plan: Plan[T], requests: list[int]) -> Plan[T]:
    """``plan`` unchanged, adding each stage's jobs to ``requests[0]``."""
    answers = None
    while True:
        try:
            stage: Stage = plan.send(answers) if answers is not None else next(plan)
        except StopIteration as done:
            return done.value
        requests[0] += len(stage.jobs)
        answers = yield stage


async def s3_loop(
    llm: LLM,
    strategy: Strategy,
    rounds: int,
    *,
    sink: RoundSink | None = None,
    curate: Curator | None = None,
    show_progress: bool = True,
    patience: int | None = None,
) -> S3Result:
    """Seed, then ``rounds`` rounds of: curate, assess (train, score, collect errors),
    extrapolate the errors. Every round, the seed one included, is assessed. With
    ``patience``, stop after that many rounds without a held-out gain; either way the
    result names the round to keep (the best held-out one, or the last without held-out
    scores or without ``patience``)."""
    task = strategy.task
    requests = [0]
    gen = await run_plan(
        llm, task, _counted(strategy.seed(), requests), show_progress=show_progress
    )
    if sink:
        sink.save_rationales(strategy.rationales)
    dataset, calls = list(gen.records), gen.calls
    results = []
    for r in range(rounds + 1):
        if curate is not None:
            dataset = await curate(dataset, r)
        assessed = strategy.assess(r, dataset)
        result = RoundResult(
            round=r,
            train_size=len(dataset),
            added=len(gen.records),
            generation=gen.summary(),
            val=assessed.val,
            errors=assessed.errors,
            test=assessed.test,
            test_with_real=assessed.test_with_real,
            report=assessed.report,
            heldout=assessed.heldout,
            heldout_with_real=assessed.heldout_with_real,
            requests=requests[0],
        )
        results.append(result)
        if sink:
            sink.save_round(r, gen.records, result.errors, result.as_dict())
        judged = [x.heldout_with_real.accuracy if x.heldout_with_real else None for x in results]
        if r == rounds or should_stop(judged, patience):
            break
        plan = _counted(strategy.extrapolate(result.errors, r + 1), requests)
        gen = await run_plan(llm, task, plan, show_progress=show_progress)
        dataset.extend(gen.records)
        calls += gen.calls
    judged = [x.heldout_with_real.accuracy if x.heldout_with_real else None for x in results]
    kept = best_round(judged, patience) if patience is not None else len(results) - 1
    return S3Result(
        dataset=dataset,
        rounds=results,
        rationales=strategy.rationales,
        calls=calls,
        kept_round=kept,
    )
