"""S3's error extrapolation for instruction data: for each real instruction the small model
answers worst, the LLM is shown it (with its input and human response) and asked for a new
instruction of the same kind, with an input and a response, in one call.

A new pair is kept only if it parses, passes the same checks as Self-Instruct's
(:func:`~synthloop.generate.self_instruct.clean_instruction`, chatter and echo checks on
the response) and is novel: its ROUGE-L against every instruction in the pool — seeds,
everything generated so far, and the real instruction it imitates — stays below the
threshold, so copying the validation item is not rewarded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from synthloop.generate.self_instruct import (
    NoveltyFilter,
    SelfInstructConfig,
    clean_instruction,
    clean_output,
    parse_response,
)
from synthloop.llm import LLM, complete_many
from synthloop.progress import llm_progress
from synthloop.prompts import Prompter
from synthloop.records import Record
from synthloop.seeds import derive_seed


@dataclass
class InstructExtrapolation:
    records: list[Record]
    dropped: Counter[str] = field(default_factory=Counter)
    calls: int = 0

    def summary(self) -> dict[str, object]:
        return {"kept": len(self.records), "calls": self.calls, "dropped": dict(self.dropped)}


_INSTRUCTION = re.compile(r"(?is)^\s*(?:\**\s*instruction\s*\**\s*:)?\s*(.*?)\s*\n(.*)$")


def parse_pair(raw: str, *, completion: bool) -> tuple[str, str] | None:
    """(instruction text, the rest: "Input: … Output: …") from one answer, or None."""
    text = (raw or "").replace("\r", "").strip()
    if not completion:  # a chat answer may open with "Sure! Here is one:" before the form
        at = re.search(r"(?im)^\s*\**\s*instruction\s*\**\s*:", text)
        if at is None:
            return None
        text = text[at.start() :]
    m = _INSTRUCTION.match(text)
    if m is None or not m.group(1).strip():
        return None
    return m.group(1).strip(), m.group(2)


async def extrapolate_instructions(
    llm: LLM,
    prompter: Prompter,
    errors: Sequence[Record],
    novelty: NoveltyFilter,
    cfg: SelfInstructConfig,
    *,
    per_error: int = 1,
    round: int = 1,
    seed: int = 0,
    show_progress: bool = True,
) -> InstructExtrapolation:
    """``per_error`` calls per real error; kept instructions join ``novelty``'s pool."""
    task = prompter.task
    field_instruction, field_input = task.inputs
    completion = prompter.llm.mode == "completion"
    plan = [(err, j) for err in errors for j in range(per_error)]
    requests = [
        prompter.request(
            "instruction_extrapolate",
            seed=derive_seed(seed, "instruct-extrapolate", round, err.id, j),
            shape="list",
            instruction=err.inputs[field_instruction],
            given=err.inputs[field_input],
            output=err.label,
        )
        for err, j in plan
    ]
    with llm_progress(f"extrapolate r{round}", len(requests), enabled=show_progress) as done:
        answers = await complete_many(llm, requests, done)
    out = InstructExtrapolation(records=[], calls=len(requests))
    imitated = NoveltyFilter([], novelty.threshold)
    for (err, _), req, resp in zip(plan, requests, answers, strict=True):
        pair = parse_pair(resp.text, completion=completion)
        if pair is None:
            out.dropped["unparsable"] += 1
            continue
        text, why = clean_instruction(pair[0], task, cfg)
        if text is None:
            out.dropped[why] += 1
            continue
        parsed = parse_response(pair[1], completion=False)
        if parsed is None:
            out.dropped["no_output"] += 1
            continue
        output, why = clean_output(text, parsed[1])
        if output is None:
            out.dropped[why] += 1
            continue
        imitated.pool = [err.inputs[field_instruction]]
        if imitated.nearest(text) >= novelty.threshold:
            out.dropped["copy_of_error"] += 1
            continue
        admitted, score = novelty.admit(text)
        if not admitted:
            out.dropped["too_similar"] += 1
            continue
        out.records.append(
            Record(
                id=f"extrapolate-r{round}-{len(out.records):05d}",
                inputs={field_instruction: text, field_input: parsed[0]},
                label=output,
                method="extrapolate",
                round=round,
                parent_id=err.id,
                model=llm.model,
                prompt_hash=req.digest(),
                extra={"rouge_l_nearest": _r4(score)},
            )
        )
    return out


def _r4(x: float) -> float:
    return float(f"{x:.4f}")
