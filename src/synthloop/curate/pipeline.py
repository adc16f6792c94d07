"""A curation pipeline: steps in order, one audit, and what a run writes.

From YAML (a run config's ``curate:`` section)::

    curate:
      steps:
        - exact_dedup
        - minhash_dedup: {threshold: 0.8}
        - length: {min_words: 3}
        - confidence: {threshold: 0.2, mode: flag}
      review_queue: 50

From the command line: ``--steps "exact_dedup,minhash_dedup(threshold=0.8),length"``.
From Python: ``Pipeline([ExactDedup(), MinHashDedup(threshold=0.8)]).run(records, ctx)``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from synthloop.core.errors import ConfigError, DataError
from synthloop.core.io import write_json, write_jsonl, write_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.yamlio import describe_validation_error
from synthloop.curate.base import AuditEntry, CurateContext, Step
from synthloop.curate.confidence import ConfidenceFilter, LLMAgreementFilter
from synthloop.curate.dedup import EmbeddingDedup, ExactDedup, MinHashDedup
from synthloop.curate.defaults import DEFAULT_STEPS
from synthloop.curate.heuristics import (
    LanguageFilter,
    LengthFilter,
    NonTextFilter,
    PlaceholderFilter,
    PromptLeftoverFilter,
    RefusalFilter,
    RepetitionFilter,
)
from synthloop.curate.relabel import CrossPartitionRelabel
from synthloop.curate.review import (
    QUEUE_FILE,
    STORE_FILE,
    HumanReview,
    build_queue,
    dropped_by_person,
    person_dropped,
)
from synthloop.curate.weighting import ConfidenceWeighting, SunGenWeighting

STEPS: dict[str, type[Step]] = {
    cls.name: cls
    for cls in (
        ExactDedup,
        MinHashDedup,
        EmbeddingDedup,
        LengthFilter,
        RepetitionFilter,
        NonTextFilter,
        LanguageFilter,
        PromptLeftoverFilter,
        PlaceholderFilter,
        RefusalFilter,
        ConfidenceFilter,
        LLMAgreementFilter,
        ConfidenceWeighting,
        SunGenWeighting,
        CrossPartitionRelabel,
        HumanReview,
    )
}


StepSpec = str | dict[str, Any]


def make_step(spec: StepSpec | Step) -> Step:
    """A step from ``"name"`` or ``{name: {params}}``; a clear error for anything else."""
    if isinstance(spec, Step):
        return spec
    params: Any
    if isinstance(spec, str):
        name, params = spec, {}
    elif isinstance(spec, dict) and len(spec) == 1:
        name, params = next(iter(spec.items()))
        params = params or {}
    else:
        raise ConfigError(f"a curation step is a name or {{name: {{params}}}}, not {spec!r}")
    if name not in STEPS:
        raise ConfigError(f"unknown curation step {name!r}; choose one of: {', '.join(STEPS)}")
    if not isinstance(params, dict):
        raise ConfigError(f"curation step {name}: parameters must be a mapping, not {params!r}")
    try:
        return STEPS[name].model_validate(params)
    except ValidationError as exc:
        raise ConfigError(f"curation step {name}: {describe_validation_error(exc)}") from exc


def default_steps(task: Task) -> list[StepSpec]:
    """:data:`DEFAULT_STEPS` less those that judge class labels when ``task``'s records
    have none (a QA answer, an instruction's response)."""
    return [s for s in DEFAULT_STEPS if task.has_labels or not make_step(s).needs_labels]


def check_steps_fit(steps: Sequence[Step | StepSpec], task: Task) -> None:
    """A step that judges class labels, on a task whose labels are free text: refused."""
    if task.has_labels:
        return
    _fitting_steps(steps, task)


def _fitting_steps(specs: Sequence[Step | StepSpec], task: Task) -> list[Step]:
    """The steps of ``specs``, made in order (:func:`make_step`); each refused as it is
    made if it judges class labels and ``task``'s label is free text."""
    steps = []
    for spec in specs:
        step = make_step(spec)
        if step.needs_labels and not task.has_labels:
            raise ConfigError(
                f"curation step {step.name} judges class labels, and a {task.type} task's "
                "label is free text (an answer or a response)",
                hint=f"leave {step.name} out of the curation steps",
            )
        steps.append(step)
    return steps


_CLI_STEP = re.compile(r"\s*([\w-]+)\s*(?:\(([^()]*)\))?\s*(?:,|$)")


def _split_args(args: str) -> list[str]:
    """``"a=[x,y],b=2"`` -> ``["a=[x,y]", "b=2"]``: split on the commas outside brackets and
    quotes (a list value's own commas were split too, and its half read as broken YAML)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(args):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return parts


def parse_steps_option(text: str) -> list[StepSpec]:
    """``"exact_dedup,minhash_dedup(threshold=0.7,ngram=2),length"`` -> step specs."""
    specs: list[StepSpec] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _CLI_STEP.match(text, pos)
        if m is None or m.end() == pos:
            raise ConfigError(f"cannot read --steps at {text[pos:]!r}; e.g. 'length(min_words=3)'")
        name, args = m.group(1), m.group(2)
        if args is None or not args.strip():
            specs.append(name)
        else:
            params: dict[str, Any] = {}
            for part in _split_args(args):
                key, sep, value = part.partition("=")
                key = key.strip()
                if not sep or not key:
                    raise ConfigError(f"--steps {name}: expected key=value, got {part.strip()!r}")
                if key in params:
                    raise ConfigError(f"--steps {name}: {key} is given twice")
                try:
                    params[key] = yaml.safe_load(value.strip())
                except yaml.YAMLError as exc:
                    problem = getattr(exc, "problem", None) or "not a YAML value"
                    raise ConfigError(
                        f"--steps {name}: cannot read {key}={value.strip()!r} ({problem})",
                        hint="a list is written [a,b]; quote a text holding , [ ] { } or :",
                    ) from exc
            specs.append({name: params})
        pos = m.end()
    if not specs:
        raise ConfigError("--steps is empty; name at least one step")
    return specs


class CurateConfig(BaseModel):
    """The ``curate:`` section of a run config."""

    model_config = ConfigDict(extra="forbid")
    steps: list[StepSpec] = Field(default_factory=lambda: list(DEFAULT_STEPS))
    review_queue: int = Field(default=50, ge=0, description="least-confident records to queue")

    @field_validator("steps")
    @classmethod
    def _steps_exist(cls, steps: list[StepSpec]) -> list[StepSpec]:
        for spec in steps:
            try:
                make_step(spec)
            except ConfigError as exc:
                raise ValueError(exc.message) from None
        return steps

    def pipeline(self) -> Pipeline:
        return Pipeline([make_step(s) for s in self.steps])


#: what dropped.jsonl adds to each dropped record: the step, the reason, its score and detail
DROP_FIELDS = ("dropped_by", "reason", "score", "detail")


def _drop_fields(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """:data:`DROP_FIELDS`, prefixed until no name is a column of ``rows`` (dropped records)."""
    prefix = ""
    while any(prefix + name in row for row in rows for name in DROP_FIELDS):
        prefix += "synthloop_"
    return tuple(prefix + name for name in DROP_FIELDS)


@dataclass
class CurationResult:
    input_size: int
    kept: list[Record]
    audit: list[AuditEntry]
    dropped: list[tuple[Record, AuditEntry]]
    steps: list[dict[str, Any]]
    queue: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def counts(self) -> Counter[tuple[str, str, str]]:
        """(step, action, reason) -> records; weights are summarised elsewhere."""
        return Counter((e.step, e.action, e.reason) for e in self.audit if e.action != "weight")

    def summary(self) -> dict[str, Any]:
        changed = {e.record_id for e in self.audit if e.action == "relabel"}
        return {
            "labels": self.labels,
            "input": self.input_size,
            "kept": len(self.kept),
            "dropped": len(self.dropped),
            "relabelled": len(changed),
            "flagged": len({e.record_id for e in self.audit if e.action == "flag"}),
            "weighted": any(e.action == "weight" for e in self.audit),
            "queued_for_review": len(self.queue),
            "steps": self.steps,
            "by_step": [
                {"step": s, "action": a, "reason": r, "records": n}
                for (s, a, r), n in sorted(self.counts().items())
            ],
        }

    def drop_fields(self) -> tuple[str, ...]:
        """The names dropped.jsonl gives why each record was dropped: :data:`DROP_FIELDS`,
        prefixed ``synthloop_`` when a dropped record has a column of one of those names of
        its own (a user's ``score``), which is then written as it was."""
        return _drop_fields([rec.to_row() for rec, _ in self.dropped])

    def write(self, out: str | Path) -> Path:
        """dataset.jsonl (kept), dropped.jsonl (with reasons), audit.jsonl, summary.json,
        review_queue.jsonl. Each file is replaced atomically."""
        out = Path(out)
        write_records(self.kept, out / "dataset.jsonl")
        rows = [rec.to_row() for rec, _ in self.dropped]
        by, reason, score, detail = _drop_fields(rows)
        write_jsonl(
            (
                {**row, by: e.step, reason: e.reason, score: e.score, detail: e.detail}
                for row, (_, e) in zip(rows, self.dropped, strict=True)
            ),
            out / "dropped.jsonl",
        )
        write_jsonl((e.to_row() for e in self.audit), out / "audit.jsonl")
        write_jsonl(self.queue, out / QUEUE_FILE)
        write_json(self.summary(), out / "summary.json")
        return out


class Pipeline:
    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)
        #: the task and the steps checked to fit it when made (for_task, with_review): a run
        #: of those steps on that task (or an equal one) is not checked again
        self._fit: tuple[Task, list[Step]] | None = None

    @classmethod
    def for_task(cls, specs: Sequence[Step | StepSpec], task: Task) -> Pipeline:
        """The pipeline of ``specs`` (:func:`make_step`), a step that does not fit
        ``task`` refused now, before any work (:func:`check_steps_fit`); a run on
        ``task`` does not check them again."""
        pipeline = cls(_fitting_steps(specs, task))
        pipeline._fit = (task, list(pipeline.steps))
        return pipeline

    async def arun(
        self, records: Sequence[Record], ctx: CurateContext, *, review_queue: int = 0
    ) -> CurationResult:
        if self._fit != (ctx.task, self.steps):
            check_steps_fit(self.steps, ctx.task)
        current = list(records)
        _check_unique_ids(current)
        audit: list[AuditEntry] = []
        dropped: list[tuple[Record, AuditEntry]] = []
        for step in self.steps:
            by_id = {r.id: r for r in current}
            result = await step.arun(current, ctx)
            audit.extend(result.audit)
            dropped.extend((by_id[e.record_id], e) for e in result.audit if e.action == "drop")
            current = result.kept
            if isinstance(step, HumanReview):  # the dedup steps after it drop their copies
                ctx = dataclasses.replace(ctx, person_dropped=person_dropped(dropped))
        # every flagged record is queued, whatever the number of least-confident ones
        flagged = any(e.action == "flag" for e in audit)
        queue = (
            build_queue(current, audit, ctx, size=review_queue) if review_queue or flagged else []
        ) + dropped_by_person(dropped)
        return CurationResult(
            input_size=len(records),
            kept=current,
            audit=audit,
            dropped=dropped,
            steps=[s.spec() for s in self.steps],
            queue=queue,
            labels=ctx.task.label_names,
        )

    def run(
        self, records: Sequence[Record], ctx: CurateContext, *, review_queue: int = 0
    ) -> CurationResult:
        return asyncio.run(self.arun(records, ctx, review_queue=review_queue))


def _check_unique_ids(records: Sequence[Record]) -> None:
    """The audit, the dropped records, the review queue and a person's decisions name
    records by id: two different records with one id would be mistaken for each other (a
    record repeated whole is a duplicate, for the dedup steps to drop)."""
    first: dict[str, int] = {}
    for i, record in enumerate(records):
        j = first.setdefault(record.id, i)
        other = records[j]
        if j != i and (other.inputs, other.label) != (record.inputs, record.label):
            raise DataError(
                f"records {j + 1} and {i + 1} have the same id {record.id!r}; curation tells "
                "records apart by id",
                hint="give every record its own id, or leave the id column out",
            )


def with_review(pipeline: Pipeline, out: str | Path) -> Pipeline:
    """The pipeline with a person's decisions saved in ``out``: applied first when it holds
    any, or where a ``human_review`` step with no store of its own is named."""
    store = str(Path(out) / STORE_FILE)
    steps = [
        HumanReview(store=store) if isinstance(s, HumanReview) and s.store is None else s
        for s in pipeline.steps
    ]
    if not any(isinstance(s, HumanReview) for s in steps) and Path(store).exists():
        steps = [HumanReview(store=store), *steps]
    if steps == pipeline.steps:
        return pipeline
    reviewed = Pipeline(steps)
    if pipeline._fit is not None:  # a person's decisions judge no class labels: still fit
        reviewed._fit = (pipeline._fit[0], list(steps))
    return reviewed
