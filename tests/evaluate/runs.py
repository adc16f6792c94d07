"""A real S3 run directory made with the scripted FakeLLM (no model), for evaluate/report."""

from __future__ import annotations

import asyncio
from pathlib import Path

from synthloop.core.io import load_records
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.run.config import load_config
from synthloop.run.rundir import RunDir
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from tests.conftest import TASK_YAML, FakeLLM, labelled_rows, write_rows


def make_fake_run(run_config: Path, out: Path, llm: LLM | None = None) -> Path:
    cfg = load_config(run_config)
    validation = load_records(cfg.data.validation, cfg.task, split_name="validation")
    assert cfg.data.test is not None
    test = load_records(cfg.data.test, cfg.task, split_name="test")
    run = RunDir(out)
    run.prepare(cfg)
    result = asyncio.run(
        s3_loop(
            llm or FakeLLM(),
            ExampleStrategy(
                Prompter(cfg.task, cfg.llm, cfg.templates_dir), validation, test, cfg.s3
            ),
            cfg.s3.rounds,
            sink=run,
            show_progress=False,
        )
    )
    run.save_final(
        result.dataset,
        {"task": cfg.task.name, "model": "fake-1", "rounds": [r.as_dict() for r in result.rounds]},
    )
    run.release()  # prepare() held the directory for this process
    return out


def fake_run_dir(base: Path) -> Path:
    """Real data files, a task, a run config and an S3 run made by the FakeLLM, in ``base``."""
    write_rows(base / "validation.jsonl", labelled_rows(20))
    write_rows(base / "test.jsonl", labelled_rows(30))
    (base / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    config = base / "run.yaml"
    config.write_text(
        "task: task.yaml\n"
        "data:\n  validation: {path: validation.jsonl}\n  test: {path: test.jsonl}\n"
        "s3: {seed_size: 12, rationale_calls_per_label: 1, rounds: 2, max_errors_per_round: 5}\n",
        encoding="utf-8",
    )
    return make_fake_run(config, base / "run")
