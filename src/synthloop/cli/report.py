"""``synthloop report RUN_DIR``: the run as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import out_console
from synthloop.cli.options import QuietOpt


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
    seed: Annotated[int, typer.Option(help="Seed for the samples.")] = 0,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML report of a run: config, S3 accuracy per round,
    diversity and faithfulness beside real data, confusion matrices, lengths and labels,
    drops by reason, and a browsable sample of records with their provenance."""
    from synthloop.report import build_report

    path = build_report(
        run_dir, out, sample=sample, seed=seed, evaluate_missing=evaluate, show_progress=not quiet
    )
    size = path.stat().st_size
    out_console.print(f"report: {path} ({size / 1024:.0f} KiB)")
