"""What a task is: its domain, its input field(s) and its labels, declared in YAML.

Example ``task.yaml``::

    name: movie-sentiment
    type: classification
    domain: short movie reviews written by film critics
    example_noun: movie review
    inputs: [text]
    labels:
      positive: the reviewer liked the film
      negative: the reviewer disliked the film
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthloop.yamlio import read_yaml_mapping, validate_model

if TYPE_CHECKING:
    from synthloop.records import Record

#: What a learner sees for one record: the text, or a tuple of texts for multi-input tasks.
LearnerInput = str | tuple[str, ...]

# Sentence-pair and extractive-QA tasks come next; the type field is the seam for them.
TaskType = Literal["classification"]


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    type: TaskType = "classification"
    domain: str = Field(min_length=1, description="what the data is about, in a few words")
    example_noun: str = Field(
        default="text", min_length=1, description="what one example is called"
    )
    inputs: tuple[str, ...] = ("text",)
    labels: dict[str, str] = Field(description="label name -> what it means")
    # Prompt composition (synthloop.prompts): who the LLM is asked to be, and the task's
    # own template files per step ("zerogen", or "zerogen.chat" for one mode only).
    role: str | None = Field(default=None, description='"Suppose you are ROLE." leads prompts')
    templates: dict[str, str] = Field(default_factory=dict, description="step -> template file")

    @field_validator("labels")
    @classmethod
    def _at_least_two_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        if len(labels) < 2:
            raise ValueError("a classification task needs at least two labels")
        for name, desc in labels.items():
            if not str(name).strip() or not str(desc).strip():
                raise ValueError("every label needs a name and a non-empty description")
        return {str(k): str(v) for k, v in labels.items()}

    @model_validator(mode="after")
    def _one_input_for_classification(self) -> Task:
        if self.type == "classification" and len(self.inputs) != 1:
            raise ValueError("a classification task has exactly one input field")
        return self

    @property
    def label_names(self) -> list[str]:
        return list(self.labels)

    @property
    def text_field(self) -> str:
        return self.inputs[0]

    def learner_input(self, record: Record) -> LearnerInput:
        """What a small model is trained on: the text, or the input fields in order."""
        if len(self.inputs) == 1:
            return record.inputs[self.inputs[0]]
        return tuple(record.inputs[f] for f in self.inputs)

    def joined_text(self, record: Record) -> str:
        """All of a record's input text as one string, for text metrics and deduplication."""
        return "\n".join(record.inputs[f] for f in self.inputs)


def load_task(path: str | Path) -> Task:
    path = Path(path)
    data = read_yaml_mapping(path, "task")
    if isinstance(data.get("templates"), dict):  # template files are relative to the task file
        data["templates"] = {
            k: str((path.parent / v).resolve()) if isinstance(v, str) else v
            for k, v in data["templates"].items()
        }
    return validate_model(Task, data, str(path))
