"""A prompt as three declared parts — the survey's E(e_task, e_condition, e_demo):

* **task specification**: the step's own template (what to write, for which label), led by
  the task's ``role`` ("Suppose you are a film critic …") when it has one;
* **generation conditions**: key → value (topic, length, style, audience, a concept-tree
  leaf …) that this one example must fit;
* **in-context demonstrations**: a few real examples, most relevant first.

Each part is rendered by its own template (``role``, ``conditions``, ``demonstrations``),
then the step template places the rendered parts (``parts.role``, ``parts.conditions``,
``parts.demos``); an empty part renders as nothing, so a prompt with no conditions and no
demonstrations is exactly the plain prompt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task
    from synthloop.llm import Request


@dataclass(frozen=True)
class Demo:
    """One in-context demonstration: a real example as a prompt shows it."""

    text: str  # all its input text as one string (Task.joined_text)
    label: str | None = None
    id: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)  # per field, for multi-input tasks

    @classmethod
    def from_record(cls, record: Record, task: Task, *, with_label: bool = True) -> Demo:
        return cls(
            text=task.joined_text(record),
            label=record.label if with_label else None,
            id=record.id,
            inputs=dict(record.inputs),
        )


@dataclass(frozen=True)
class RenderedParts:
    """The three parts as text, as step templates see them (``parts.role`` …)."""

    role: str = ""
    conditions: str = ""
    demos: str = ""


@dataclass(frozen=True)
class Composed:
    """A request and what went into it, for the record's provenance."""

    request: Request
    conditions: dict[str, str]
    demos: tuple[Demo, ...]  # the demonstrations that fitted the token budget
    demos_dropped: int = 0  # demonstrations cut to stay within the budget
    prompt_tokens: int = 0  # as counted for the budget

    def provenance(self) -> dict[str, Any]:
        """What a record's ``extra`` keeps of its prompt (only the parts that were used)."""
        out: dict[str, Any] = {}
        if self.conditions:
            out["conditions"] = dict(self.conditions)
        if self.demos:
            out["demos"] = [d.id for d in self.demos]
        if self.demos_dropped:
            out["demos_dropped"] = self.demos_dropped
        return out


def as_demos(items: Sequence[Demo | Record], task: Task) -> list[Demo]:
    from synthloop.core.records import Record

    return [Demo.from_record(d, task) if isinstance(d, Record) else d for d in items]
