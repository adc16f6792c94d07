"""``synthloop report``: one self-contained HTML page per run directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

from synthloop.core.io import load_dataset_file, load_records, write_json, write_text_atomic
from synthloop.evaluate.evaluation import evaluate_dataset
from synthloop.report.gather import load_run
from synthloop.report.html import render
from synthloop.run.config import load_config

REPORT_FILE = "report.html"


def build_report(
    path: str | Path,
    out: str | Path | None = None,
    *,
    sample: int = 200,
    seed: int = 0,
    evaluate_missing: bool = True,
    show_progress: bool = False,
) -> Path:
    """Write RUN_DIR/report.html (or ``out``); ``path`` may also be a curation in the run
    (RUN_DIR/curated), whose dataset is then reported. When it has no evaluation.json yet and
    ``evaluate_missing`` is set, the metrics are computed first (without the LLM judge) and
    saved beside it."""
    run = load_run(Path(path))
    cfg = load_config(run.run_dir / "config.yaml")
    missing = (
        f"No evaluation of this curated set: run `synthloop report {run.path}` without "
        "--no-evaluate to compute one."
        if run.is_curated
        else "No evaluation in this run directory: run "
        f"`synthloop evaluate {run.path}` (add --judge 40 for the LLM judge)."
    )
    if run.evaluation is None and evaluate_missing:
        synthetic = load_dataset_file(run.path / "dataset.jsonl", cfg.task)
        real = load_records(cfg.data.validation, cfg.task, split_name="validation")
        test = load_records(cfg.data.test, cfg.task, split_name="test") if cfg.data.test else None
        run.evaluation = asyncio.run(
            evaluate_dataset(
                synthetic,
                real,
                cfg.task,
                test=test,
                learners=[cfg.learner_name],
                seed=seed,
                show_progress=show_progress,
            )
        )
        write_json(run.evaluation, run.path / "evaluation.json")
    html = render(
        run,
        cfg.task,
        learner=cfg.learner_name,
        sample=sample,
        seed=seed,
        missing_evaluation=missing,
    )
    target = Path(out) if out is not None else run.path / REPORT_FILE
    return write_text_atomic(html, target)


__all__ = ["REPORT_FILE", "build_report"]
