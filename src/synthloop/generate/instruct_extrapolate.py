"""S3's error extrapolation for instruction data: for each real instruction the small model
answers worst, the LLM is shown it and asked for a new instruction of the same kind; a
second call writes that instruction's input and response, shown the error (instruction,
input, human response) as its example. Two short calls, like Self-Instruct's own, because
a small model does not keep a three-part reply form.

A new pair is kept only if it passes the same checks as Self-Instruct's
(:func:`~synthloop.generate.self_instruct.clean_instruction`,
:func:`~synthloop.generate.self_instruct.read_answer`) and is novel: its ROUGE-L against
every instruction in the pool — seeds, everything generated so far, the real validation
instructions — stays below the threshold, so copying the validation item is not rewarded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.generate.common import Generation, Job, Plan, Stage, run_plan
from synthloop.generate.self_instruct import (
    InstructionExample,
    NoveltyFilter,
    SelfInstructConfig,
    clean_instruction,
    novel_instruction_stand_in,
    read_answer,
    response_request,
    response_stand_in,
)
from synthloop.llm import LLM
from synthloop.prompts import Prompter


def extrapolate_instructions_plan(
    prompter: Prompter,
    errors: Sequence[Record],
    novelty: NoveltyFilter,
    cfg: SelfInstructConfig,
    *,
    per_error: int = 1,
    round: int = 1,
    seed: int = 0,
) -> Plan[Generation]:
    """``per_error`` new instructions per real error (two calls each when the first yields
    a usable instruction); kept instructions join ``novelty``'s pool."""
    task = prompter.task
    field_instruction, field_input = task.inputs
    completion = prompter.llm.mode == "completion"
    plan = [(err, j) for err in errors for j in range(per_error)]
    asks = [
        Job(
            request=prompter.request(
                "instruction_like",
                seed=derive_seed(seed, "instruct-like", round, err.id, j),
                instruction=err.inputs[field_instruction],
            ),
            label=err.label,
            parent_id=err.id,
        )
        for err, j in plan
    ]
    answers = yield Stage(
        name=f"extrapolate-r{round}-instructions",
        jobs=asks,
        progress=f"extrapolate r{round}",
        stand_in=novel_instruction_stand_in,
    )
    out = Generation(records=[], calls=len(asks))
    kept: list[tuple[Record, str, float]] = []
    for (err, _), answer in zip(plan, answers, strict=True):
        text, why = clean_instruction(answer.text, task, cfg)
        if text is None:
            out.dropped[why] += 1
            continue
        admitted, score = novelty.admit(text)
        if not admitted:  # the pool holds the validation instructions: copies end here
            out.dropped["too_similar"] += 1
            continue
        kept.append((err, text, score))
    requests = [
        Job(
            request=response_request(
                prompter,
                text,
                [
                    InstructionExample(
                        instruction=err.inputs[field_instruction],
                        input=err.inputs[field_input],
                        output=err.label,
                    )
                ],
                seed=derive_seed(seed, "instruct-like-response", round, i),
            ),
            label=err.label,
            parent_id=err.id,
        )
        for i, (err, text, _) in enumerate(kept)
    ]
    answers = yield Stage(
        name=f"extrapolate-r{round}-responses",
        jobs=requests,
        progress=f"responses r{round}",
        stand_in=response_stand_in,
    )
    out.calls += len(requests)
    for (err, text, score), job, answer in zip(kept, requests, answers, strict=True):
        pair, why = read_answer(answer.text, text, job.request, completion=completion)
        if pair is None:
            out.dropped[why] += 1
            continue
        out.records.append(
            Record(
                id=f"extrapolate-r{round}-{len(out.records):05d}",
                inputs={field_instruction: text, field_input: pair[0]},
                label=pair[1],
                method="extrapolate",
                round=round,
                parent_id=err.id,
                model=answer.model,
                prompt_hash=job.request.digest(),
                extra={"rouge_l_nearest": float(f"{score:.4f}")},
            )
        )
    return out


async def extrapolate_instructions(
    llm: LLM,
    prompter: Prompter,
    errors: Any,
    novelty: Any,
    cfg: Any,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Any:
    """Run :func:`extrapolate_instructions_plan` against ``llm`` (the same options)."""
    plan = extrapolate_instructions_plan(prompter, errors, novelty, cfg, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
