"""Chatter and meta-commentary in instruction data.

A small chat model asked for "a new instruction" often answers *about* the task ("The task
is to write a poem", "Here is another instruction for you") instead of giving one, and
asked to carry an instruction out it wraps the answer in assistant talk ("Sure! Here is
…", "I hope this helps!", "As an AI language model, I cannot …"). Openers and closers
around real content are cut; what is chatter through and through is dropped, with a reason.

The refusal and assistant-talk patterns are the ones the rest of synthloop uses
(:data:`synthloop.curate.heuristics.REFUSAL`, :data:`synthloop.generate.common.CHATTER`).
Human-written instructions are the yardstick: none of the 175 Self-Instruct seed tasks is
flagged (tests/generate/test_instruction_filter.py), so "In this task, you are given …" and
responses opening "Here are some tips …" pass.
"""

from __future__ import annotations

import re

from synthloop.curate.heuristics import REFUSAL
from synthloop.generate.common import CHATTER

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
    r"(?:task|instruction|prompt)\s+(?:is|asks|requires|should|will|would|could|involves|"
    r"here|for you|below)\b"
    r"|\b(?:new|another|different|one more|next)\s+(?:task\s+)?instructions?\b"
    r"|\b(?:above|previous|these|those|listed|given)\s+(?:tasks|instructions)\b"
    r"|\b(?:task|instruction)\s*(?:number|no\.|#)?\s*\d+\s*[:.)]"
    r"|\bhere(?:'s| is| are)\b[^.\n]{0,40}\b(?:task|instruction)s?\b",
    re.IGNORECASE,
)


def chatter_in_instruction(instruction: str) -> str | None:
    """Why an instruction is not one (``refusal``, ``chatter``, ``meta_instruction``)."""
    if REFUSAL.search(instruction):
        return "refusal"
    if CHATTER.search(instruction):
        return "chatter"
    if _META_INSTRUCTION.search(instruction):
        return "meta_instruction"
    return None


def clean_response(output: str) -> tuple[str | None, str]:
    """The response without politeness around it, or None and why it is only chatter.

    A leading "Sure!" / "Here is the answer:" is cut, and so is a closing "I hope this
    helps" with what follows it; a refusal or assistant talk anywhere drops the response.
    """
    text = output.strip()
    if REFUSAL.search(text):
        return None, "refusal"
    if CHATTER.search(text):
        return None, "chatter"
    for pattern in (_OPENER, _ANNOUNCE):
        text = pattern.sub("", text, count=1).strip()
    closer = _CLOSER.search(text)
    if closer:
        text = text[: closer.start()].strip()
    if not text or not any(ch.isalnum() for ch in text):
        return None, "only_chatter"
    return text, ""
