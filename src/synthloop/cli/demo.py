"""``synthloop demo``: S3 end to end on the bundled DEMO task."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import out_console
from synthloop.cli.options import QuietOpt
from synthloop.cli.s3 import s3


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    quiet: QuietOpt = False,
) -> None:
    """Run S3 end to end on the bundled DEMO task (restaurant-review sentiment, a small
    labelled set written by the synthloop authors) with the embedded LLM."""
    from synthloop.demo import write_demo

    config_path = write_demo(out / "demo-data")
    out_console.print(f"demo task and DEMO labelled set written to {config_path.parent}")
    s3(config=config_path, out=out, quiet=quiet)
