"""Single-text classification: one input, the LLM writes the whole example for a label."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from synthloop.core.tasktype import TaskType


class Classification(TaskType):
    name = "classification"
    inputs = ("text",)
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
