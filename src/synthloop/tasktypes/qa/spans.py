"""Words and spans of a passage, with character offsets, for extractive QA.

Shared by the span-scoring small model (which ranks candidate spans) and by question
generation (which picks salient answer spans to ask about)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "not",
        "no",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "i",
        "you",
        "we",
        "our",
        "your",
        "there",
        "than",
        "then",
        "so",
        "if",
        "into",
        "about",
        "over",
        "after",
        "before",
        "during",
        "while",
        "also",
        "such",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "will",
        "shall",
        "up",
        "out",
    ]
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    sentence: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokenize(passage: str) -> list[Token]:
    """Tokens with their character offsets and the index of the sentence they are in."""
    bounds = [m.end() for m in _SENTENCE_END.finditer(passage)]
    tokens = []
    sentence = 0
    for m in _TOKEN.finditer(passage):
        while sentence < len(bounds) and m.start() >= bounds[sentence]:
            sentence += 1
        tokens.append(Token(m.group(), m.start(), m.end(), sentence))
    return tokens


def sentences(passage: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(passage) if s.strip()]


def is_content(token: Token) -> bool:
    return token.text[0].isalnum() and token.lower not in STOPWORDS


@dataclass(frozen=True)
class Span:
    start: int  # first token
    end: int  # one past the last token
    char_start: int
    char_end: int
    sentence: int


def candidate_spans(tokens: list[Token], max_len: int = 6) -> list[Span]:
    """Every run of up to ``max_len`` tokens inside one sentence that starts and ends on a
    content word: the answers an extractive model may give."""
    out = []
    for i, first in enumerate(tokens):
        if not is_content(first):
            continue
        for j in range(i, min(i + max_len, len(tokens))):
            last = tokens[j]
            if last.sentence != first.sentence:
                break
            if is_content(last):
                out.append(Span(i, j + 1, first.start, last.end, first.sentence))
    return out


_SALIENT = re.compile(
    r"\b(?:1[0-9]{3}|20[0-9]{2})\b"  # years
    r"|\b\d[\d,.]*(?:\s+(?:percent|per cent|million|billion|thousand|hundred|[a-z]+s))?\b"
    r"|\b[A-Z][\w'’-]+(?:\s+(?:of|the|de|and)?\s*[A-Z][\w'’-]+)*"  # names, places, titles
)


def salient_spans(passage: str) -> list[str]:
    """Answer candidates worth asking about: names, places, numbers, years. A capitalised
    word that only opens a sentence is skipped unless it is part of a longer name."""
    starts = {0} | {m.end() for m in _SENTENCE_END.finditer(passage)}
    out: list[str] = []
    for m in _SALIENT.finditer(passage):
        text = m.group().strip(" ,.")
        if not text or text.lower() in STOPWORDS:
            continue
        if m.start() in starts and " " not in text and not text[0].isdigit():
            continue
        if text not in out:
            out.append(text)
    return out
