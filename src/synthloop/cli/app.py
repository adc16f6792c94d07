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
    # Help as plain text: rich markup took every "[default: ...]" in our help texts for a
    # tag and dropped it ("Run config ."), and its panels cut long option names short.
    rich_markup_mode=None,
)
for command in (s3, generate, evaluate, report, demo, curate, review, push):
    app.command()(interruptible(command))
app.command("self-instruct")(interruptible(self_instruct_command))


def main() -> None:
    try:
        status = app(standalone_mode=False)  # usage errors come here, as one line
        if isinstance(status, int) and status:
            if status == 130:
                raise KeyboardInterrupt
            sys.exit(status)
    except typer.TyperException as exc:  # a usage error: a bad option, a missing argument
        if exc.__class__.__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            sys.exit(0)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        ctx = getattr(exc, "ctx", None)
        see = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        print(f"error: {' '.join(message.split())}{see}", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
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
