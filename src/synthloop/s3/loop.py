"""The S3 loop (Synthesis Step by Step): seed from rationales, then, round after round,
train a small model, find its errors on real validation data, and ask the LLM for new
examples like each error with its gold label."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from synthloop.compute.local import Compute
from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task
from synthloop.evaluate import Scores, fit_on, score, train_and_score
from synthloop.evaluate.indirect import predictions, scores_of, wrong
from synthloop.generate import extrapolate, generate_rationales, s3_seed, seed_anchors
from synthloop.generate.common import Generation
from synthloop.generate.demos import DemoSelector
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config


@dataclass
class RoundResult:
    round: int
    train_size: int
    added: int
    generation: dict[str, Any]
    val: Scores
    errors: int
    test: Scores | None = None
    test_with_real: Scores | None = None  # trained on validation + synthetic

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if not isinstance(v, Scores | None)}
        for name in ("val", "test", "test_with_real"):
            value = getattr(self, name)
            out[name] = value.as_dict() if value is not None else None
        return out


@dataclass
class S3Result:
    dataset: list[Record]
    rounds: list[RoundResult]
    rationales: dict[str, list[str]] = field(default_factory=dict)


def assess_round(
    round: int,
    dataset: Sequence[Record],
    gen: Generation,
    validation: Sequence[Record],
    test: Sequence[Record] | None,
    task: Task,
    learner: str,
    compute: Compute | None = None,
) -> tuple[RoundResult, list[Record]]:
    """Train on the synthetic data so far; score it (predictions made where ``compute``
    says); return the validation errors."""
    model = fit_on(dataset, task, learner)
    val_pred = predictions(model, validation, task, compute)
    errors = wrong(val_pred, validation, task)
    result = RoundResult(
        round=round,
        train_size=len(dataset),
        added=len(gen.records),
        generation=gen.summary(),
        val=scores_of(val_pred, validation, task),
        errors=len(errors),
    )
    if test:
        result.test = score(model, test, task, compute)
        result.test_with_real = train_and_score(
            [*validation, *dataset], test, task, learner, compute
        )
    return result, errors


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
    prompter: Prompter,
    validation: Sequence[Record],
    test: Sequence[Record] | None,
    cfg: S3Config,
    *,
    learner: str | None = None,
    seed: int = 0,
    sink: RoundSink | None = None,
    show_progress: bool = True,
    curate: Curator | None = None,
    neighbours: DemoSelector | None = None,
    compute: Compute | None = None,
) -> S3Result:
    task = prompter.task
    learner = learner or task.default_learner
    if learner is None:
        raise ConfigError(f"S3 needs a small model to find errors; a {task.type} task has none")
    rationales = await generate_rationales(
        llm,
        prompter,
        calls_per_label=cfg.rationale_calls_per_label,
        per_call=cfg.rationales_per_call,
        seed=seed,
        show_progress=show_progress,
    )
    if sink:
        sink.save_rationales(rationales)
    gen: Generation = await s3_seed(
        llm,
        prompter,
        rationales,
        cfg.seed_size,
        k=cfg.rationales_per_example,
        seed=seed,
        # pair/QA: seed calls keep real premises or passages (their labels unused)
        anchors=seed_anchors(task, validation, cfg.seed_size, seed=seed),
        show_progress=show_progress,
    )
    dataset = list(gen.records)
    rounds = []
    for r in range(cfg.rounds + 1):
        if curate is not None:
            dataset = await curate(dataset, r)
        result, errors = assess_round(r, dataset, gen, validation, test, task, learner, compute)
        rounds.append(result)
        if sink:
            sink.save_round(r, gen.records, errors, result.as_dict())
        if r == cfg.rounds:
            break
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
        dataset.extend(gen.records)
    return S3Result(dataset=dataset, rounds=rounds, rationales=rationales)
