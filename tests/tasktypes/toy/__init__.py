"""A task type added from outside the package, to show what adding one takes: this folder
(the type and its templates) and one registry line (``register_task_type(Stance())``).

A stance is a one-sentence opinion for or against something; a question is no stance."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from synthloop.core.tasks import Task
from synthloop.core.tasktype import TaskType


class Stance(TaskType):
    name = "stance"
    inputs = ("opinion",)
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
    template_prefix = "stance_"
    hf_task_category = "text-classification"

    def reject(
        self, task: Task, text: str, label: str, fixed: Mapping[str, str] | None = None
    ) -> str | None:
        return "a_question" if text.rstrip().endswith("?") else None
