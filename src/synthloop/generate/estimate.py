"""What a plan will cost, before it runs: calls, tokens, and money where prices are set.

A plan is walked as a run would walk it (:mod:`synthloop.generate.common`), without an LLM:
each request is rendered by the same code, so an estimate prices exactly the prompts a run
will send. Where an answer is already in the response cache it is used, and the request
counted apart (it is free); elsewhere a stand-in answer of the shape asked for lets later
stages (rationales, then examples; one dialogue turn, then the next) be planned. Tokens are
estimated at about four bytes each (exact counts need the model's tokenizer); completion
tokens are bounded by ``max_tokens``.

Walking costs time in proportion to the calls, so a plan of absurd size (``--rounds
1000000000``, ``-n 10000000``) would never be priced: past :data:`WALK_LIMIT` calls (or
that many of a plan's last stage, whose jobs are made only as walked), the rest is priced
like what was walked last (a plan says how many calls may still come, see
:attr:`Stage.calls_left`; S3 repeats its last round), uncached, and the count is marked as
a bound; walking goes on while the cache answers, so a rerun counts its cached calls.
Plans below the limit are priced call by call, as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVar

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.common import Answer, Job, Plan, Stage, check_kept_inputs, record_outcome
from synthloop.llm import CachedLLM, Prices, Request
from synthloop.llm.budget import cost_text

BYTES_PER_TOKEN = 4.0
#: calls priced one by one; the rest of a larger plan is priced like the last walked
WALK_LIMIT = 10_000
T = TypeVar("T")


@dataclass
class Estimate:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens_max: int = 0
    cached: int = 0
    worst_case: bool = False  # the call count is an upper bound
    prices: Prices | None = None
    requests: list[Request] = field(default_factory=list, repr=False)  # in the order planned

    def tally(self) -> tuple[int, int, int]:
        """Calls, prompt tokens and completion tokens so far (a mark for :meth:`extend_like`)."""
        return self.calls, self.prompt_tokens, self.completion_tokens_max

    def extend_like(self, since: tuple[int, int, int], calls: int) -> None:
        """Add ``calls`` more calls priced like those added since the ``since`` tally,
        uncached (later calls cannot be in the cache yet), the count a bound."""
        walked = self.calls - since[0]
        if walked <= 0 or calls <= 0:
            return
        self.prompt_tokens += -(-(self.prompt_tokens - since[1]) * calls // walked)
        self.completion_tokens_max += -(-(self.completion_tokens_max - since[2]) * calls // walked)
        self.calls += calls
        self.worst_case = True

    def add(self, request: Request, *, cached: bool = False) -> None:
        self.requests.append(request)
        self.calls += 1
        n_messages = len(request.messages) if request.messages else 1
        self.prompt_tokens += math.ceil(len(request.text.encode()) / BYTES_PER_TOKEN)
        self.prompt_tokens += 4 * n_messages
        self.completion_tokens_max += request.max_tokens
        self.cached += int(cached)

    @property
    def cost_max(self) -> float | None:
        if self.prices is None:
            return None
        paid = 1 - (self.cached / self.calls if self.calls else 0)
        return paid * self.prices.cost(self.prompt_tokens, self.completion_tokens_max)

    def line(self) -> str:
        calls = f"{'≤' if self.worst_case else ''}{self.calls:,} calls"
        if self.cached:
            calls += f" ({self.cached:,} already cached)"
        text = (
            f"estimate: {calls}, ≈{self.prompt_tokens:,} prompt tokens + "
            f"≤{self.completion_tokens_max:,} completion tokens"
        )
        if self.cost_max is not None:
            text += f", ≤{cost_text(self.cost_max)} in cost"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "calls_worst_case": self.worst_case,
            "cached": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens_max": self.completion_tokens_max,
            "cost_max": self.cost_max,
        }


def stand_in(stage: Stage, i: int, job: Job) -> str:
    """An answer of the shape the stage asks for, distinct per job, that parses."""
    if stage.stand_in is not None:
        return stage.stand_in(i, job)
    if stage.shape == "list":
        return "\n".join(f"{k}. typical item {i}-{k}" for k in range(1, stage.items + 1))
    return f"A typical answer of about a dozen words for the estimate, number {i}?"


def walk(
    plan: Plan[T],
    task: Task,
    estimate: Estimate,
    *,
    cache: CachedLLM | None = None,
    limit: int = WALK_LIMIT,
) -> T | None:
    """Add every request of ``plan`` to ``estimate``, answering each from ``cache`` when
    it holds the answer and with a stand-in otherwise; what the plan makes of them. Once
    ``estimate`` holds ``limit`` calls, a plan that says how many calls may still come has
    those priced like its last stage with calls (when none of that stage was cached), and
    is closed: None. The plan's last stage is cut once ``limit`` of its own calls are
    walked, at the first the cache does not hold, its other jobs never made
    (``-n 10000000`` costs what ``-n 10000`` does)."""
    model = cache.model if cache is not None else "estimate"
    answers: list[Answer] | None = None
    last: tuple[int, int, int] | None = None  # the tally before the last stage with calls
    cached = 0  # and the cached calls then
    while True:
        try:
            stage = plan.send(answers) if answers is not None else next(plan)
        except StopIteration as done:
            return done.value
        estimate.worst_case |= stage.capped  # the count is the cap, a bound
        since = estimate.tally()
        if stage.jobs:
            last, cached = since, estimate.cached
        answers = []
        for i, job in enumerate(stage.jobs):  # a huge stage's jobs are made as walked
            check_kept_inputs(task, stage, [job])
            held = cache.lookup(job.request) if cache is not None else None
            estimate.add(job.request, cached=held is not None)
            text = held.text if held is not None else stand_in(stage, i, job)
            row, dropped = None, None
            if stage.method is not None:
                row, dropped = record_outcome(
                    model, task, job, i, text, method=stage.method, round=stage.round
                )
            record = Record.from_row(row, task.inputs) if row is not None else None
            answers.append(Answer(text=text, record=record, dropped=dropped, model=model))
            rest = len(stage.jobs) - i - 1
            # only the plan's last stage is cut inside: its other jobs are like those
            # walked, where a later stage's (a dialogue's next turn, an example written
            # from its rationale) may be longer; walking goes on while the cache answers
            if rest and i + 1 >= limit and stage.calls_left == 0 and not held:
                estimate.extend_like(since, rest + stage.calls_left)
                plan.close()
                return None
        # a stage with cached answers was run before, and so may the next have been
        fresh = estimate.cached == cached
        if estimate.calls >= limit and stage.calls_left is not None and last and fresh:
            estimate.extend_like(last, stage.calls_left)
            plan.close()
            return None
