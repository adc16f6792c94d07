"""The synthloop command line: one typer app, one module per command, one error policy."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import typer

from synthloop.cli.curate import curate
from synthloop.cli.demo import demo
from synthloop.cli.evaluate import evaluate
from synthloop.cli.generate import generate
from synthloop.cli.push import push
from synthloop.cli.report import report
from synthloop.cli.review import review
from synthloop.cli.s3 import s3
from synthloop.cli.self_instruct import self_instruct_command
from synthloop.core.errors import BudgetExceeded, SynthloopError


class Interrupted(Exception):
    """Ctrl-C inside a command. Raised in place of KeyboardInterrupt, which typer (like
    click) turns into a silent exit, so that :func:`main` can say how to resume."""


def interruptible(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)  # typer reads the signature and help through the wrapper
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as exc:
            raise Interrupted from exc

    return run


app = typer.Typer(
    help="LLM-driven synthetic data: generate, curate, evaluate — and the S3 loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (s3, generate, evaluate, report, demo, curate, review, push):
    app.command()(interruptible(command))
app.command("self-instruct")(interruptible(self_instruct_command))


def main() -> None:
    try:
        app()
    except BudgetExceeded as exc:  # its own exit code: a stop the user asked for
        print(f"error: {exc.one_line()}", file=sys.stderr)
        sys.exit(3)
    except SynthloopError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        sys.exit(2)
    except (Interrupted, KeyboardInterrupt):
        print(
            "interrupted: run the same command again to resume (answers so far are cached)",
            file=sys.stderr,
        )
        sys.exit(130)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # a bug: say so in one line, show the trace only on request
        if os.environ.get("SYNTHLOOP_DEBUG"):
            traceback.print_exc()
        print(
            f"error: internal error {type(exc).__name__}: {exc} "
            "(set SYNTHLOOP_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
