"""ZeroGen/ProGen-style baseline: a label-conditioned prompt, sampled at temperature,
one example per call, labels in turn so the set is balanced.

For pair and QA tasks each call keeps a real premise or passage (an
:class:`~synthloop.generate.anchors.Anchor`) and asks only for the hypothesis or question:
zero-shot hypothesis generation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthloop.core.errors import ConfigError
from synthloop.core.inorder import InOrder
from synthloop.core.seeds import derive_seed
from synthloop.generate.anchors import Anchor, anchor_provenance, anchor_variables, anchored_call
from synthloop.generate.common import Generation, Job, Plan, records_plan, run_plan, template_for
from synthloop.llm import LLM
from synthloop.prompts import Prompter


def zerogen_jobs(
    prompter: Prompter, n: int, seed: int, anchors: Sequence[Anchor] | None = None
) -> Sequence[Job]:
    """``n`` calls, each made when first asked for (an estimate prices a huge n from the
    first few thousand)."""
    task = prompter.task
    if task.kept_fields and not anchors:
        raise ConfigError(f"a {task.type} task generates from anchors (real premises or passages)")

    def job(i: int) -> Job:
        fixed, label = anchored_call(task, anchors, i)
        req = prompter.request(
            template_for(task, "zerogen"),
            seed=derive_seed(seed, "zerogen", i),
            label=label,
            label_description=task.labels.get(label, ""),
            **anchor_variables(task, fixed),
        )
        extra = anchor_provenance(anchors, i)
        return Job(request=req, label=label, extra=extra, fixed=dict(fixed))

    return InOrder(n, map(job, range(n)))


def zerogen_plan(
    prompter: Prompter, n: int, *, seed: int = 0, anchors: Sequence[Anchor] | None = None
) -> Plan[Generation]:
    jobs = zerogen_jobs(prompter, n, seed, anchors)
    return records_plan(jobs, prompter.task, method="zerogen", round=0, calls_left=0)


async def zerogen(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Generation:
    """Run :func:`zerogen_plan` against ``llm`` (the same options)."""
    plan = zerogen_plan(prompter, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
