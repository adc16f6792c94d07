"""Other libraries' output, held back: shown when their step fails, or when asked for.

llama.cpp logs ~300 lines when it converts weights (the first embedded run) and
transformers draws a "Loading weights" bar for every model it loads, ``-q`` or not. Inside
:func:`captured` llama.cpp's log goes to a buffer instead of stderr, and transformers' and
huggingface_hub's progress bars are off; if the step raises, the buffered log's tail is
printed before the error travels on. Verbose mode (``SYNTHLOOP_VERBOSE=1``, or
:func:`set_verbose`, which the CLI's ``-v`` calls) lets everything through as it comes.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: lines of a failed step's log shown with its error
TAIL_LINES = 40

_verbose = os.environ.get("SYNTHLOOP_VERBOSE", "") not in ("", "0")
_lock = threading.Lock()
_depth = 0  # captured() blocks open, over all threads
_buffer: list[str] = []
_saved: dict[str, Any] = {}


def set_verbose(on: bool) -> None:
    global _verbose
    _verbose = on


def is_verbose() -> bool:
    return _verbose


def _collect(_level: int, text: bytes, _user_data: Any) -> None:
    _buffer.append(text.decode("utf-8", errors="replace"))


_callback: Any = None  # the ctypes callback, kept alive while llama.cpp holds it


def _hold_back() -> None:
    """Route llama.cpp's log to the buffer."""
    global _callback
    if "llama_cpp" in sys.modules:  # only a step that uses llama.cpp has imported it
        import llama_cpp
        import llama_cpp._logger

        if _callback is None:
            _callback = llama_cpp.llama_log_callback(_collect)
        llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
        _saved["llama"] = llama_cpp._logger.llama_log_callback


def _no_bars() -> None:
    from transformers.utils import logging as tf_logging

    _saved["bars"] = tf_logging.is_progress_bar_enabled()
    tf_logging.disable_progress_bar()


def _let_through() -> None:
    if "llama" in _saved:
        import llama_cpp

        llama_cpp.llama_log_set(_saved.pop("llama"), ctypes.c_void_p(0))
    if _saved.pop("bars", False):
        from transformers.utils import logging as tf_logging

        tf_logging.enable_progress_bar()


@contextmanager
def captured(what: str, *, transformers: bool = False) -> Iterator[None]:
    """Run ``what`` (a model load, a conversion) with its libraries' output held back;
    ``transformers``: the step loads a transformers model (its bars go too)."""
    global _depth
    if _verbose:
        yield
        return
    with _lock:
        if _depth == 0:
            _buffer.clear()
            _hold_back()
        if transformers and "bars" not in _saved:
            _no_bars()
        _depth += 1
    try:
        yield
    except BaseException:
        with _lock:
            tail = "".join(_buffer).splitlines()[-TAIL_LINES:]
        if tail:
            print(f"--- the last {len(tail)} lines {what} logged ---", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr, flush=True)
        raise
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _let_through()
