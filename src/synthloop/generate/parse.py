"""Turning raw LLM output into one clean example, or a reason it cannot be one.

Small models wrap their answer in preambles ("Sure! Here is a positive review:"),
prefixes ("Review:"), quotes, markdown and trailing commentary, and sometimes refuse or
say nothing. What can be cleaned is cleaned; what cannot is dropped with a reason that
the caller counts, never kept as junk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synthloop.core.tasks import Task
from synthloop.tasktypes.rules import CHATTER, QUOTES, REFUSAL_OPENING, ascii_words, opens_refusal

#: the quotes the task types strip, and a backtick: an example may come wrapped as code
_QUOTES = QUOTES + "`"
_DOUBLES = '"“”'  # a double quote is never an apostrophe
_PREAMBLE = re.compile(
    r"^(sure|certainly|of course|okay|ok|absolutely|here(?:'s| is| are)|below is|"
    r"this is|i(?:'ve| have) written|i'?d be happy)\b.*[:!.]?$",
    re.IGNORECASE,
)
#: a preamble that cannot be the example itself even when nothing follows it: "Here is a
#: ...", "I've written ..."; a lone "here is unusually tame" or "this is just lazy writing."
#: is a real text (232 of sst2's and sms_spam's texts were dropped as preambles)
_ONLY_PREAMBLE = re.compile(
    r"^(?:(?:here(?:'s| is| are)|below is)\s+(?:a|an|the|my|one|some|your|\d+)\b|"
    r"i(?:'ve| have) written\b|i'?d be happy\b)",
    re.IGNORECASE,
)
#: an opener and its punctuation: "Sure!", "Ok...", "Certainly, "
_OPENER = re.compile(r"^(?:sure|certainly|of course|okay|ok|absolutely)\s*[!,.]+\s*", re.I)


def _lone_preamble(para: str, task: Task) -> bool:
    """Whether an answer's last paragraph, which opens like a preamble, is one: no example
    follows it to be taken instead."""
    if _ONLY_PREAMBLE.match(para) or para.endswith(":"):
        return True
    opener = _OPENER.match(para)
    if opener:  # "Sure! Happy to." is not a message; "Ok. Me watching tv too." is one
        rest = para[opener.end() :]
        return len(rest.split()) < 3 or bool(_PREAMBLE.match(rest) or CHATTER.search(rest))
    # "This is a regular SMS message from a family member." describes an example; "this
    # is a truly bad movie." is one (the example noun's head word, not its domain word)
    head = task.example_noun.split()[-1].lower() if task.example_noun.split() else ""
    words = set(re.findall(r"[a-z]+", para.lower()))
    return para.lower().startswith("this is") and bool(words & {head, "example", "sample"})


_GENERIC_PREFIX_WORDS = (
    "text",
    "example",
    "sample",
    "output",
    "answer",
    "response",
    "new",
    "review",
    "sentence",
    "message",
    "title",
)
#: what a label may say of its example: "Suggested hypothesis:", "Possible question:"
_ADJECTIVES = "suggested|possible|proposed|generated"
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)]|\(\d+\))\s*")
_MARKDOWN = re.compile(r"(\*\*|__|\*|#+\s)")


@dataclass(frozen=True)
class Parsed:
    text: str | None
    reason: str | None = None  # why it was dropped; None when text is kept

    @property
    def ok(self) -> bool:
        return self.text is not None


def _strip_quotes(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    # a lone opening quote whose closing one fell past max_tokens; a double one is lone
    # whatever apostrophes follow ("\"In 2020, Quattrone's career …")
    others = _DOUBLES if text[:1] in _DOUBLES else _QUOTES[:4]
    if text[:1] in _QUOTES and not any(q in text[1:] for q in others):
        text = text[1:].strip()
    # and a lone closing double quote, its opening one never written ("... the film.\"");
    # not an apostrophe, which may end a word ("the actors'")
    if text[-1:] in '"”' and not any(q in text[:-1] for q in _DOUBLES):
        text = text[:-1].strip()
    return text


def _prefix_pattern(task: Task) -> re.Pattern[str]:
    words = set(_GENERIC_PREFIX_WORDS)
    words.update(w.lower() for w in re.findall(r"[A-Za-z]+", task.example_noun))
    words.update(w.lower() for name in task.labels for w in re.findall(r"[A-Za-z]+", name))
    alt = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # e.g. "Review:", "Positive movie review:", "New example 2:", "Text -", "#Sci/Tech:",
    # "Suggested hypothesis:"
    return re.compile(
        rf"^#*(?:(?:the|a|an|my|your|here is|here's)\s+)?(?:(?:{_ADJECTIVES})\s+)?"
        rf"(?:(?:{alt})[\s\d#/&]*){{1,4}}"
        r"\s*(?:is|would be|could be)?\s*[:\-–]\s*",
        re.IGNORECASE,
    )


def _trailing_label(task: Task) -> re.Pattern[str]:
    alt = "|".join(re.escape(n) for n in task.labels)
    return re.compile(
        rf"\s*(?:\((?:{alt})\)|\[(?:{alt})\]|(?:label|sentiment|class|category)\s*:\s*(?:{alt}))"
        r"\s*\.?$",
        re.IGNORECASE,
    )


def copies_source(text: str, source: str) -> bool:
    """``text`` is the example it was asked to imitate, up to case and punctuation."""
    return ascii_words(text) == ascii_words(source)


def _strip_echo(body: str, prompt: str) -> str:
    """Drop an echo of the instruction before a colon: "It should reflect these points: ..."."""
    head, colon, tail = body.partition(":")
    if not colon or not tail.strip() or len(head) > 80:
        return body
    words = ascii_words(head)
    grams = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    sent = " ".join(ascii_words(prompt))
    return tail.strip() if any(g in sent for g in grams) else body


def _echoes(line: str, prompt: str) -> bool:
    """``line`` is, up to case and punctuation, a line of the prompt."""
    return ascii_words(line) in (ascii_words(p) for p in prompt.splitlines())


_MIDTEXT_PREAMBLE = re.compile(r"\bhere(?:'s| is)\b[^:\n]{0,80}:\s*", re.IGNORECASE)


def parse_example(
    raw: str,
    task: Task,
    *,
    prompt: str | None = None,
    source: str | None = None,
    min_words: int = 3,
) -> Parsed:
    """Extract the single example the LLM was asked to write.

    ``prompt`` (the instruction sent) lets echoed instructions be cut; ``source`` (the
    example the LLM was asked to imitate) makes a verbatim copy of it a drop, not a record.
    """
    text = (raw or "").replace("\r", "").strip()
    if not text:
        return Parsed(None, "empty")
    if opens_refusal(_strip_quotes(text)):
        return Parsed(None, "refusal")
    prefix = _prefix_pattern(task)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    body: str | None = None
    for n, para in enumerate(paragraphs, 1):
        para = _MARKDOWN.sub("", para).strip()
        para = _BULLET.sub("", para) if len(paragraphs) > 1 else para
        if _PREAMBLE.match(para):
            _, colon, tail = para.partition(":")
            if colon and tail.strip():
                para = tail.strip()  # "Here is a review: Great film!" on one line
            elif para.endswith(":") or (
                len(para.split()) <= 12 and (n < len(paragraphs) or _lone_preamble(para, task))
            ):
                continue  # "Sure! Here's a positive review:" on its own line
        if para.endswith(":") and (
            n < len(paragraphs) or (prompt and ascii_words(para) and _echoes(para, prompt))
        ):
            continue  # a lead-in line ("One way to do it:", from the prompt) before the example
        # quotes first: '"Spam: Win a prize"' would otherwise keep its label prefix
        stripped = prefix.sub("", _strip_quotes(para), count=1).strip()
        if not stripped:
            continue  # a bare "Review:" line
        body = stripped
        break
    if body is None:
        return Parsed(None, "only_preamble")
    midtext = _MIDTEXT_PREAMBLE.search(body)
    if midtext and len(body[midtext.end() :].split()) >= min_words:
        body = body[midtext.end() :]  # "I loved it. Here's a positive review: ..."
    if prompt:
        body = _strip_echo(body, prompt)
    body = _trailing_label(task).sub("", _strip_quotes(body)).strip()
    body = _strip_quotes(body)
    if opens_refusal(body):
        return Parsed(None, "refusal")
    if body.lower().strip(" .") in {n.lower() for n in task.labels}:
        return Parsed(None, "label_only")
    if len(body.split()) < min_words:
        return Parsed(None, "too_short")
    if source is not None and copies_source(body, source):
        return Parsed(None, "copy_of_source")
    return Parsed(body)


def parse_list(raw: str, *, min_words: int = 2, max_words: int = 40) -> list[str]:
    """Items of a bulleted or numbered list, one per line, cleaned and de-duplicated."""
    seen: set[str] = set()
    items = []
    lines = (raw or "").replace("\r", "").split("\n")
    # In a list, an unmarked line is the answer's intro or outro ("We can write the
    # following sentences:"), not an item.
    marked = [
        line for line in lines if _BULLET.match(line) or _BULLET.match(_MARKDOWN.sub("", line))
    ]
    for line in marked or lines:
        line = _BULLET.sub("", _MARKDOWN.sub("", line)).strip()
        line = _strip_quotes(line).rstrip(":").strip()
        if not line or _PREAMBLE.match(line) or REFUSAL_OPENING.match(line):
            continue
        n_words = len(line.split())
        if n_words < min_words or n_words > max_words:
            continue
        key = line.lower()
        if key not in seen:
            seen.add(key)
            items.append(line)
    return items
