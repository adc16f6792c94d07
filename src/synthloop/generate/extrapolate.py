"""S3's error extrapolation: for each real example the small model got wrong, ask for
new examples like it, with its gold label, so the synthetic set grows where the small
model is weakest.

Pair and QA tasks keep the error's premise or passage (and, for QA, its gold answer) and
ask for a new hypothesis or question in place of the one the small model got wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.generate.anchors import anchor_variables
from synthloop.generate.common import Generation, Job, Plan, records_plan, run_plan, template_for
from synthloop.generate.demos import DemoSelector
from synthloop.llm import LLM
from synthloop.prompts import Prompter


def extrapolate_plan(
    prompter: Prompter,
    errors: Sequence[Record],
    *,
    per_error: int = 1,
    round: int = 1,
    seed: int = 0,
    neighbours: DemoSelector | None = None,
) -> Plan[Generation]:
    """``per_error`` new examples like each error, with its gold label. ``neighbours`` adds
    the real examples most similar to each error as demonstrations (itself excluded); the
    record's ``extra["demos"]`` lists their ids."""
    task = prompter.task
    jobs = []
    for err in errors:
        text = err.text(task.generated_field)
        fixed = {f: err.inputs[f] for f in task.kept_fields}
        shown = neighbours.neighbours(err) if neighbours is not None else []
        for j in range(per_error):
            composed = prompter.compose(
                template_for(task, "extrapolate"),
                seed=derive_seed(seed, "extrapolate", round, err.id, j),
                label=err.label,
                label_description=task.labels.get(err.label, ""),
                text=text,
                demos=shown,
                max_prompt_tokens=neighbours.max_prompt_tokens if neighbours else None,
                **anchor_variables(task, fixed),
            )
            jobs.append(
                Job(
                    request=composed.request,
                    label=err.label,
                    parent_id=err.id,
                    source=text,
                    extra=composed.provenance(),
                    fixed=fixed,
                )
            )
    return records_plan(jobs, task, method="extrapolate", round=round)


async def extrapolate(
    llm: LLM,
    prompter: Prompter,
    errors: Sequence[Record],
    *,
    show_progress: bool = True,
    **options: Any,
) -> Generation:
    """Run :func:`extrapolate_plan` against ``llm`` (the same options)."""
    plan = extrapolate_plan(prompter, errors, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
