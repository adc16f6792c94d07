"""Counting prompt tokens: the LLM's own tokenizer where it has one, an estimate otherwise."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from synthloop.llm import LLM

TokenCounter = Callable[[str], int]

_PIECES = re.compile(r"\w+|[^\w\s]")


def approx_tokens(text: str) -> int:
    """About how many BPE tokens ``text`` is: words and punctuation, plus a quarter for the
    sub-word splits of rarer words (close for English with GPT-2/Llama-style tokenizers)."""
    return math.ceil(len(_PIECES.findall(text)) * 1.25)


def token_counter(llm: LLM | None) -> TokenCounter:
    """The exact counter of ``llm`` (or of the backend it wraps) if it has one, else
    :func:`approx_tokens`. Wrappers (cache, budget, journal) expose the backend as ``inner``."""
    seen = 0
    while llm is not None and seen < 10:
        count = getattr(llm, "count_tokens", None)
        if callable(count):
            return count
        llm = getattr(llm, "inner", None)
        seen += 1
    return approx_tokens
