"""Text that is no example whatever the task type: refusals and assistant talk. Generation
drops such answers, curation's refusal filter drops such records, and the instruction
filter judges instructions and responses by the same patterns."""

from __future__ import annotations

import re

#: a chat model answering as an assistant instead of writing the example
CHATTER = re.compile(
    r"\b(?:i(?:'?m| am) (?:here|ready|happy) to (?:help|assist)|how can i (?:help|assist)|"
    r"i(?:'?m| am) (?:so )?(?:glad|happy) (?:that )?i could (?:help|assist)|"
    r"what (?:topic|would you like))\b",
    re.IGNORECASE,
)

#: what an assistant declines to do ("I can't write ...", "I won't provide ...")
_DECLINED = "write|create|provide|generate|assist|fulfil|comply|produce"

#: declining to help, not "I can't help but love it" / "help myself" / "help it", which
#: people write
_HELP = r"help(?! but\b| myself\b| it\b)"

#: refusals and assistant talk anywhere in a text (generation's filters use it too)
#: (an apology alone is no refusal: "I'm sorry it hurt you", "I am sorry to hear that, we will
#: fix it" are what people and support agents write: 14 of sst2's and sms_spam's real texts)
REFUSAL = re.compile(
    r"\b(?:as an ai|as a language model|"
    r"i (?:can ?not|can't|won't|am unable to|'m unable to|am not able to) "
    rf"(?:{_DECLINED}|{_HELP})|"
    r"i (?:do not|don'?t) have (?:the )?(?:ability|capability|access) to|"
    r"against my (?:guidelines|programming|policy)|i'?m not comfortable)\b",
    re.IGNORECASE,
)

#: how a whole answer opens when it refuses; only an opening that also says what refuses
#: (:data:`REFUSER`) is one: "Sorry, I'll call later" and "I wont be long" are what people
#: text (68 of sms_spam's 5,574 messages open like this)
REFUSAL_OPENING = re.compile(
    r"^(i'?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:no|')t|i am unable|i'?m unable|"
    r"i won'?t|as an ai|as a language model|unfortunately,? i)",
    re.IGNORECASE,
)
#: ... an assistant declining: it names itself an AI, or declines to do the writing. Broader
#: than REFUSAL ("as a friendly AI", "I don't want to help"), as it only judges what opens
#: like a refusal
REFUSER = re.compile(
    r"\b(?:as an? (?:\w+[- ]){0,3}(?:ai|assistant|chatbot|language model)\b|"
    r"(?:ai|language) model\b|chatbot\b|text-based ai\b|"
    r"i (?:can(?:no|')?t|am unable to|'?m unable to|won'?t|will not|do not|don'?t) "
    rf"(?:\w+ ){{0,2}}(?:{_DECLINED}|{_HELP}|complete|do that|do this)\b|"
    r"i (?:do not|don'?t) have the (?:ability|capability))",
    re.IGNORECASE,
)


def opens_refusal(text: str) -> bool:
    """Whether a whole answer is a refusal: it opens like one and something in it refuses."""
    return bool(REFUSAL_OPENING.match(text) and REFUSER.search(text))


#: assistant talk about itself, beyond CHATTER: too broad for a review ("I'm not ready for
#: the sequel"), but no hypothesis, question or instruction of real data says it (none of
#: RTE's 2,767 hypotheses nor QNLI's 5,463 questions, train and validation/test); an
#: answer opening "I'll", or a reply word then "I'll" ("No, I'll provide a concise reply.",
#: not "No ill effects were seen." nor "Ill health forced him to resign.")
SELF_TALK = re.compile(
    r"\bi(?:'?m| am) (?:not )?ready\b|"
    r"^\s*i['’]ll\b|^\s*(?:no|yes|ok|okay|sure|alright|well|fine|certainly)\W+i['’]ll\b|"
    r"\bi(?:'ll| will| would) be (?:ready|happy|glad) "
    r"to\b|\bwhat do you need help with\b|\bhow may i (?:help|assist)\b|"
    r"\bplease provide (?:the|a|an|me)\b",
    re.IGNORECASE,
)

#: a list item opening a line ("- ", "* ", "• ", "1. ", "2) ", "(3) "): an answer with two or
#: more is a list of examples where one was asked for (pair, QA: ``list_of_answers``)
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\(\d+\))\s+\S", re.MULTILINE)
#: the mark of a lone item, which its type's clean cuts ("1. The bakery opened.")
ITEM_MARK = re.compile(r"^(?:[-*•]|\d+[.)]|\(\d+\))\s+")

#: quotes a small model wraps its example in, or opens it with
QUOTES = "\"'“”‘’«»"


def lists_several(raw: str) -> bool:
    """Whether an answer is a list of two or more items (:data:`LIST_ITEM`)."""
    return len(LIST_ITEM.findall(raw)) >= 2


_ASCII_WORD = re.compile(r"[a-z0-9']+")
_WORD = re.compile(r"\w+")


def ascii_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased: runs of ASCII letters, digits and apostrophes
    ("don't" is one word; "café" is "caf")."""
    return _ASCII_WORD.findall(text.lower())


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased: runs of any script's letters, digits and ``_``."""
    return _WORD.findall(text.lower())


def lowered(text: str) -> str:
    """``text`` lower-cased, each run of whitespace one space, none at the ends."""
    return " ".join(text.lower().split())


def copies_context(text: str, context: str) -> bool:
    """Whether ``text`` is a copy of ``context`` rather than a new text about it: its words,
    in order and unchanged (the last may be cut mid-word, as a truncated answer is), are a
    run of the context's words that is at least half the context or at least 12 words long.

    The premise itself, or its first clause cut off by ``max_tokens``, is a copy. Token
    overlap is no test: real RTE hypotheses that change one word of their premise ("the
    tallest building in Western Japan" → "in Japan") are what ``not_entailment`` asks for,
    and 1% of them share a run of 90% of their words with it. Only an unchanged run is a
    copy, and a short one is a real extraction ("The Titanic sank in 1912." from a longer
    premise): on real data, 6 of RTE's 2,767 hypotheses (0.22%, train + validation) and 0 of
    QNLI's 5,463 questions (against their sentence) would count as copies.
    """
    mine, source = ascii_words(text), ascii_words(context)
    n = len(mine)
    if not n or n > len(source) or (2 * n < len(source) and n < 12):
        return False
    head, last = mine[:-1], mine[-1]
    return any(
        source[i : i + n - 1] == head and source[i + n - 1].startswith(last)
        for i in range(len(source) - n + 1)
    )
