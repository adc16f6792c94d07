"""``synthloop generate`` (and ``synthloop self-instruct`` without real data): one registered
generator alone, its inputs read from the config and checked first, its records written."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from synthloop.core.errors import ConfigError
from synthloop.core.io import load_records, write_json, write_records
from synthloop.core.records import Record
from synthloop.core.runlock import RunLock
from synthloop.generate.anchors import Anchor, seed_anchors
from synthloop.generate.common import Generation, run_plan
from synthloop.generate.registry import GeneratorInputs, demo_pool, generator
from synthloop.generate.self_instruct import nothing_kept
from synthloop.llm import Budget, CachedLLM, Usage, make_llm
from synthloop.llm.journal import journaling
from synthloop.prompts import Prompter, token_counter
from synthloop.run.config import RunConfig
from synthloop.run.instruct import InstructConfig, instruction_summary, write_instructions
from synthloop.run.s3 import BackendMaker, spent


def generator_inputs(
    config: RunConfig | InstructConfig,
    method: str,
    n: int,
    out: str | Path,
    *,
    errors_path: str | Path | None = None,
    errors_label_map: dict[str, str] | None = None,
    errors_columns: dict[str, str] | None = None,
    save_tree: bool = True,
) -> GeneratorInputs:
    """What generator ``method`` draws on, read from ``config`` and checked: the real
    premises or passages a pair/QA task keeps, the examples to imitate (``errors_path``,
    its columns and raw labels mapped by ``errors_columns`` and ``errors_label_map`` too:
    ``--columns``, ``--label-map``), the
    demonstration pool. A run and its estimate build the same."""
    spec = generator(method)
    if n < 1 and not spec.needs_errors:  # as `generate -n` refuses it; else an empty file
        raise ConfigError(f"{method} needs n of at least 1 (LLM calls), not {n}")
    task = config.task
    prompter = Prompter(task, config.llm, config.templates_dir)
    if isinstance(config, InstructConfig):
        if spec.run_config:
            raise ConfigError(f"{method} takes a run config, not a Self-Instruct config")
        if len(config.seeds) < 2:
            raise ConfigError("self-instruct needs at least two seed examples")
        return GeneratorInputs(
            prompter=prompter,
            n=n,
            seed=config.seed,
            seeds=config.seeds,
            self_instruct=config.self_instruct,
        )
    if not spec.run_config:
        raise ConfigError(f"{method} runs from `synthloop self-instruct`, not from a run config")
    anchors: Sequence[Anchor] = []
    validation = check_data(config)
    if task.kept_fields:  # pair/QA: hypotheses or questions for the validation set's inputs
        anchors = seed_anchors(task, validation, n, seed=config.seed)
    errors: list[Record] = []
    if spec.needs_errors:
        if errors_path is None:
            raise ConfigError(
                f"{method} needs --from FILE (errors_path= from Python): real examples to imitate"
            )
        errors = config.data.read_named(
            errors_path, task, "errors", label_map=errors_label_map, columns=errors_columns
        )
    elif errors_path is not None:  # a user who gives examples expects them to be used
        raise ConfigError(
            f"{method} takes no --from FILE (only extrapolate imitates given examples)"
        )
    pool = (
        demo_pool(config.generation, task, config.data.validation, embed=None)
        if spec.toolbox
        else None
    )
    s3 = config.s3
    return GeneratorInputs(
        prompter=prompter,
        n=n,
        seed=config.seed,
        generation=config.generation,
        anchors=anchors,
        errors=errors,
        pool=pool,
        tree_file=Path(out).with_suffix(".concept_tree.yaml"),
        save_tree=save_tree,
        rationale_calls_per_label=s3.rationale_calls_per_label,
        rationales_per_call=s3.rationales_per_call,
        rationales_per_example=s3.rationales_per_example,
        per_error=s3.per_error,
    )


def check_data(config: RunConfig) -> list[Record]:
    """Read every data split the config names, so a missing, empty or broken file is an
    error before any call is paid for, whether or not the generator uses it (a config
    naming a broken file is a broken config); returns the validation set."""
    validation = load_records(config.data.validation, config.task, split_name="validation")
    if config.data.test is not None:
        load_records(config.data.test, config.task, split_name="test")
    return validation


async def run_generate(
    config: RunConfig | InstructConfig,
    method: str,
    n: int,
    out: str | Path,
    *,
    errors_path: str | Path | None = None,
    errors_label_map: dict[str, str] | None = None,
    errors_columns: dict[str, str] | None = None,
    cache_path: str | Path | None = None,
    show_progress: bool = True,
    backend: BackendMaker | None = None,
    budget: Budget | None = None,
) -> tuple[Generation, Usage]:
    """Run one generator alone and write its records (JSONL, or Parquet by suffix; a
    Self-Instruct config: Alpaca-style JSONL and its stats).

    Answers are journaled in ``OUT.journal/`` as they arrive (see llm/journal.py), so
    a killed or budget-stopped run, started again, picks up where it stopped."""
    inputs = generator_inputs(
        config,
        method,
        n,
        out,
        errors_path=errors_path,
        errors_label_map=errors_label_map,
        errors_columns=errors_columns,
    )
    out = Path(out)
    # one writer per output: a second generate -o OUT would interleave OUT.journal
    with RunLock(out.with_suffix(".journal")):
        llm = make_llm(
            config.llm,
            cache_path or out.with_suffix(".cache.sqlite"),
            budget,
            backend=backend(config.llm) if backend else None,
        )
        assert isinstance(llm, CachedLLM)
        inputs.prompter.count_tokens = token_counter(llm)
        start = time.perf_counter()
        try:
            with journaling(out.with_suffix(".journal")):
                plan = generator(method).plan(inputs)
                gen = await run_plan(llm, inputs.task, plan, show_progress=show_progress)
        finally:
            await llm.aclose()
        if isinstance(config, InstructConfig):
            stats = {
                **gen.summary(),
                **instruction_summary(gen.records, list(inputs.seeds), config),
                "usage": spent(llm, config.llm),
                "seconds": round(time.perf_counter() - start, 2),
            }
            if not gen.records:
                # an empty file would replace an earlier run's instructions, and new stats
                # would describe a file that is not there: an earlier output is left whole
                stats_path = out.with_suffix(".stats.json")
                if out.exists():
                    raise nothing_kept(gen, f"{out} and its stats, from an earlier run, are kept")
                write_json(stats, stats_path)
                raise nothing_kept(gen, f"the counts are in {stats_path}")
            write_instructions(gen.records, stats, config.task, out)
        else:
            stats_path = out.with_suffix(".stats.json")
            stats = {"method": method, **gen.summary(), "usage": spent(llm, config.llm)}
            if not gen.records:  # as for self-instruct: an earlier output is left whole
                what: dict[str, str] = {"command": f"generate --method {method}", "noun": "records"}
                if out.exists():
                    raise nothing_kept(
                        gen, f"{out} and its stats, from an earlier run, are kept", **what
                    )
                write_json(stats, stats_path)
                raise nothing_kept(gen, f"the counts are in {stats_path}", **what)
            write_records(gen.records, out)
            write_json(stats, stats_path)
        return gen, llm.usage
