"""Sample-wise decomposition: one example built over two calls, the second conditioned on
the first. The LLM first describes a specific situation in which the label holds (under
the example's condition), then writes the example from that situation, so each example
rests on its own reason instead of the model's most likely one.

Pair and QA tasks keep a real premise or passage (an anchor) for both calls: the first
says how to write a hypothesis with the target label for it (or which fact a question
with the anchor's answer should ask about), the second writes it."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from synthloop.core.seeds import derive_seed
from synthloop.generate.anchors import Anchor, anchor_variables
from synthloop.generate.common import (
    Generation,
    Job,
    Plan,
    Stage,
    records_plan,
    run_plan,
    template_for,
)
from synthloop.generate.conditional import (
    ConditionPlan,
    conditional_jobs,
    drop_demo_copies,
    step_template,
)
from synthloop.generate.demos import DemoSelector
from synthloop.generate.parse import parse_example
from synthloop.llm import LLM
from synthloop.prompts import Prompter


def rationale_then_example_plan(
    prompter: Prompter,
    n: int,
    *,
    plan: ConditionPlan | None = None,
    demos: DemoSelector | None = None,
    seed: int = 0,
    round: int = 0,
    method: str = "rationale-example",
    template: str = "s3_seed",
    anchors: Sequence[Anchor] | None = None,
) -> Plan[Generation]:
    """``n`` samples, two calls each (fewer when a first step yields nothing usable).
    Records keep the situation they were written from in ``extra["rationale"]``."""
    task = prompter.task
    first = conditional_jobs(
        prompter,
        n,
        plan=plan,
        seed=seed,
        round=round,
        method=method,
        template=template_for(task, "sample_rationale"),
        anchors=anchors,
    )
    answers = yield Stage(
        name=f"{method}-r{round}-why", jobs=first, progress=f"{method} r{round} (why)"
    )
    dropped: Counter[str] = Counter()
    second = []
    for i, (job, answer) in enumerate(zip(first, answers, strict=True)):
        why = parse_example(answer.text, task, prompt=job.request.text)
        if why.text is None:
            dropped[f"rationale_{why.reason}"] += 1
            continue
        conditions = job.extra.get("conditions", {})
        rng = _rng(seed, round, i)
        shown = demos.for_condition(job.label, conditions, rng, fixed=job.fixed) if demos else []
        composed = prompter.compose(
            step_template(task, template),
            seed=derive_seed(seed, method, "example", round, i),
            label=job.label,
            label_description=task.labels.get(job.label, ""),
            rationales=[why.text],
            conditions=conditions,
            demos=shown,
            max_prompt_tokens=demos.max_prompt_tokens if demos is not None else None,
            **anchor_variables(task, job.fixed),
        )
        extra = {**job.extra, **composed.provenance(), "rationale": why.text}
        second.append(Job(request=composed.request, label=job.label, extra=extra, fixed=job.fixed))
    gen = yield from records_plan(second, task, method=method, round=round, calls_left=0)
    if demos is not None:  # as conditional: a demonstration copied is no new example
        drop_demo_copies(gen, second, demos, task)
    gen.calls += len(first)
    gen.dropped.update(dropped)
    return gen


async def rationale_then_example(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Generation:
    """Run :func:`rationale_then_example_plan` against ``llm`` (the same options)."""
    plan = rationale_then_example_plan(prompter, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)


def _rng(seed: int, round: int, i: int) -> random.Random:
    return random.Random(derive_seed(seed, "rationale-example-demos", round, i))
