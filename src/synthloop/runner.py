"""Whole jobs as the CLI runs them: check every input first, then spend LLM calls."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthloop.config import RunConfig
from synthloop.errors import ConfigError
from synthloop.generate import (
    Generation,
    extrapolate,
    generate_rationales,
    s3_seed,
    seed_anchors,
    zerogen,
)
from synthloop.generate import from_config as toolbox
from synthloop.io import load_records, write_json, write_records
from synthloop.llm import CachedLLM, Usage, make_llm
from synthloop.loop import S3Result, s3_loop
from synthloop.prompts import Prompter, token_counter
from synthloop.records import Record
from synthloop.rundir import RunDir

METHODS = ("zerogen", "s3-seed", "extrapolate", *toolbox.METHODS)


@dataclass
class S3Run:
    result: S3Result
    usage: Usage
    seconds: float
    run_dir: RunDir
    validation: list[Record]
    test: list[Record] | None


async def run_s3(
    config: RunConfig, out: str | Path, *, force: bool = False, show_progress: bool = True
) -> S3Run:
    task = config.task
    learner = config.learner_name  # an instruction task has none: fail before any call
    validation = load_records(config.data.validation, task, split_name="validation")
    test = load_records(config.data.test, task, split_name="test") if config.data.test else None
    prompter = Prompter(task, config.llm, config.templates_dir)
    pool = toolbox.demo_pool(config.generation, task, validation, embed=None)
    run = RunDir(out)
    run.prepare(config, force=force)
    llm = make_llm(config.llm, run.cache_path)
    assert isinstance(llm, CachedLLM)
    prompter.count_tokens = token_counter(llm)
    start = time.perf_counter()
    try:
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
            neighbours=toolbox.neighbour_selector(config.generation, pool),
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
        "usage": llm.usage.as_dict(),
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


async def run_generate(
    config: RunConfig,
    method: str,
    n: int,
    out: str | Path,
    *,
    errors_path: str | Path | None = None,
    cache_path: str | Path | None = None,
    show_progress: bool = True,
) -> tuple[Generation, Usage]:
    """Run one generator alone and write its records (JSONL, or Parquet by suffix)."""
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    task = config.task
    errors: list[Record] = []
    anchors = []
    if task.kept_fields:  # pair/QA: hypotheses or questions for the validation set's inputs
        validation = load_records(config.data.validation, task, split_name="validation")
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
    llm = make_llm(config.llm, cache_path or out.with_suffix(".cache.sqlite"))
    assert isinstance(llm, CachedLLM)
    prompter.count_tokens = token_counter(llm)
    try:
        if method in toolbox.METHODS:
            gen = await toolbox.generate_configured(
                method,
                llm,
                prompter,
                config.generation,
                n,
                pool=pool,
                seed=config.seed,
                tree_file=out.with_suffix(".concept_tree.yaml"),
                show_progress=show_progress,
            )
        elif method == "zerogen":
            gen = await zerogen(
                llm, prompter, n, seed=config.seed, anchors=anchors, show_progress=show_progress
            )
        elif method == "s3-seed":
            rationales = await generate_rationales(
                llm,
                prompter,
                calls_per_label=config.s3.rationale_calls_per_label,
                per_call=config.s3.rationales_per_call,
                seed=config.seed,
                show_progress=show_progress,
            )
            gen = await s3_seed(
                llm,
                prompter,
                rationales,
                n,
                k=config.s3.rationales_per_example,
                seed=config.seed,
                anchors=anchors,
                show_progress=show_progress,
            )
        else:
            gen = await extrapolate(
                llm,
                prompter,
                errors[:n],
                per_error=config.s3.per_error,
                seed=config.seed,
                show_progress=show_progress,
            )
    finally:
        await llm.aclose()
    write_records(gen.records, out)
    write_json(
        {"method": method, **gen.summary(), "usage": llm.usage.as_dict()},
        out.with_suffix(".stats.json"),
    )
    return gen, llm.usage
