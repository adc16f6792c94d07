"""Self-Instruct runs from a YAML file: the task, the seed examples, the LLM, the settings.

Example ``instruct.yaml`` (paths relative to this file)::

    task: {name: helper, type: instruction, domain: everyday writing and reasoning tasks,
           example_noun: task instruction}
    seeds: seeds.jsonl          # instruction, input (optional), output; or an inline list
    llm: {backend: embedded}
    self_instruct: {n: 50, rouge_threshold: 0.7}
    seed: 0
    # optional: real human instructions to evaluate on and to find S3's errors in
    real: {source: self-instruct, seeds: 8, validation_size: 67}   # or {validation: F, test: F}
    s3: {rounds: 2, errors_per_round: 20}

Output is Alpaca-style JSONL (``instruction``, ``input``, ``output``) with provenance.
With ``real:``, the stats file also has, per round, the small model's ROUGE-L and the
pool's coverage on the real validation and test instructions (see
:mod:`synthloop.s3.instruction`). ``source: self-instruct`` takes Self-Instruct's 175
human-written seed tasks (:mod:`synthloop.tasktypes.instruction.data`): ``seeds`` of them seed
generation when the config lists none, ``validation_size`` give S3's errors, the rest test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthloop.core.errors import ConfigError, DataError
from synthloop.core.io import DataSpec, read_rows, write_json, write_jsonl
from synthloop.core.records import Record
from synthloop.core.tasks import Task, load_task
from synthloop.core.yamlio import read_yaml_mapping, validate_model
from synthloop.generate.self_instruct import (
    InstructionExample,
    SelfInstructConfig,
    SelfInstructResult,
    instruction_stats,
    self_instruct,
)
from synthloop.llm import CachedLLM, LLMConfig, make_llm, prices_of
from synthloop.prompts import Prompter, token_counter
from synthloop.run.config import _resolve
from synthloop.s3.instruction import InstructS3Config, InstructS3Result, instruct_s3


class RealInstructions(BaseModel):
    """Real human-written instructions: Self-Instruct's seed tasks, or files of
    ``instruction``, ``input`` (optional), ``output`` rows."""

    model_config = ConfigDict(extra="forbid")
    source: Literal["self-instruct"] | None = None
    validation: str | None = None
    test: str | None = None
    seeds: int = Field(default=8, ge=2, description="self-instruct: tasks that seed generation")
    validation_size: int = Field(default=67, gt=0, description="self-instruct: S3's error pool")
    split_seed: int = 0

    @model_validator(mode="after")
    def _one_source(self) -> RealInstructions:
        if (self.source is None) == (self.validation is None):
            raise ValueError("give either source: self-instruct or a validation file")
        return self


class InstructConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Task
    seeds: list[InstructionExample] = Field(default_factory=list)
    llm: LLMConfig = LLMConfig()
    self_instruct: SelfInstructConfig = SelfInstructConfig()
    real: RealInstructions | None = None
    s3: InstructS3Config = InstructS3Config()
    seed: int = 0
    templates_dir: str | None = None

    @model_validator(mode="after")
    def _seeded(self) -> InstructConfig:
        from_real = self.real is not None and self.real.source is not None
        if len(self.seeds) < 2 and not from_real:
            raise ValueError("list at least two seeds (or take them from real: source)")
        if self.s3.rounds and self.real is None:
            raise ValueError("s3 rounds need real: instructions to find errors in")
        return self


def load_seed_file(path: str | Path) -> list[dict[str, Any]]:
    rows = list(read_rows(DataSpec(path=str(path))))
    if not rows:
        raise DataError(f"{path}: no seed examples")
    for i, row in enumerate(rows, 1):
        if "instruction" not in row or "output" not in row:
            raise DataError(f"{path}: row {i} needs 'instruction' and 'output' columns")
    return [{k: str(row.get(k) or "") for k in ("instruction", "input", "output")} for row in rows]


def load_instruct_config(path: str | Path) -> InstructConfig:
    path = Path(path)
    data = read_yaml_mapping(path, "self-instruct config")
    base = path.parent
    if isinstance(data.get("task"), str):
        data["task"] = load_task(_resolve(base, data["task"]))
    if isinstance(data.get("seeds"), str):
        data["seeds"] = load_seed_file(_resolve(base, data["seeds"]))
    if isinstance(data.get("templates_dir"), str):
        data["templates_dir"] = _resolve(base, data["templates_dir"])
    real = data.get("real")
    if isinstance(real, dict):
        data["real"] = {
            k: _resolve(base, v) if k in ("validation", "test") and isinstance(v, str) else v
            for k, v in real.items()
        }
    return validate_model(InstructConfig, data, str(path))


def rows_to_records(rows: list[dict[str, Any]], task: Task, prefix: str) -> list[Record]:
    first, second = task.inputs
    return [
        Record(
            id=f"{prefix}-{i:05d}",
            inputs={first: row["instruction"], second: row.get("input", "")},
            label=row["output"],
        )
        for i, row in enumerate(rows)
    ]


@dataclass
class RealSplits:
    seeds: list[InstructionExample]
    validation: list[Record]
    test: list[Record]
    source: str


def real_splits(cfg: InstructConfig) -> RealSplits | None:
    """The real data a config names, split; None without ``real:``."""
    real = cfg.real
    if real is None:
        return None
    if real.source == "self-instruct":
        from synthloop.tasktypes.instruction.data import (
            SOURCE,
            load_seed_tasks,
            seed_tasks_file,
            split_seed_tasks,
        )

        records = load_seed_tasks(seed_tasks_file(), cfg.task)
        seeds, val, test = split_seed_tasks(
            records, seeds=real.seeds, validation=real.validation_size, seed=real.split_seed
        )
        first, second = cfg.task.inputs
        examples = cfg.seeds or [
            InstructionExample(instruction=r.inputs[first], input=r.inputs[second], output=r.label)
            for r in seeds
        ]
        return RealSplits(examples, val, test, SOURCE)
    assert real.validation is not None
    val = rows_to_records(load_seed_file(real.validation), cfg.task, "validation")
    test = rows_to_records(load_seed_file(real.test), cfg.task, "test") if real.test else []
    return RealSplits(list(cfg.seeds), val, test, real.validation)


def alpaca_row(record: Record, task: Task) -> dict[str, Any]:
    row = record.to_row()
    row.pop("label")
    return {
        "instruction": record.inputs[task.inputs[0]],
        "input": record.inputs[task.inputs[1]],
        "output": record.label,
        **{k: v for k, v in row.items() if k not in task.inputs},
    }


async def run_self_instruct(
    cfg: InstructConfig, out: str | Path, *, show_progress: bool = True
) -> tuple[SelfInstructResult | InstructS3Result, dict[str, Any]]:
    """Self-Instruct alone, or, with ``real:``, S3 for instructions (``s3.rounds`` rounds
    of error extrapolation, evaluated on the real data every round)."""
    out = Path(out)
    splits = real_splits(cfg)  # fetched and checked before any LLM call
    seeds = splits.seeds if splits is not None else list(cfg.seeds)
    if len(seeds) < 2:
        raise ConfigError("self-instruct needs at least two seed examples")
    prompter = Prompter(cfg.task, cfg.llm, cfg.templates_dir)
    llm = make_llm(cfg.llm, out.with_suffix(".cache.sqlite"))
    assert isinstance(llm, CachedLLM)
    prompter.count_tokens = token_counter(llm)
    start = time.perf_counter()
    result: SelfInstructResult | InstructS3Result
    try:
        if splits is None:
            result = await self_instruct(
                llm, prompter, seeds, cfg.self_instruct, seed=cfg.seed, show_progress=show_progress
            )
            records = result.records
        else:
            result = await instruct_s3(
                llm,
                prompter,
                seeds,
                cfg.self_instruct,
                cfg.s3,
                splits.validation,
                splits.test,
                seed=cfg.seed,
                show_progress=show_progress,
            )
            records = result.dataset
    finally:
        await llm.aclose()
    stats: dict[str, Any] = {
        **(result.summary() if isinstance(result, SelfInstructResult) else {"calls": result.calls}),
        **instruction_stats(records, seeds, cfg.task),
        "rouge_threshold": cfg.self_instruct.rouge_threshold,
    }
    if splits is not None and isinstance(result, InstructS3Result):
        stats["real"] = {
            "source": splits.source,
            "seeds": len(seeds),
            "validation": len(splits.validation),
            "test": len(splits.test),
        }
        stats["rounds"] = [r.as_dict() for r in result.rounds]
    stats["usage"] = llm.run_usage(prices_of(cfg.llm))
    stats["seconds"] = round(time.perf_counter() - start, 2)
    write_jsonl((alpaca_row(r, cfg.task) for r in records), out)
    write_json(stats, out.with_suffix(".stats.json"))
    return result, stats
