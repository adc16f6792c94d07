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
    default_learner = None  # from a run config; S3 on instruction data is its own command:
    s3_command = "synthloop self-instruct CONFIG --rounds N"
    metric_names = ("rouge_l", "coverage")
    metric_digits = 4
    metric_titles = ("ROUGE-L", "coverage")
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
    template_prefix = "instruction_"
    steps = ("new", "like", "response")
    hf_task_category = "text-generation"

    def required_inputs(self, task: Task) -> tuple[str, ...]:
        return task.inputs[:1]  # most instructions have no input

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
        from synthloop.tasktypes.instruction.metrics import instruction_scores

        return instruction_scores([str(p) for p in pred], records, train or [], task)

    def wrong(self, pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
        """The records answered below ``ERROR_BELOW`` ROUGE-L, worst first."""
        from synthloop.tasktypes.instruction.metrics import rouge_l

        scores = rouge_l([str(p) for p in pred], [r.label for r in records])
        order = sorted(range(len(records)), key=lambda i: scores[i])  # stable: ties by order
        return [records[i] for i in order if scores[i] < ERROR_BELOW]
