"""Model-based confidence: the small model's cross-validated probability of the given
label, and the LLM's own label for the text. Records below the bar are dropped or, with
``mode: flag``, kept and queued for a person. Records a person already checked are left
alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task
from synthloop.curate.base import (
    CurateContext,
    FilterStep,
    Mode,
    Step,
    StepResult,
    apply_verdicts,
    is_human_checked,
)
from synthloop.curate.crossval import cross_val_proba
from synthloop.llm import Request, complete_many
from synthloop.llm.progress import llm_progress

Verdict = tuple[str, float] | None


class ConfidenceFilter(FilterStep):
    """Drop (or flag) records whose cross-validated probability of their own label is
    below ``threshold``."""

    name = "confidence"
    needs_labels = True
    threshold: float = Field(default=0.2, ge=0.0, le=1.0)
    folds: int = Field(default=5, ge=2)
    learner: str | None = None

    def judge(self, records: Sequence[Record], ctx: CurateContext) -> list[Verdict]:
        cv = cross_val_proba(records, ctx, folds=self.folds, learner=self.learner)
        given = cv.given([r.label for r in records])
        # a record no fold model judged has a uniform row, no opinion: with six labels
        # and a threshold of 0.2 its 0.17 dropped every record
        return [
            ("low_confidence", float(p))
            if judged and p < self.threshold and not is_human_checked(r)
            else None
            for r, p, judged in zip(records, given, cv.judged_mask(), strict=True)
        ]


def label_request(task: Task, ctx: CurateContext, text: str, seed: int) -> Request:
    """Ask the LLM which label fits ``text``: greedy, a few tokens."""
    labels = "\n".join(f"- {name}: {desc}" for name, desc in task.labels.items())
    if ctx.prompter is not None:
        req = ctx.prompter.request("label", seed=seed, max_tokens=8, text=text, labels=labels)
        return req.model_copy(update={"temperature": 0.0})
    prompt = (
        f"Classify this {task.example_noun} with one of these labels:\n{labels}\n\n"
        f'{task.example_noun.capitalize()}: "{text}"\n\nAnswer with the label name only.'
    )
    return Request.chat(prompt, temperature=0.0, max_tokens=8, seed=seed)


def parse_label(answer: str, labels: Sequence[str]) -> str | None:
    """The label the answer names first (whole word, any case); None if it names none."""
    found = []
    for label in labels:
        m = re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", answer, re.IGNORECASE)
        if m:
            found.append((m.start(), label))
    return min(found)[1] if found else None


class LLMAgreementFilter(Step):
    """Ask the LLM to label each text (greedy, cached); drop (or flag) records where its
    label differs from the given one. An answer that names no label passes."""

    name = "llm_agreement"
    needs_labels = True
    mode: Mode = "drop"

    async def arun(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        if ctx.llm is None:
            raise ConfigError("the llm_agreement step needs an LLM (llm: in the run config)")
        task = ctx.task
        todo = [i for i, r in enumerate(records) if not is_human_checked(r)]
        requests = [
            label_request(
                task,
                ctx,
                task.joined_text(records[i]),
                derive_seed(ctx.seed, "label", records[i].id),
            )
            for i in todo
        ]
        with llm_progress("llm labels", len(requests), enabled=ctx.show_progress) as on_done:
            responses = await complete_many(ctx.llm, requests, on_done)
        verdicts: list[Verdict] = [None] * len(records)
        details: list[dict[str, str]] = [{} for _ in records]
        for i, resp in zip(todo, responses, strict=True):
            said = parse_label(resp.text, task.label_names)
            if said is not None and said != records[i].label:
                verdicts[i] = ("llm_disagrees", 0.0)
                details[i] = {"llm_label": said}
        return apply_verdicts(self.name, self.mode, records, verdicts, details)
