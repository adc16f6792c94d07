"""The curation contract: a step takes records and returns the kept ones plus an audit.

datatrove-style: every decision a step makes about a record is one :class:`AuditEntry`
(record id, step, action, reason, score); dropped records are written out with their
reason. Steps are pydantic models, so their parameters are declared and checked, and a
step reads the same from Python (``MinHashDedup(threshold=0.7)``) as from YAML
(``- minhash_dedup: {threshold: 0.7}``).

Actions: ``drop`` (record removed), ``flag`` (kept, but queued for a person),
``relabel`` (label changed; ``detail`` holds old and new), ``weight`` (a training weight
set in ``record.extra["weight"]``), ``keep`` (a person confirmed the record).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.llm import LLM
from synthloop.prompts import Prompter

Action = Literal["drop", "flag", "relabel", "weight", "keep"]
Mode = Literal["drop", "flag"]


@dataclass(frozen=True)
class AuditEntry:
    record_id: str
    step: str
    action: Action
    reason: str
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "record_id": self.record_id,
            "step": self.step,
            "action": self.action,
            "reason": self.reason,
            "score": None if self.score is None else round(float(self.score), 4),
        }
        if self.detail:
            row["detail"] = self.detail
        return row


@dataclass
class StepResult:
    kept: list[Record]
    audit: list[AuditEntry] = field(default_factory=list)


@dataclass
class CurateContext:
    """What steps may need besides the records: the task, real splits to check leaks
    against, an LLM (cached) for agreement checks, the small model, a seed, and where
    duplicates, embeddings and cross-validation are computed (this process, or Ray)."""

    task: Task
    references: dict[str, list[Record]] = field(default_factory=dict)
    llm: LLM | None = None
    prompter: Prompter | None = None
    learner: str | None = "tfidf_lr"  # None: the task type's default learner
    seed: int = 0
    show_progress: bool = False
    memo: dict[Any, Any] = field(default_factory=dict)  # shared work (e.g. CV probabilities)
    compute: Compute = LOCAL
    #: the records a person dropped (an earlier human_review step): the dedup steps drop
    #: their copies as they dropped them before, when the person saw the dropped one alone
    person_dropped: Sequence[Record] = ()


def is_human_checked(record: Record) -> bool:
    """A person kept or relabelled it: model-based steps leave it alone."""
    return bool(record.extra.get("review"))


def with_extra(record: Record, **extra: Any) -> Record:
    return dataclasses.replace(record, extra={**record.extra, **extra})


def relabelled(record: Record, new_label: str, step: str, score: float | None) -> Record:
    """The record with ``new_label``; its old label is kept in ``extra["label_history"]``."""
    history = [
        *record.extra.get("label_history", []),
        {"label": record.label, "step": step, "score": score},
    ]
    return dataclasses.replace(
        record, label=new_label, extra={**record.extra, "label_history": history}
    )


class Step(BaseModel):
    """A curation step. Subclasses set ``name`` and implement :meth:`run` (or
    :meth:`arun` when they await an LLM)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ClassVar[str] = "step"
    #: it judges records by their class label: not for answers or responses (QA, instructions)
    needs_labels: ClassVar[bool] = False

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        raise NotImplementedError(f"{type(self).__name__} only runs asynchronously (arun)")

    async def arun(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        return self.run(records, ctx)

    def spec(self) -> dict[str, Any]:
        """The YAML form of this step: ``{name: {params}}``."""
        return {self.name: self.model_dump(mode="json")}


class FilterStep(Step):
    """A step that judges records one by one: drop (or flag) those that fail, with a reason."""

    mode: Mode = "drop"

    def judge(
        self, records: Sequence[Record], ctx: CurateContext
    ) -> list[tuple[str, float] | None]:
        """For each record: None to pass it, or (reason, score) to drop or flag it."""
        raise NotImplementedError

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        return apply_verdicts(self.name, self.mode, records, self.judge(records, ctx))


def apply_verdicts(
    step: str,
    mode: Mode,
    records: Sequence[Record],
    verdicts: Sequence[tuple[str, float] | None],
    details: Sequence[dict[str, Any]] | None = None,
) -> StepResult:
    kept: list[Record] = []
    audit: list[AuditEntry] = []
    for i, (record, verdict) in enumerate(zip(records, verdicts, strict=True)):
        if verdict is None:
            kept.append(record)
            continue
        reason, score = verdict
        detail = details[i] if details is not None else {}
        audit.append(AuditEntry(record.id, step, mode, reason, score, detail))
        if mode == "flag":
            kept.append(record)
    return StepResult(kept, audit)


def run_sync(step: Step, records: Sequence[Record], ctx: CurateContext) -> StepResult:
    """Run a step from synchronous code, async or not."""
    return asyncio.run(step.arun(records, ctx))
