"""``synthloop review``: the review queue in a local web page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import curated_folder, holding, out_console


def review(
    target: Annotated[
        Path,
        typer.Argument(
            help="A run directory, a folder `synthloop curate` wrote, or the dataset file "
            "it curated (FILE.curated/ is reviewed)."
        ),
    ],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 [0: any free port].")
    ] = 0,
) -> None:
    """Review the queued records in a local web page: keep, relabel or drop each.

    The page is served on 127.0.0.1 only, behind a random token in its URL. Decisions are
    saved the moment they are made (review.sqlite) and survive a restart; run
    `synthloop curate` again to apply them to the curated dataset.
    """
    from synthloop.core.errors import ConfigError
    from synthloop.curate.review import QUEUE_FILE
    from synthloop.curate.webapp import load_queue, serve

    given = target
    if target.is_file():  # the dataset file curate was given: its queue is in FILE.curated
        target = curated_folder(
            target, hint="review the folder its curation was written to (curate's --out)"
        )
    folder = target / "curated" if (target / "curated" / QUEUE_FILE).is_file() else target
    round_dir = re.fullmatch(r"round_(\d+)", folder.resolve().parent.name)
    if folder.name == "curation" and round_dir:
        # the loop reads a person's decisions from RUN_DIR/curated/ only: made here, they
        # would be saved and never applied
        run = folder.parent.parent
        raise ConfigError(
            f"{folder} is the loop's record of round {round_dir[1]}'s curation, not a queue "
            "whose decisions are applied",
            hint=f"run `synthloop curate {run}`, then `synthloop review {run}`: the decisions "
            "apply to its curated set and to the rounds of a later run",
        )
    if not (folder / QUEUE_FILE).is_file():
        raise ConfigError(
            f"no review queue in {target}", hint=f"run `synthloop curate {given}` first"
        )
    queue, _ = load_queue(folder)
    if not queue:  # a page with nothing on it, served until Ctrl-C, tells the user nothing
        hint = "it kept none, or flagged none and --review-queue was 0; see summary.json"
        if _labels(folder) == []:  # QA, instructions: no model opinion to rank them by
            hint = (
                "a task without class labels gets no model opinion, so only records a step "
                'flagged are queued: curate with a step in flag mode, e.g. --steps "length('
                'mode=flag),placeholder(mode=flag)"'
            )
        raise ConfigError(
            f"the review queue in {folder} is empty: curation queued no record", hint=hint
        )
    with holding(folder):  # its decisions are written there; curate writes the queue there
        serve(folder, port=port, announce=out_console.print)


def _labels(folder: Path) -> list[str] | None:
    """The task's class labels as curate recorded them in summary.json; None if unknown."""
    import json

    try:
        labels = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["labels"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return labels if isinstance(labels, list) else None
