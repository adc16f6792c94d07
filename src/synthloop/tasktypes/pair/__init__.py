"""Sentence pairs (NLI and the like): the LLM writes one input (the hypothesis) for a real
value of the other (the premise) and a target label."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from synthloop.core.tasks import Task
from synthloop.core.tasktype import TaskType
from synthloop.tasktypes.rules import REFUSAL, SELF_TALK


class Pair(TaskType):
    name = "pair"
    inputs = ("premise", "hypothesis")
    keeps_real_inputs = True
    default_learner = "embed_lr"  # a bag of words is at chance on NLI
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
    template_prefix = "pair_"

    def reject(
        self, task: Task, text: str, label: str, fixed: Mapping[str, str] | None = None
    ) -> str | None:
        if re.search(rf"\b(?:{'|'.join(map(re.escape, task.inputs))})s?\b", text, re.IGNORECASE):
            return "meta_commentary"  # "The premise is true, so ..." talks about the task
        # A hypothesis states a fact; assistant talk anywhere in it ("I am ready to assist
        # you", "As an AI, ...") is none. Parsing drops only answers that open with a
        # refusal, and the shared CHATTER rule is kept narrow for reviews and the like.
        # False rejects on real data: 0 of RTE's 2,767 hypotheses, 0 of QNLI's 5,463
        # questions (train + validation/test).
        if REFUSAL.search(text):
            return "refusal"
        if SELF_TALK.search(text):
            return "chatter"
        return None
