"""The one contract of every generator, and the one runner every LLM call goes through.

A generator is a *plan*: a Python generator function that yields :class:`Stage` objects
(a batch of :class:`Job` calls) and is sent back each stage's :class:`Answer` list, so a
later stage can depend on what earlier ones said (rationales, then examples; one dialogue
turn after another; Self-Instruct's instructions, then their responses). It returns what
it made, usually a :class:`Generation`. :func:`run_plan` runs a plan against an LLM;
:mod:`synthloop.generate.estimate` walks the same plan without one, so an estimate prices
exactly the requests a run would send.

:func:`run_stage` is where every call goes: the response cache and budget (wrappers of the
LLM), the journal (crash safety: answers already journaled are not asked again), the
progress bar, and, for stages that make records, the parser and the reject rules (those
every task type shares, then the type's own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.parse import copies_source, parse_example
from synthloop.llm import LLM, Request, Response, complete_many
from synthloop.llm.cache import request_key
from synthloop.llm.journal import Journal, journal_dir
from synthloop.llm.progress import llm_progress
from synthloop.tasktypes.rules import CHATTER, copies_context, lowered

T = TypeVar("T")


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


@dataclass
class Stage:
    """One batch of calls a plan asks for.

    A *record stage* (``method`` set) turns each answer into a record with id
    ``<method>-r<round>-<job>``, or a reason it was dropped; its journal is
    ``<method>-r<round>.jsonl``. Any other stage hands the raw answers back to the plan,
    journaled as ``<name>.jsonl``.
    """

    name: str  # the journal file's stem
    jobs: Sequence[Job]  # a huge stage's are made as asked for (see core.inorder)
    progress: str  # the progress bar's label
    method: str | None = None
    round: int = 0
    #: what one answer looks like, for the estimate's stand-ins: an example, or a list of
    #: ``items`` lines
    shape: Literal["example", "list"] = "example"
    items: int = 1
    stand_in: Callable[[int, Job], str] | None = None  # the estimate's answer to job i
    #: at most this many calls may follow this stage (None: unknown); lets the estimate
    #: price the rest of a huge plan without walking it
    calls_left: int | None = None
    #: the plan asks until a call cap (Self-Instruct: until n are kept or max_calls
    #: spent): how many calls a run makes depends on its answers, the estimate's is the cap
    capped: bool = False

    @classmethod
    def records(
        cls,
        jobs: Sequence[Job],
        *,
        method: str,
        round: int = 0,
        progress: str | None = None,
        calls_left: int | None = None,
    ) -> Stage:
        return cls(
            name=f"{method}-r{round}",
            jobs=jobs,
            progress=progress or f"{method} r{round}",
            method=method,
            round=round,
            calls_left=calls_left,
        )


@dataclass(frozen=True)
class Answer:
    """What one job came back with: the text, and for a record stage the record made of
    it (or why none was)."""

    text: str
    record: Record | None = None
    dropped: str | None = None
    model: str = ""  # the LLM that answered, for records a plan builds itself


#: a generator: yields stages, is sent their answers, returns what it made
Plan = Generator[Stage, list[Answer], T]


@dataclass
class Generation:
    records: list[Record]
    dropped: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    #: more figures for the summary (Self-Instruct's rounds)
    info: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "kept": len(self.records),
            "calls": self.calls,
            **self.info,
            "dropped": dict(self.dropped),
        }


def template_for(task: Task, step: str) -> str:
    """The prompt template of a generation step for the task's type (``pair_zerogen``...)."""
    return task.spec.template(step)


def reject_for_task(text: str, job: Job, task: Task) -> str | None:
    """Why a parsed answer is no use for this task, or None: the rules every type shares,
    then the type's own."""
    if any(copies_context(text, v) for v in job.fixed.values()):
        return "copy_of_context"  # a hypothesis that repeats (the start of) its premise
    if CHATTER.search(text):
        return "chatter"
    return task.spec.reject(task, text, job.label, job.fixed)


def record_outcome(
    model: str, task: Task, job: Job, i: int, text: str, *, method: str, round: int
) -> tuple[dict[str, Any] | None, str | None]:
    """What one answer of a record stage makes: a record row, or the reason it was dropped."""
    parsed = parse_example(text, task, prompt=job.request.text, source=job.source)
    if parsed.text is None:
        return None, parsed.reason or "unparsable"
    rejected = task.spec.reject_raw(task, text)
    if rejected:
        return None, rejected
    cleaned = task.spec.clean(parsed.text)
    if job.source is not None and copies_source(cleaned, job.source):
        # the type's clean can uncover a copy the parser could not see ("What is the
        # answer to the question "<the error's own question>"")
        return None, "copy_of_source"
    rejected = reject_for_task(cleaned, job, task)
    if rejected:
        return None, rejected
    record = Record(
        id=f"{method}-r{round}-{i:05d}",
        inputs={**job.fixed, task.generated_field: cleaned},
        label=job.label,
        method=method,
        round=round,
        parent_id=job.parent_id,
        model=model,
        prompt_hash=job.request.digest(),
        extra=job.extra,
    )
    return record.to_row(), None


def _entry(
    model: str, task: Task, stage: Stage, i: int, resp: Response, key: str
) -> dict[str, Any]:
    """One journal line: the answer, and for a record stage what it made."""
    row, dropped = None, None
    if stage.method is not None:
        row, dropped = record_outcome(
            model, task, stage.jobs[i], i, resp.text, method=stage.method, round=stage.round
        )
    return {
        "job": i,
        "key": key,
        "response": {
            "text": resp.text,
            "prompt_tokens": resp.prompt_tokens,
            "completion_tokens": resp.completion_tokens,
            "finish_reason": resp.finish_reason,
        },
        "record": row,
        "dropped": dropped,
    }


def answer_of(entry: dict[str, Any], task: Task, model: str) -> Answer:
    row = entry["record"]
    record = Record.from_row(row, task.inputs) if row is not None else None
    return Answer(
        text=entry["response"]["text"], record=record, dropped=entry["dropped"], model=model
    )


def check_kept_inputs(task: Task, stage: Stage, jobs: Iterable[Job] | None = None) -> None:
    """A record stage of a pair/QA task must keep a real premise or passage in every job
    (checked before any call is paid for): in ``jobs``, else in all the stage's."""
    if stage.method is None or not task.kept_fields:
        return
    jobs = stage.jobs if jobs is None else jobs
    lacking = [f for f in task.kept_fields if any(f not in j.fixed for j in jobs)]
    if lacking:
        raise ConfigError(
            f"{stage.method}: a {task.type} task keeps a real {lacking[0]} in every example, "
            "and this generator does not supply one (use zerogen, s3-seed or extrapolate)"
        )


async def run_stage(
    llm: LLM, task: Task, stage: Stage, *, show_progress: bool = True
) -> list[Answer]:
    """Send every job of ``stage`` (those not journaled yet); the answers in job order.

    Inside :func:`~synthloop.llm.journal.journaling` each answer is appended to a durable
    journal the moment it arrives, and jobs already journaled are not sent again. Answers
    are returned in job order either way, so which jobs were answered before a crash does
    not change the result.
    """
    check_kept_inputs(task, stage)
    jobs = stage.jobs
    folder = journal_dir()
    journal = Journal(folder / f"{stage.name}.jsonl") if folder is not None else None
    keys = [request_key(llm, j.request) for j in jobs]
    entries: dict[int, dict[str, Any]] = {}
    if journal is not None:
        for i, key in enumerate(keys):
            entry = journal.get(i, key)
            if entry is not None:
                entries[i] = entry
    pending = [i for i in range(len(jobs)) if i not in entries]

    def on_result(k: int, resp: Response) -> None:
        i = pending[k]
        entries[i] = _entry(llm.model, task, stage, i, resp, keys[i])
        if journal is not None:
            journal.append(entries[i])

    try:
        with llm_progress(stage.progress, len(jobs), enabled=show_progress) as on_done:
            for i, entry in entries.items():
                replayed = Response(**entry["response"], cached=True)
                llm.replayed(jobs[i].request, replayed)  # a hit, as the bar counts it
                on_done(replayed)
            await complete_many(
                llm, [jobs[i].request for i in pending], on_done, on_result=on_result
            )
    finally:
        if journal is not None:
            journal.close()
    return [answer_of(entries[i], task, llm.model) for i in range(len(jobs))]


def collect(answers: Sequence[Answer], task: Task, *, calls: int | None = None) -> Generation:
    """A record stage's records in job order, repeats dropped, drops counted by reason."""
    gen = Generation(records=[], calls=len(answers) if calls is None else calls)
    seen: set[str] = set()
    for answer in answers:
        if answer.record is None:
            gen.dropped[answer.dropped or "unparsable"] += 1
            continue
        key = lowered(task.joined_text(answer.record))
        if key in seen:  # the same answer twice adds nothing but weight
            gen.dropped["duplicate"] += 1
            continue
        seen.add(key)
        gen.records.append(answer.record)
    return gen


def records_plan(
    jobs: Sequence[Job],
    task: Task,
    *,
    method: str,
    round: int = 0,
    calls_left: int | None = None,
) -> Plan[Generation]:
    """The plan of a generator whose jobs are known up front: one record stage (and
    ``calls_left``, what the plan it is part of may still ask after it; None: unknown)."""
    answers = yield Stage.records(jobs, method=method, round=round, calls_left=calls_left)
    return collect(answers, task)


async def run_plan(llm: LLM, task: Task, plan: Plan[T], *, show_progress: bool = True) -> T:
    """Run ``plan`` against ``llm``: each stage through :func:`run_stage`."""
    answers: list[Answer] | None = None
    while True:
        try:
            stage = plan.send(answers) if answers is not None else next(plan)
        except StopIteration as done:
            return done.value
        answers = await run_stage(llm, task, stage, show_progress=show_progress)


async def run_jobs(
    llm: LLM,
    task: Task,
    jobs: Sequence[Job],
    *,
    method: str,
    round: int = 0,
    show_progress: bool = True,
) -> Generation:
    """Send every job, parse each answer into a record, drop repeats (one record stage)."""
    return await run_plan(
        llm, task, records_plan(jobs, task, method=method, round=round), show_progress=show_progress
    )
