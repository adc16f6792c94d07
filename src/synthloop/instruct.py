"""Self-Instruct runs from a YAML file: the task, the seed examples, the LLM, the settings.

Example ``instruct.yaml`` (paths relative to this file)::

    task: {name: helper, type: instruction, domain: everyday writing and reasoning tasks,
           example_noun: task instruction}
    seeds: seeds.jsonl          # instruction, input (optional), output; or an inline list
    llm: {backend: embedded}
    self_instruct: {n: 50, rouge_threshold: 0.7}
    seed: 0

Output is Alpaca-style JSONL (``instruction``, ``input``, ``output``) with provenance.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthloop.config import _resolve
from synthloop.errors import DataError
from synthloop.generate.self_instruct import (
    InstructionExample,
    SelfInstructConfig,
    SelfInstructResult,
    instruction_stats,
    self_instruct,
)
from synthloop.io import DataSpec, read_rows, write_json, write_jsonl
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.prompts import Prompter, token_counter
from synthloop.records import Record
from synthloop.tasks import Task, load_task
from synthloop.yamlio import read_yaml_mapping, validate_model


class InstructConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Task
    seeds: list[InstructionExample] = Field(min_length=2)
    llm: LLMConfig = LLMConfig()
    self_instruct: SelfInstructConfig = SelfInstructConfig()
    seed: int = 0
    templates_dir: str | None = None


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
    return validate_model(InstructConfig, data, str(path))


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
) -> tuple[SelfInstructResult, dict[str, Any]]:
    out = Path(out)
    prompter = Prompter(cfg.task, cfg.llm, cfg.templates_dir)
    llm = make_llm(cfg.llm, out.with_suffix(".cache.sqlite"))
    assert isinstance(llm, CachedLLM)
    prompter.count_tokens = token_counter(llm)
    start = time.perf_counter()
    try:
        result = await self_instruct(
            llm, prompter, cfg.seeds, cfg.self_instruct, seed=cfg.seed, show_progress=show_progress
        )
    finally:
        await llm.aclose()
    stats = {
        **result.summary(),
        **instruction_stats(result.records, cfg.seeds, cfg.task),
        "rouge_threshold": cfg.self_instruct.rouge_threshold,
        "usage": llm.usage.as_dict(),
        "seconds": round(time.perf_counter() - start, 2),
    }
    write_jsonl((alpaca_row(r, cfg.task) for r in result.records), out)
    write_json(stats, out.with_suffix(".stats.json"))
    return result, stats
