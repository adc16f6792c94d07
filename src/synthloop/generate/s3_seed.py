"""S3's seed data: explain, then generate.

First the LLM lists reasons an example could carry each label (rationales); then each
seed example is written from its label and k rationales sampled from that label's list,
so the seed set covers many reasons instead of the one the model finds most likely.

Pair tasks keep a real premise per seed call (the rationales become ways to write a
hypothesis with that label); QA tasks have no labels, hence no rationales: each seed call
asks for the question to a real passage and answer span.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from synthloop.core.errors import ConfigError, warn
from synthloop.core.inorder import InOrder
from synthloop.core.seeds import derive_seed
from synthloop.generate.anchors import Anchor, anchor_provenance, anchor_variables, anchored_call
from synthloop.generate.common import (
    Generation,
    Job,
    Plan,
    Stage,
    records_plan,
    run_plan,
    template_for,
)
from synthloop.generate.parse import parse_list
from synthloop.llm import LLM
from synthloop.prompts import Prompter

Rationales = dict[str, list[str]]


def rationales_plan(
    prompter: Prompter, *, calls_per_label: int = 2, per_call: int = 5, seed: int = 0
) -> Plan[Rationales]:
    """Reasons an example could carry each label, ``per_call`` per call (none for a task
    without labels)."""
    task = prompter.task
    plan = [(label, c) for label in task.label_names for c in range(calls_per_label)]
    jobs = [
        Job(
            request=prompter.request(
                template_for(task, "rationales"),
                seed=derive_seed(seed, "rationales", label, c),
                shape="list",
                max_tokens=40 * per_call,
                label=label,
                label_description=task.labels[label],
                n=per_call,
            ),
            label=label,
        )
        for label, c in plan
    ]
    answers = yield Stage(
        name="rationales", jobs=jobs, progress="rationales", shape="list", items=per_call
    )
    out: Rationales = {label: [] for label in task.label_names}
    for (label, _), answer in zip(plan, answers, strict=True):
        for item in parse_list(answer.text):
            if item.lower() not in {r.lower() for r in out[label]}:
                out[label].append(item)
    return out


async def generate_rationales(
    llm: LLM,
    prompter: Prompter,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Rationales:
    """Run :func:`rationales_plan` against ``llm`` (the same options)."""
    plan = rationales_plan(prompter, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)


def s3_seed_plan(
    prompter: Prompter,
    rationales: Rationales,
    n: int,
    *,
    k: int = 2,
    seed: int = 0,
    anchors: Sequence[Anchor] | None = None,
) -> Plan[Generation]:
    """``n`` examples, each from its label and ``k`` rationales sampled from that label's."""
    task = prompter.task
    if task.kept_fields and not anchors:
        raise ConfigError(f"a {task.type} task generates from anchors (real premises or passages)")
    bare = [label for label in task.label_names if not rationales.get(label)]
    if bare and n > 0:  # S3's seed is then ZeroGen for those labels: say so, not silently
        warn(
            f"no rationales for {', '.join(map(repr, bare))}: "
            f"{'its' if len(bare) == 1 else 'their'} seed examples are written from the label "
            "description alone (the LLM listed none that parsed; more "
            "s3.rationale_calls_per_label may help)"
        )
    rng = random.Random(derive_seed(seed, "s3-seed-sampling"))

    def job(i: int) -> Job:  # in order: each draws its rationales from the one rng
        fixed, label = anchored_call(task, anchors, i)
        pool = rationales.get(label, [])
        picked = rng.sample(pool, min(k, len(pool)))  # none when the LLM listed none
        req = prompter.request(
            template_for(task, "s3_seed"),
            seed=derive_seed(seed, "s3-seed", i),
            label=label,
            label_description=task.labels.get(label, ""),
            rationales=picked,
            **anchor_variables(task, fixed),
        )
        extra = {"rationales": picked, **anchor_provenance(anchors, i)}
        return Job(request=req, label=label, extra=extra, fixed=dict(fixed))

    # made as asked for: an estimate prices a huge n from the first few thousand
    jobs = InOrder(n, map(job, range(n)))
    return records_plan(jobs, task, method="s3-seed", round=0, calls_left=0)


def rationales_then_seed_plan(
    prompter: Prompter,
    n: int,
    *,
    calls_per_label: int = 2,
    per_call: int = 5,
    k: int = 2,
    seed: int = 0,
    anchors: Sequence[Anchor] | None = None,
) -> Plan[tuple[Rationales, Generation]]:
    """The whole seed step: the rationales, then ``n`` examples written from them (the
    Generation counts the example calls)."""
    rationales = yield from rationales_plan(
        prompter, calls_per_label=calls_per_label, per_call=per_call, seed=seed
    )
    gen = yield from s3_seed_plan(prompter, rationales, n, k=k, seed=seed, anchors=anchors)
    return rationales, gen


async def s3_seed(
    llm: LLM,
    prompter: Prompter,
    rationales: Any,
    n: Any,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Any:
    """Run :func:`s3_seed_plan` against ``llm`` (the same options)."""
    plan = s3_seed_plan(prompter, rationales, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
