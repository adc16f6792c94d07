"""Live progress for LLM work: calls done, cache hits, tokens and ETA, on one bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from synthloop.core.progress import console
from synthloop.llm import Response
from synthloop.llm.batch import OnDone


@contextmanager
def llm_progress(description: str, total: int, *, enabled: bool = True) -> Iterator[OnDone]:
    """Yield an ``on_done`` callback for :func:`complete_many` that advances a bar."""
    if not enabled or total == 0:
        yield lambda _resp: None
        return
    state = {"tokens": 0, "cached": 0}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("calls · {task.fields[cached]} cached · {task.fields[tokens]:,} tokens"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task_id = progress.add_task(description, total=total, tokens=0, cached=0)

        def on_done(resp: Response) -> None:
            state["tokens"] += resp.total_tokens
            state["cached"] += int(resp.cached)
            progress.update(task_id, advance=1, tokens=state["tokens"], cached=state["cached"])

        yield on_done
