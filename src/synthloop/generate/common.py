"""The shared machinery of every generator: send jobs, parse answers, build records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.parse import parse_example
from synthloop.llm import LLM, Request, Response, complete_many
from synthloop.llm.cache import request_key
from synthloop.llm.journal import Journal, journal_dir
from synthloop.llm.progress import llm_progress
from synthloop.tasktypes.rules import CHATTER


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
    return task.spec.template(step)


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def reject_for_task(text: str, job: Job, task: Task) -> str | None:
    """Why a parsed answer is no use for this task, or None: the rules every type shares,
    then the type's own."""
    if any(_normalised(text) == _normalised(v) for v in job.fixed.values()):
        return "copy_of_context"  # a hypothesis that repeats its premise word for word
    if CHATTER.search(text):
        return "chatter"
    return task.spec.reject(task, text, job.label)


@dataclass
class Generation:
    records: list[Record]
    dropped: Counter[str] = field(default_factory=Counter)
    calls: int = 0

    def summary(self) -> dict[str, Any]:
        return {"kept": len(self.records), "calls": self.calls, "dropped": dict(self.dropped)}


def _outcome(
    llm: LLM, task: Task, job: Job, i: int, resp: Response, *, method: str, round: int
) -> dict[str, Any]:
    """One job's answer and what it makes: a record row, or the reason it was dropped."""
    parsed = parse_example(resp.text, task, prompt=job.request.text, source=job.source)
    record = None
    reason = parsed.reason or "unparsable"
    if parsed.text is not None:
        text = task.spec.clean(parsed.text)
        rejected = reject_for_task(text, job, task)
        if rejected:
            reason = rejected
        else:
            record = Record(
                id=f"{method}-r{round}-{i:05d}",
                inputs={**job.fixed, task.generated_field: text},
                label=job.label,
                method=method,
                round=round,
                parent_id=job.parent_id,
                model=llm.model,
                prompt_hash=job.request.digest(),
                extra=job.extra,
            ).to_row()
    return {
        "job": i,
        "response": {
            "text": resp.text,
            "prompt_tokens": resp.prompt_tokens,
            "completion_tokens": resp.completion_tokens,
            "finish_reason": resp.finish_reason,
        },
        "record": record,
        "dropped": None if record is not None else reason,
    }


async def run_jobs(
    llm: LLM,
    task: Task,
    jobs: list[Job],
    *,
    method: str,
    round: int = 0,
    show_progress: bool = True,
) -> Generation:
    """Send every job, parse each answer into a record, drop repeats.

    Inside :func:`~synthloop.llm.journal.journaling` each outcome is appended to a
    durable journal the moment it arrives, and jobs already journaled are not sent again.
    Records are assembled in job order either way, so which jobs were answered before a
    crash does not change the result.
    """
    lacking = [f for f in task.kept_fields if any(f not in j.fixed for j in jobs)]
    if lacking:  # checked before any call is paid for
        raise ConfigError(
            f"{method}: a {task.type} task keeps a real {lacking[0]} in every example, and "
            "this generator does not supply one (use zerogen, s3-seed or extrapolate)"
        )
    folder = journal_dir()
    journal = Journal(folder / f"{method}-r{round}.jsonl") if folder is not None else None
    keys = [request_key(llm, j.request) for j in jobs]
    outcomes: dict[int, dict[str, Any]] = {}
    if journal is not None:
        for i, key in enumerate(keys):
            entry = journal.get(i, key)
            if entry is not None:
                outcomes[i] = entry
    pending = [i for i in range(len(jobs)) if i not in outcomes]

    def on_result(k: int, resp: Response) -> None:
        i = pending[k]
        outcome = _outcome(llm, task, jobs[i], i, resp, method=method, round=round)
        outcome["key"] = keys[i]
        outcomes[i] = outcome
        if journal is not None:
            journal.append(outcome)

    try:
        with llm_progress(f"{method} r{round}", len(jobs), enabled=show_progress) as on_done:
            for entry in outcomes.values():
                on_done(Response(**entry["response"], cached=True))
            await complete_many(
                llm, [jobs[i].request for i in pending], on_done, on_result=on_result
            )
    finally:
        if journal is not None:
            journal.close()
    gen = Generation(records=[], calls=len(jobs))
    seen: set[str] = set()
    for i in range(len(jobs)):
        outcome = outcomes[i]
        row = outcome["record"]
        if row is None:
            gen.dropped[outcome["dropped"]] += 1
            continue
        record = Record.from_row(row, task.inputs)
        key = _normalised(task.joined_text(record))
        if key in seen:  # the same answer twice adds nothing but weight
            gen.dropped["duplicate"] += 1
            continue
        seen.add(key)
        gen.records.append(record)
    return gen
