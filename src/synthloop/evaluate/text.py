"""Tokens for text metrics: lowercased words and punctuation marks, one rule everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """``"Great film!"`` -> ``["great", "film", "!"]``."""
    return _TOKEN.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> Iterator[tuple[str, ...]]:
    return (tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def all_ngrams(token_lists: Iterable[Sequence[str]], n: int) -> Iterator[tuple[str, ...]]:
    for tokens in token_lists:
        yield from ngrams(tokens, n)
