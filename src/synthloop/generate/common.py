"""The shared machinery of every generator: send jobs, parse answers, build records."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from synthloop.errors import ConfigError
from synthloop.generate.parse import parse_example
from synthloop.llm import LLM, Request, complete_many
from synthloop.progress import llm_progress
from synthloop.records import Record
from synthloop.tasks import Task


@dataclass(frozen=True)
class Job:
    """One LLM call that should yield one example with ``label``."""

    request: Request
    label: str
    parent_id: str | None = None
    source: str | None = None  # the real example being imitated; copying it is not generating
    extra: dict[str, Any] = field(default_factory=dict)
    # real inputs the record keeps as they are (pair: the premise; qa: the passage)
    fixed: dict[str, str] = field(default_factory=dict)


def template_for(task: Task, step: str) -> str:
    """The prompt template of a generation step for the task's type (``pair_zerogen``...)."""
    return step if task.type == "classification" else f"{task.type}_{step}"


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


# A chat model answering as an assistant instead of writing the example.
_CHATTER = re.compile(
    r"\b(?:i'?m (?:here|ready|happy) to (?:help|assist)|how can i (?:help|assist)|"
    r"what (?:topic|would you like))\b",
    re.IGNORECASE,
)


def reject_for_task(text: str, job: Job, task: Task) -> str | None:
    """Why a parsed answer is no use for this task type, or None."""
    if any(_normalised(text) == _normalised(v) for v in job.fixed.values()):
        return "copy_of_context"  # a hypothesis that repeats its premise word for word
    if _CHATTER.search(text):
        return "chatter"
    if task.type == "pair" and re.search(
        rf"\b(?:{'|'.join(map(re.escape, task.inputs))})s?\b", text, re.IGNORECASE
    ):
        return "meta_commentary"  # "The premise is true, so ..." talks about the task
    if task.type == "qa":
        if "?" not in text:
            return "not_a_question"
        if _normalised(job.label) in _normalised(text):
            return "answer_in_question"
    return None


@dataclass
class Generation:
    records: list[Record]
    dropped: Counter[str] = field(default_factory=Counter)
    calls: int = 0

    def summary(self) -> dict[str, Any]:
        return {"kept": len(self.records), "calls": self.calls, "dropped": dict(self.dropped)}


async def run_jobs(
    llm: LLM,
    task: Task,
    jobs: list[Job],
    *,
    method: str,
    round: int = 0,
    show_progress: bool = True,
) -> Generation:
    lacking = [f for f in task.kept_fields if any(f not in j.fixed for j in jobs)]
    if lacking:  # checked before any call is paid for
        raise ConfigError(
            f"{method}: a {task.type} task keeps a real {lacking[0]} in every example, and "
            "this generator does not supply one (use zerogen, s3-seed or extrapolate)"
        )
    with llm_progress(f"{method} r{round}", len(jobs), enabled=show_progress) as on_done:
        responses = await complete_many(llm, [j.request for j in jobs], on_done)
    gen = Generation(records=[], calls=len(jobs))
    seen: set[str] = set()
    for i, (job, resp) in enumerate(zip(jobs, responses, strict=True)):
        parsed = parse_example(resp.text, task, prompt=job.request.text, source=job.source)
        if parsed.text is None:
            gen.dropped[parsed.reason or "unparsable"] += 1
            continue
        text = parsed.text
        if task.type == "qa" and "?" in text:  # one question: cut what a small model adds after
            text = text.split("?")[0].strip().lstrip("\"'“‘«").strip() + "?"
        rejected = reject_for_task(text, job, task)
        if rejected:
            gen.dropped[rejected] += 1
            continue
        inputs = {**job.fixed, task.generated_field: text}
        key = _normalised("\n".join(inputs[f] for f in task.inputs))
        if key in seen:  # the same answer twice adds nothing but weight
            gen.dropped["duplicate"] += 1
            continue
        seen.add(key)
        gen.records.append(
            Record(
                id=f"{method}-r{round}-{i:05d}",
                inputs=inputs,
                label=job.label,
                method=method,
                round=round,
                parent_id=job.parent_id,
                model=llm.model,
                prompt_hash=job.request.digest(),
                extra=job.extra,
            )
        )
    return gen
