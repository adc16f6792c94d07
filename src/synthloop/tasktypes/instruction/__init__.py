"""Instruction data (Self-Instruct): an instruction, an optional input and a response; the
small model (``retrieval_responder``) is scored by ROUGE-L and the pool's coverage."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores, TaskType

#: a real item the small model answers below this ROUGE-L is an error
ERROR_BELOW = 0.5


class Instruction(TaskType):
    name = "instruction"
    inputs = ("instruction", "input")
    labelled = False
    label_noun = "response"
    default_learner = None  # S3 runs as `synthloop self-instruct --rounds`
    metric_names = ("rouge_l", "coverage")
    metric_digits = 4
    metric_titles = ("ROUGE-L", "coverage")
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
    template_prefix = "instruction_"
    steps = ("new", "like", "response")
    hf_task_category = "text-generation"

    def score(
        self,
        pred: Sequence[Any],
        records: Sequence[Record],
        task: Task,
        *,
        train: Sequence[Record] | None = None,
    ) -> Scores:
        """Mean ROUGE-L of the responses against the human ones, and how much of what the
        real instructions ask the training instructions cover (0 without ``train``)."""
        import numpy as np

        from synthloop.tasktypes.instruction.metrics import coverage, rouge_l

        scores = rouge_l([str(p) for p in pred], [r.label for r in records])
        field = task.inputs[0]
        covered = (
            coverage([r.inputs[field] for r in records], [r.inputs[field] for r in train])
            if train is not None
            else 0.0
        )
        mean = float(np.mean(scores)) if scores else 0.0
        return Scores(accuracy=mean, macro_f1=covered, n=len(records), kind=self.name)

    def wrong(self, pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
        """The records answered below ``ERROR_BELOW`` ROUGE-L, worst first."""
        from synthloop.tasktypes.instruction.metrics import rouge_l

        scores = rouge_l([str(p) for p in pred], [r.label for r in records])
        order = sorted(range(len(records)), key=lambda i: scores[i])  # stable: ties by order
        return [records[i] for i in order if scores[i] < ERROR_BELOW]
