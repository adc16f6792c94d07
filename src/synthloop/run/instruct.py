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
With ``real:``, :func:`synthloop.run.s3.run_s3` runs S3 on it
(:mod:`synthloop.s3.instruction`) and the stats file also has, per round, the small
model's ROUGE-L and the pool's coverage on the real validation and test instructions.
``source: self-instruct`` takes Self-Instruct's 175 human-written seed tasks
(:mod:`synthloop.tasktypes.instruction.data`): ``seeds`` of them seed generation when the
config lists none, ``validation_size`` give S3's errors, the rest test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthloop.core.errors import DataError
from synthloop.core.io import DataSpec, read_rows, write_json, write_jsonl
from synthloop.core.records import Record
from synthloop.core.seeds import RunSeed
from synthloop.core.tasks import Task, load_task
from synthloop.core.yamlio import read_yaml_mapping, validate_model
from synthloop.generate.self_instruct import (
    InstructionExample,
    SelfInstructConfig,
    instruction_stats,
)
from synthloop.llm import LLMConfig
from synthloop.run.config import _resolve
from synthloop.s3.config import EXAMPLE_FIELDS, S3Config, check_s3_fields


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
    s3: S3Config = S3Config(rounds=0)
    seed: RunSeed = 0
    templates_dir: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _instruction_s3(cls, data: Any) -> Any:
        """An ``s3:`` mapping here takes instruction data's settings, and no rounds unless
        it names them."""
        if isinstance(data, dict) and isinstance(data.get("s3"), dict):
            check_s3_fields(data["s3"], EXAMPLE_FIELDS, "synthloop self-instruct")
            data = {**data, "s3": {"rounds": 0, **data["s3"]}}
        return data

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


def instruction_summary(
    records: list[Record], seeds: list[InstructionExample], cfg: InstructConfig
) -> dict[str, Any]:
    """What the stats file says of instruction data without a model (size, novelty,
    diversity) and the novelty threshold it was made with."""
    return {
        **instruction_stats(records, seeds, cfg.task),
        "rouge_threshold": cfg.self_instruct.rouge_threshold,
    }


def write_instructions(
    records: list[Record], stats: dict[str, Any], task: Task, out: str | Path
) -> None:
    """Alpaca-style JSONL (``instruction``, ``input``, ``output``) and ``OUT.stats.json``."""
    out = Path(out)
    write_jsonl((alpaca_row(r, task) for r in records), out)
    write_json(stats, out.with_suffix(".stats.json"))
