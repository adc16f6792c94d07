"""``synthloop demo``: S3 end to end on the bundled DEMO task."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import holding, out_console, show_third_party
from synthloop.cli.options import QuietOpt, VerboseOpt
from synthloop.cli.s3 import s3


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Run S3 end to end on the bundled DEMO task (restaurant-review sentiment, a small
    labelled set written by the synthloop authors) with the embedded LLM."""
    show_third_party(verbose)
    from synthloop.core.outputs import check_writable
    from synthloop.demo import write_demo

    check_writable(out / "demo-data" / "run.yaml")  # --out a file: one line, not "File exists"
    with holding(out):  # a demo running there is not rewritten under its feet
        config_path = write_demo(out / "demo-data")
    if not quiet:
        out_console.print(f"demo task and DEMO labelled set written to {config_path.parent}")
    s3(config=config_path, out=out, quiet=quiet, verbose=verbose)
