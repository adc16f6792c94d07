"""The S3 loop (Synthesis Step by Step): seed, then, round after round, train a small model
on the synthetic data so far, find its errors on real validation data, and ask the LLM
for new examples like each error.

What seeding, assessing and extrapolating mean for a kind of data is a
:class:`~synthloop.s3.strategy.Strategy` (:mod:`synthloop.s3.examples` for classification,
pairs and QA; :mod:`synthloop.s3.instruction` for instruction data); every LLM call goes
through the one job runner (:func:`~synthloop.generate.common.run_plan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from synthloop.core.records import Record
from synthloop.core.tasktype import Scores
from synthloop.generate.common import run_plan
from synthloop.llm import LLM
from synthloop.s3.strategy import Strategy


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "train_size": self.train_size,
            "added": self.added,
            "generation": self.generation,
            **self.report,
        }


@dataclass
class S3Result:
    dataset: list[Record]
    rounds: list[RoundResult]
    rationales: dict[str, list[str]] = field(default_factory=dict)
    calls: int = 0  # LLM calls the generators made (cached ones included)


class Curator(Protocol):
    """Curates the dataset before a round trains (see synthloop.curate.rounds)."""

    async def __call__(self, records: list[Record], round: int) -> list[Record]: ...


class RoundSink(Protocol):
    def save_rationales(self, rationales: dict[str, list[str]]) -> None: ...

    def save_round(
        self, round: int, added: Sequence[Record], errors: Sequence[Record], metrics: dict[str, Any]
    ) -> None: ...


async def s3_loop(
    llm: LLM,
    strategy: Strategy,
    rounds: int,
    *,
    sink: RoundSink | None = None,
    curate: Curator | None = None,
    show_progress: bool = True,
) -> S3Result:
    """Seed, then ``rounds`` rounds of: curate, assess (train, score, collect errors),
    extrapolate the errors. Every round, the seed one included, is assessed."""
    task = strategy.task
    gen = await run_plan(llm, task, strategy.seed(), show_progress=show_progress)
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
        )
        results.append(result)
        if sink:
            sink.save_round(r, gen.records, result.errors, result.as_dict())
        if r == rounds:
            break
        plan = strategy.extrapolate(result.errors, r + 1)
        gen = await run_plan(llm, task, plan, show_progress=show_progress)
        dataset.extend(gen.records)
        calls += gen.calls
    return S3Result(dataset=dataset, rounds=results, rationales=strategy.rationales, calls=calls)
