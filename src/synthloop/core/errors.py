"""synthloop's exceptions: one tree, so callers catch exactly what they can handle.

    SynthloopError                 every error synthloop raises on purpose
    ├── ConfigError                a task or run config that is malformed or inconsistent
    ├── DataError                  data that cannot be read or does not fit the task
    ├── HubError                   the Hugging Face hub refused or could not be reached
    └── LLMError                   anything between us and the language model
        ├── LLMConnectionError     the server cannot be reached / timed out (retryable)
        ├── LLMResponseError       the server answered, but with an error status
        │   └── StructuredOutputError  answers that never fitted the schema, re-asks spent
        ├── ModelLoadError         the embedded model could not be found or loaded
        ├── EngineError            the embedded engine cannot run a request (no memory for
        │                          its context, a prompt longer than a sequence's context)
        └── BudgetExceeded         a --max-calls/--max-tokens/--max-cost limit was reached

Each error carries a one-line message, an optional hint for the user, and whether
retrying the same call could succeed. The CLI prints ``error: message (hint)`` and
exits non-zero; it never shows a traceback for these. What deserves a word but stops
nothing is a :func:`warn` line.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Iterator

_MUTED = contextvars.ContextVar("synthloop_warnings_muted", default=False)


def warn(message: str) -> None:
    """One line on stderr, looked up at call time: a live progress bar has replaced
    ``sys.stderr`` with a proxy that prints above the bar instead of through it."""
    if not _MUTED.get():
        print(f"warning: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def warnings_muted(muted: bool = True) -> Iterator[None]:
    """No :func:`warn` lines inside (when ``muted``): for a pass that the run itself
    repeats, such as the estimate walking the plans the run then walks, saying each twice."""
    token = _MUTED.set(muted)
    try:
        yield
    finally:
        _MUTED.reset(token)


class SynthloopError(Exception):
    retryable: bool = False

    def __init__(self, message: str, *, hint: str | None = None, retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if retryable is not None:
            self.retryable = retryable

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message} (hint: {self.hint})"
        return " ".join(text.split())


class ConfigError(SynthloopError):
    pass


class DataError(SynthloopError):
    pass


class HubError(SynthloopError):
    pass


class LLMError(SynthloopError):
    pass


class LLMConnectionError(LLMError):
    retryable = True


class LLMResponseError(LLMError):
    pass


class ModelLoadError(LLMError):
    pass


class StructuredOutputError(LLMResponseError):
    pass


class EngineError(LLMError):
    """The embedded llama.cpp engine cannot run a request, or cannot start at all."""


class BudgetExceeded(LLMError):
    """A hard limit was reached; what was paid for so far is kept (cache, journal)."""
