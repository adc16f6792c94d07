"""What several commands print or build the same way."""

from __future__ import annotations

import sys
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
