"""Chatter and meta-commentary in instruction data.

A small chat model asked for "a new instruction" often answers *about* the task ("The task
is to write a poem", "Here is another instruction for you") instead of giving one, and
asked to carry an instruction out it wraps the answer in assistant talk ("Sure! Here is
…", "I hope this helps!", "As an AI language model, I cannot …"). Openers and closers
around real content are cut; what is chatter through and through is dropped, with a reason.

The refusal and assistant-talk patterns are the ones the rest of synthloop uses
(:data:`synthloop.tasktypes.rules.REFUSAL`, :data:`synthloop.tasktypes.rules.CHATTER`).
Human-written instructions are the yardstick: none of the 175 Self-Instruct seed tasks is
flagged (tests/generate/test_instruction_filter.py), so "In this task, you are given …" and
responses opening "Here are some tips …" pass.
"""

from __future__ import annotations

import re

from synthloop.tasktypes.rules import CHATTER, REFUSAL, SELF_TALK, ascii_words

# An opener that is only politeness: "Sure!", "Certainly.", "Of course,", "Great question!"
_OPENER = re.compile(
    r"^\s*(?:sure|certainly|of course|absolutely|okay|ok|great question|good question)"
    r"(?:\s+thing)?\s*[,!.:]\s*",
    re.IGNORECASE,
)
# "Here is the response:" / "Here's my answer to the instruction:" on its own line
_ANNOUNCE = re.compile(
    r"^\s*here(?:'s| is| are)\b[^\n]{0,60}\b(?:response|answer|output|solution|result)s?\b"
    r"[^\n]{0,40}:\s*",
    re.IGNORECASE,
)
# A closing sentence of assistant talk, cut with everything after it.
_CLOSER = re.compile(
    r"(?:^|(?<=[.!?\n]))\s*(?:i hope (?:this|that|it) (?:helps|answers|works|is helpful)|"
    r"let me know if|feel free to (?:ask|reach out|let me know)|"
    r"if you (?:have|need) (?:any )?(?:more|other|further) (?:questions|help))",
    re.IGNORECASE,
)
# Instructions that talk about the task instead of being one.
_META_INSTRUCTION = re.compile(
    r"^\s*(?:the|this|my|your|a|an|the new|this new|our)\s+(?:new\s+)?"
    r"(?:task|instruction|prompt)(?:\s+(?:instruction|description))?\s+"
    r"(?:is|asks|requires|should|will|would|could|involves|here|for you|below)\b"
    r"|\b(?:an?|the) (?:new|different|additional) task\b"
    r"|\b(?:described instructions|original task|additional (?:task|instruction)s?)\b"
    r"|\b(?:new|another|different|one more|next)\s+(?:task\s+)?instructions?\b"
    r"|\b(?:above|previous|these|those|listed|given)\s+(?:tasks|instructions)\b"
    r"|\b(?:task|instruction)\s*(?:number|no\.|#)?\s*\d+\s*[:.)]"
    r"|\bhere(?:'s| is| are)\b[^.\n]{0,40}\b(?:task|instruction)s?\b"
    r"|\b(?:write|create|make|come up with) (?:an? )?(?:entirely |completely )?"
    r"(?:new|different|another) (?:task|one)\b",
    re.IGNORECASE,
)


# A template slot the model copied instead of filling: "<output here>", "[your output]"
# (not "<mask>", "[Recruiter]" or "[Your Name]", which human tasks use on purpose).
_PLACEHOLDER = re.compile(
    r"<(?=[^<>\n]*\s)[^<>\n]{0,20}\b(?:output|input|response|answer|instruction)\b"
    r"[^<>\n]{0,20}>|\[(?:your |the |insert (?:the |your )?)?"
    r"(?:output|input|response|answer|instruction)\b[^\]\n]{0,20}\]",
    re.IGNORECASE,
)
# The reply form's own labels inside an input or response: the model wrote another round.
_FORM = re.compile(r"(?im)^\s*(?:instruction|input|output)\s*:|\binput\s*:")


def echoes_prompt(text: str, prompt: str, n: int = 4) -> bool:
    """Whether ``text`` repeats ``n`` consecutive words of ``prompt`` (the request's own
    wording, e.g. "Carry out this instruction. If it needs an input …")."""
    if not prompt:
        return False
    words = ascii_words(prompt)
    grams = {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
    mine = ascii_words(text)
    return any(tuple(mine[i : i + n]) in grams for i in range(len(mine) - n + 1))


def talk(text: str) -> str | None:
    """``refusal``, ``chatter`` or ``placeholder`` when ``text`` is any of them."""
    if REFUSAL.search(text):
        return "refusal"
    if CHATTER.search(text) or SELF_TALK.search(text):
        return "chatter"
    if _PLACEHOLDER.search(text):
        return "placeholder"
    return None


def chatter_in_instruction(instruction: str) -> str | None:
    """Why an instruction is not one (``refusal``, ``chatter``, ``placeholder``,
    ``meta_instruction``)."""
    why = talk(instruction)
    if why:
        return why
    if _META_INSTRUCTION.search(instruction):
        return "meta_instruction"
    return None


def clean_response(output: str, prompt: str = "") -> tuple[str | None, str]:
    """The response without politeness around it, or None and why it is only chatter.

    A leading "Sure!" / "Here is the answer:" is cut, and so is a closing "I hope this
    helps" with what follows it; a refusal, assistant talk, a copied template slot, talk
    about "this instruction", or wording copied from ``prompt`` drops the response.
    """
    text = output.strip()
    why = talk(text)
    if why:
        return None, why
    if _META_INSTRUCTION.search(text):
        return None, "meta_response"
    if echoes_prompt(text, prompt) or _FORM.search(text):
        return None, "prompt_echo"
    for pattern in (_OPENER, _ANNOUNCE):
        text = pattern.sub("", text, count=1).strip()
    closer = _CLOSER.search(text)
    if closer:
        text = text[: closer.start()].strip()
    if not text or not any(ch.isalnum() for ch in text):
        return None, "only_chatter"
    return text, ""


def clean_input(given: str, prompt: str = "") -> tuple[str | None, str]:
    """An instruction's input as given, or None and why it is the prompt's wording or a
    copied template slot, not an input. (Inputs may quote anyone, an apologising agent
    included, so refusal and chatter patterns do not apply to them.)"""
    if _PLACEHOLDER.search(given):
        return None, "placeholder"
    if echoes_prompt(given, prompt) or _FORM.search(given):
        return None, "prompt_echo"
    return given, ""
