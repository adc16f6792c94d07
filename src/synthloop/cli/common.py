"""What several commands print or build the same way."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from synthloop.llm import Budget

#: results go to stdout (progress and the estimate line before a run go to stderr)
out_console = Console()


def announce(est: Any, only: bool, quiet: bool) -> bool:
    """Show the estimate (stdout with --estimate, else stderr); True: stop here."""
    if only:
        out_console.print(est.line())
    elif not quiet:
        print(est.line(), file=sys.stderr)
    return only


def budget_of(max_calls: int | None, max_tokens: int | None, max_cost: float | None) -> Budget:
    from synthloop.llm import Budget

    return Budget(max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost)


def guard_outputs(
    command: str,
    *,
    writes: Iterable[Path | None],
    reads: Iterable[Path | None],
    write_folders: Iterable[Path | None] = (),
) -> None:
    """Before any work: refuse to write over an input, and find an output that cannot be
    written (each file in ``writes``)."""
    from synthloop.core.outputs import check_writable, refuse_overwrite

    writes = list(writes)
    refuse_overwrite(command, writes=writes, reads=reads, write_folders=write_folders)
    for path in writes:
        if path is not None:
            check_writable(path)


@contextlib.contextmanager
def holding(directory: Path | None) -> Iterator[None]:
    """Hold a run directory's lock (one writer at a time) while a command writes into it."""
    if directory is None:
        yield
        return
    from synthloop.core.runlock import RunLock

    with RunLock(directory):
        yield


def show_third_party(verbose: bool) -> None:
    """-v: let llama.cpp's and transformers' output through (see core/thirdparty.py)."""
    if verbose:
        from synthloop.core.thirdparty import set_verbose

        set_verbose(True)
