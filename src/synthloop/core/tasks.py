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

``type:`` names a registered task type (:mod:`synthloop.tasktypes`; the contract is
:class:`~synthloop.core.tasktype.TaskType`), which supplies the default inputs, whether
records carry class labels, and everything else that differs between types:

- ``pair`` (sentence pair / NLI): two inputs; the LLM writes ``generated`` (default: the
  second input, e.g. the hypothesis) for a real value of the other one (the premise).
- ``qa`` (extractive QA): inputs ``[context, question]``; a record's label is its answer,
  a span of the context; the LLM writes the question for a real passage and answer.
- ``instruction`` (Self-Instruct): inputs ``[instruction, input]``; the label is the
  response. No labels are declared for ``qa`` and ``instruction``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthloop.core.tasktype import TaskType, task_type, task_types
from synthloop.core.yamlio import label_keyed, read_yaml_mapping, validate_model

if TYPE_CHECKING:
    from synthloop.core.records import Record

#: What a learner sees for one record: the text, or a tuple of texts for multi-input tasks.
LearnerInput = str | tuple[str, ...]


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    type: str = Field(default="classification", description="a registered task type")
    domain: str = Field(min_length=1, description="what the data is about, in a few words")
    example_noun: str = Field(
        default="text", min_length=1, description="what one example is called"
    )
    inputs: tuple[str, ...] = ("text",)
    labels: dict[str, str] = Field(
        default_factory=dict, description="label name -> what it means (classification, pair)"
    )
    generated: str | None = Field(
        default=None,
        description="pair/qa: the input field the LLM writes; the others are kept from real data",
    )
    # Prompt composition (synthloop.prompts): who the LLM is asked to be, and the task's
    # own template files per step ("zerogen", or "zerogen.chat" for one mode only).
    role: str | None = Field(default=None, description='"Suppose you are ROLE." leads prompts')
    templates: dict[str, str] = Field(default_factory=dict, description="step -> template file")

    @model_validator(mode="before")
    @classmethod
    def _default_inputs(cls, data: Any) -> Any:
        if isinstance(data, dict) and "inputs" not in data:
            kind = data.get("type", "classification")
            if isinstance(kind, str) and kind in task_types():
                data = {**data, "inputs": task_type(kind).inputs}
        return data

    @field_validator("type")
    @classmethod
    def _registered(cls, name: str) -> str:
        task_type(name)  # a ValueError naming the registered types
        return name

    _labels_as_text = field_validator("labels", mode="before")(label_keyed)

    @field_validator("inputs")
    @classmethod
    def _distinct_inputs(cls, inputs: tuple[str, ...]) -> tuple[str, ...]:
        # checked before the type's count of inputs: [text, text] is two names for one field
        twice = [f for i, f in enumerate(inputs) if f in inputs[:i]]
        if twice:
            raise ValueError(f"{twice[0]!r} is named twice; each input field needs its own name")
        if "label" in inputs:
            raise ValueError("'label' is the label's field; name the input field otherwise")
        return inputs

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        for name, desc in labels.items():
            if not str(name).strip() or not str(desc).strip():
                raise ValueError("every label needs a name and a non-empty description")
        return {str(k): str(v) for k, v in labels.items()}

    @model_validator(mode="after")
    def _fits_its_type(self) -> Task:
        problem = self.spec.check(self)
        if problem:
            raise ValueError(problem)
        if self.generated is not None and self.generated not in self.inputs:
            raise ValueError(f"generated: {self.generated!r} is not one of the inputs")
        return self

    @property
    def spec(self) -> TaskType:
        """This task's type: what differs between classification, pairs, QA, instructions."""
        return task_type(self.type)

    @property
    def label_names(self) -> list[str]:
        return list(self.labels)

    @property
    def text_field(self) -> str:
        return self.inputs[0]

    @property
    def has_labels(self) -> bool:
        """Whether records carry a class label (else the label is free text: answer, response)."""
        return self.spec.labelled

    @property
    def generated_field(self) -> str:
        """The input the LLM writes: ``generated`` when declared, else as the type says
        (the only input, or the second)."""
        if self.generated is not None:
            return self.generated
        return self.spec.generated_field(self)

    @property
    def kept_fields(self) -> tuple[str, ...]:
        """Inputs kept from real data when generating (a premise, a passage)."""
        return self.spec.kept_fields(self)

    @property
    def default_learner(self) -> str | None:
        return self.spec.default_learner

    def learner_input(self, record: Record) -> LearnerInput:
        """What a small model is trained on: the text, or the input fields in the order
        the type wants (QA: always ``(context, question)``)."""
        return self.spec.learner_input(self, record)

    def joined_text(self, record: Record) -> str:
        """All of a record's input text as one string, for text metrics and deduplication."""
        return "\n".join(record.inputs[f] for f in self.inputs)

    def shown_text(self, record: Record) -> str:
        """A record as a reader (the LLM judge) is shown it: the text, or each input on a
        line of its own under its field's name ("Claim: …" / "Evidence: …"), so that a
        pair is not read as one text."""
        if len(self.inputs) == 1:
            return record.inputs[self.inputs[0]]
        return "\n".join(
            f"{f.replace('_', ' ').capitalize()}: {record.inputs[f]}" for f in self.inputs
        )


def with_article(noun: str) -> str:
    """``noun`` after "a" or "an" as it is written: "an evidence sentence", "a review"
    (by its first letter; "an" before a vowel, save the "one" and "use" sounds)."""
    word = noun.strip().lower()
    vowel = word[:1] in "aeiou" and not word.startswith(("one", "uni", "use", "usu", "eu"))
    return f"{'an' if vowel and word else 'a'} {noun}"


def load_task(path: str | Path) -> Task:
    path = Path(path)
    data = read_yaml_mapping(path, "task")
    if isinstance(data.get("templates"), dict):  # template files are relative to the task file
        data["templates"] = {
            k: str((path.parent / v).resolve()) if isinstance(v, str) else v
            for k, v in data["templates"].items()
        }
    return validate_model(Task, data, str(path))
