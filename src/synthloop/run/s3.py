"""Whole jobs as the CLI runs them: check every input first, then spend LLM calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.errors import ConfigError
from synthloop.core.io import load_records, write_json, write_records
from synthloop.core.records import Record
from synthloop.core.runlock import RunLock
from synthloop.generate import (
    Generation,
    extrapolate,
    generate_rationales,
    s3_seed,
    seed_anchors,
    zerogen,
)
from synthloop.generate import from_config as toolbox
from synthloop.generate.anchors import Anchor
from synthloop.llm import LLM, Budget, CachedLLM, LLMConfig, Usage, make_llm, prices_of
from synthloop.llm.journal import journaling
from synthloop.prompts import Prompter, token_counter
from synthloop.run.config import RunConfig
from synthloop.run.estimate import Estimate, estimate_generate, estimate_s3
from synthloop.run.rundir import RunDir
from synthloop.s3.loop import S3Result, s3_loop

METHODS = ("zerogen", "s3-seed", "extrapolate", *toolbox.METHODS)

#: Builds the backend in place of the configured one (e.g. a Ray pool), once inputs are checked.
BackendMaker = Callable[[LLMConfig], LLM]


@dataclass
class S3Run:
    result: S3Result
    usage: Usage
    seconds: float
    run_dir: RunDir
    validation: list[Record]
    test: list[Record] | None


def _spent(llm: CachedLLM, config: RunConfig) -> dict[str, Any]:
    """What the run cost over all its invocations, and what this one paid."""
    return llm.run_usage(prices_of(config.llm))


async def run_s3(
    config: RunConfig,
    out: str | Path,
    *,
    force: bool = False,
    show_progress: bool = True,
    backend: BackendMaker | None = None,
    budget: Budget | None = None,
    compute: Compute | None = None,
) -> S3Run:
    task = config.task
    learner = config.learner_name  # an instruction task has none: fail before any call
    validation = load_records(config.data.validation, task, split_name="validation")
    test = load_records(config.data.test, task, split_name="test") if config.data.test else None
    prompter = Prompter(task, config.llm, config.templates_dir)
    pool = toolbox.demo_pool(config.generation, task, validation, embed=None)
    run = RunDir(out)
    run.prepare(config, force=force)
    try:  # the run directory is this process's until the run ends, however it ends
        llm = make_llm(config.llm, run.cache_path, budget, backend=backend and backend(config.llm))
        assert isinstance(llm, CachedLLM)
        curator = None
        if config.curate is not None:
            from synthloop.curate import CurateContext, RoundCurator

            refs = {"validation": validation, "test": test or []}
            ctx = CurateContext(
                task, refs, llm, prompter, learner, config.seed, compute=compute or LOCAL
            )
            curator = RoundCurator(config.curate, ctx, run.path)
        prompter.count_tokens = token_counter(llm)
        start = time.perf_counter()
        try:
            with journaling(run.path / "journal"):
                result = await s3_loop(
                    llm,
                    prompter,
                    validation,
                    test,
                    config.s3,
                    learner=learner,
                    seed=config.seed,
                    sink=run,
                    show_progress=show_progress,
                    curate=curator,
                    neighbours=toolbox.neighbour_selector(config.generation, pool),
                    compute=compute,
                )
        finally:
            await llm.aclose()
        seconds = time.perf_counter() - start
        metrics: dict[str, Any] = {
            "task": task.name,
            "model": llm.model,
            "seed": config.seed,
            "dataset_size": len(result.dataset),
            "validation_size": len(validation),
            "test_size": len(test) if test else 0,
            "rounds": [r.as_dict() for r in result.rounds],
            "usage": _spent(llm, config),
            "seconds": round(seconds, 2),
        }
        run.save_final(result.dataset, metrics)
        return S3Run(
            result=result,
            usage=llm.usage,
            seconds=seconds,
            run_dir=run,
            validation=validation,
            test=test,
        )
    finally:
        run.release()


async def run_generate(
    config: RunConfig,
    method: str,
    n: int,
    out: str | Path,
    *,
    errors_path: str | Path | None = None,
    cache_path: str | Path | None = None,
    show_progress: bool = True,
    backend: BackendMaker | None = None,
    budget: Budget | None = None,
) -> tuple[Generation, Usage]:
    """Run one generator alone and write its records (JSONL, or Parquet by suffix).

    Answers are journaled in ``OUT.journal/`` as they arrive (see generate/journal.py), so
    a killed or budget-stopped run, started again, picks up where it stopped."""
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    task = config.task
    errors: list[Record] = []
    anchors: list[Anchor] = []
    validation = check_data(config)
    if task.kept_fields:  # pair/QA: hypotheses or questions for the validation set's inputs
        anchors = seed_anchors(task, validation, n, seed=config.seed)
    if method == "extrapolate":
        if errors_path is None:
            raise ConfigError("extrapolate needs --from FILE: real examples to imitate")
        errors = load_records(errors_path, task, split_name="errors")
    prompter = Prompter(task, config.llm, config.templates_dir)
    pool = None
    if method in toolbox.METHODS:
        pool = toolbox.demo_pool(config.generation, task, config.data.validation, embed=None)
    out = Path(out)
    # one writer per output: a second generate -o OUT would interleave OUT.journal
    with RunLock(out.with_suffix(".journal")):
        llm = make_llm(
            config.llm,
            cache_path or out.with_suffix(".cache.sqlite"),
            budget,
            backend=backend and backend(config.llm),
        )
        assert isinstance(llm, CachedLLM)
        prompter.count_tokens = token_counter(llm)
        try:
            with journaling(out.with_suffix(".journal")):
                gen = await _generate(
                    llm,
                    prompter,
                    method,
                    n,
                    errors,
                    config,
                    show_progress,
                    pool=pool,
                    out=out,
                    anchors=anchors,
                )
        finally:
            await llm.aclose()
        write_records(gen.records, out)
        write_json(
            {"method": method, **gen.summary(), "usage": _spent(llm, config)},
            out.with_suffix(".stats.json"),
        )
        return gen, llm.usage


async def _generate(
    llm: CachedLLM,
    prompter: Prompter,
    method: str,
    n: int,
    errors: list[Record],
    config: RunConfig,
    show_progress: bool,
    *,
    pool: Any,
    out: Path,
    anchors: list[Anchor],
) -> Generation:
    if method in toolbox.METHODS:
        return await toolbox.generate_configured(
            method,
            llm,
            prompter,
            config.generation,
            n,
            pool=pool,
            seed=config.seed,
            tree_file=out.with_suffix(".concept_tree.yaml"),
            anchors=anchors,
            show_progress=show_progress,
        )
    if method == "zerogen":
        return await zerogen(
            llm, prompter, n, seed=config.seed, anchors=anchors, show_progress=show_progress
        )
    if method == "s3-seed":
        rationales = await generate_rationales(
            llm,
            prompter,
            calls_per_label=config.s3.rationale_calls_per_label,
            per_call=config.s3.rationales_per_call,
            seed=config.seed,
            show_progress=show_progress,
        )
        return await s3_seed(
            llm,
            prompter,
            rationales,
            n,
            k=config.s3.rationales_per_example,
            seed=config.seed,
            anchors=anchors,
            show_progress=show_progress,
        )
    return await extrapolate(
        llm,
        prompter,
        errors[:n],
        per_error=config.s3.per_error,
        seed=config.seed,
        show_progress=show_progress,
    )


def check_data(config: RunConfig) -> list[Record]:
    """Read every data split the config names, so a missing, empty or broken file is an
    error before any call is paid for, whatever the command; returns the validation set."""
    validation = load_records(config.data.validation, config.task, split_name="validation")
    if config.data.test is not None:
        load_records(config.data.test, config.task, split_name="test")
    return validation


def estimate_run(
    config: RunConfig,
    *,
    method: str | None = None,
    n: int = 0,
    out: str | Path | None = None,
    errors_path: str | Path | None = None,
    cache_path: str | Path | None = None,
) -> Estimate:
    """The estimate printed before a run: ``synthloop s3`` when ``method`` is None, else
    ``synthloop generate``. Reads no more than the run would read first."""
    if method is None:
        validation = load_records(config.data.validation, config.task, split_name="validation")
        cache = RunDir(out).cache_path if out is not None else None
        return estimate_s3(config, validation, cache_path=cache)
    errors: list[Record] = []
    if method == "extrapolate" and errors_path is not None:
        errors = load_records(errors_path, config.task, split_name="errors")
    anchors: list[Anchor] = []
    validation = check_data(config)
    if config.task.kept_fields and method != "extrapolate":
        anchors = seed_anchors(config.task, validation, n, seed=config.seed)
    if cache_path is None and out is not None:
        cache_path = Path(out).with_suffix(".cache.sqlite")
    return estimate_generate(
        config,
        method,
        n,
        errors=errors,
        anchors=anchors,
        cache_path=Path(cache_path) if cache_path else None,
        tree_file=Path(out).with_suffix(".concept_tree.yaml") if out is not None else None,
    )
