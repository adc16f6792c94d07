"""``synthloop report RUN_DIR``: the run as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import check_suffix, guard_outputs, holding, out_console, show_third_party
from synthloop.cli.options import QuietOpt, VerboseOpt


def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `synthloop s3`.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file [default: RUN_DIR/report.html].")
    ] = None,
    sample: Annotated[int, typer.Option(min=1, help="Records in the browsable sample.")] = 200,
    evaluate: Annotated[
        bool,
        typer.Option(help="Compute missing metrics (no LLM judge) when evaluation.json is absent."),
    ] = True,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Seed for the samples.")] = 0,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write one self-contained HTML report of a run: config, S3 accuracy per round,
    diversity and faithfulness beside real data, confusion matrices, lengths and labels,
    drops by reason, and a browsable sample of records with their provenance.

    RUN_DIR reports the run's own dataset; RUN_DIR/curated (what `synthloop curate RUN_DIR`
    writes) reports the curated set, into RUN_DIR/curated/report.html."""
    show_third_party(verbose)
    from synthloop.core.errors import ConfigError, warn
    from synthloop.core.io import files_under
    from synthloop.report import REPORT_FILE, build_report
    from synthloop.report.gather import run_of
    from synthloop.run.config import load_config
    from synthloop.run.rundir import RunDir

    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir} is not a run directory")
    root = run_of(run_dir)
    config = root / "config.yaml"
    if not config.is_file():
        raise ConfigError(
            f"{run_dir} has no config.yaml", hint="point at a directory written by `synthloop s3`"
        )
    curated = RunDir(root).curated_path
    if root == run_dir and (curated / "dataset.jsonl").is_file():
        # as evaluate: the run's own dataset, as pointed at; the curated set is one away
        # (under -q too, as every warning: -q holds back bars, not what the figures are of)
        warn(
            f"reporting {root / 'dataset.jsonl'}, the run's dataset before curation; for the "
            f"curated set: synthloop report {curated}"
        )
    # everything in the run directory is read (bar an earlier report), and the run's data
    reads = [f for f in files_under(root) if f.name != REPORT_FILE]
    evaluation = run_dir / "evaluation.json"
    guard_outputs(
        "report",
        writes=[
            out or run_dir / REPORT_FILE,
            None if evaluation.exists() or not evaluate else evaluation,
        ],
        reads=[*reads, *load_config(config).input_files()],
    )
    check_suffix("report", out, (".html", ".htm"))
    with holding(root):
        path = build_report(
            run_dir,
            out,
            sample=sample,
            seed=seed,
            evaluate_missing=evaluate,
            show_progress=not quiet,
        )
    size = path.stat().st_size
    out_console.print(f"report: {path} ({size / 1024:.0f} KiB)")
