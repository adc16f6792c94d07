"""Self-Instruct (Wang et al., 2023): instruction data bootstrapped from a few seeds.

Each round, every prompt shows a few instructions sampled from the pool (mostly human
seeds, some already generated) and asks for a new one. A candidate is kept only if it is
well formed and novel: its ROUGE-L F-measure against every instruction already in the pool
stays below ``rouge_threshold`` (0.7 in the paper). Kept instructions join the pool, and a
second call writes the optional input and the response, shown a few seed examples.
Instructions that talk about the task instead of being one, and responses that are
assistant talk, are dropped (politeness around a real response is cut): see
:mod:`synthloop.tasktypes.instruction.filter`.

Records keep ``instruction`` and ``input`` as inputs and the response as the label.
Reported here: how many were kept and why others were dropped, novelty (ROUGE-L to the
nearest other instruction) and diversity (distinct-2). The small model, the evaluation on
real human instructions and S3's error extrapolation are in :mod:`synthloop.s3.instruction`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task
from synthloop.generate.common import Generation, Job, Plan, Stage, run_plan
from synthloop.generate.parse import _strip_quotes, parse_example
from synthloop.llm import LLM, Request
from synthloop.prompts import Prompter
from synthloop.tasktypes.instruction.filter import (
    chatter_in_instruction,
    clean_input,
    clean_response,
)

# Self-Instruct drops instructions a text-only model cannot carry out.
BLOCKLIST = (
    "image",
    "images",
    "graph",
    "graphs",
    "picture",
    "pictures",
    "file",
    "files",
    "map",
    "maps",
    "draw",
    "plot",
    "go to",
    "video",
    "audio",
    "music",
    "flowchart",
    "diagram",
)
NO_INPUT = {"", "<none>", "none", "<noinput>", "no input", "n/a", "-"}


class InstructionExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instruction: str = Field(min_length=1)
    input: str = ""
    output: str = Field(min_length=1)


class SelfInstructConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(default=50, gt=0, description="instructions wanted")
    max_calls: int | None = Field(
        default=None, gt=0, description="stop after this many LLM calls [default: 4 x n]"
    )
    batch: int = Field(default=8, gt=0, description="new-instruction prompts per round")
    demos_per_prompt: int = Field(default=4, gt=0, description="pool instructions shown")
    machine_demos: int = Field(
        default=1, ge=0, description="how many of those come from generated instructions"
    )
    response_examples: int = Field(default=2, ge=0, description="seed examples shown")
    rouge_threshold: float = Field(default=0.7, gt=0.0, le=1.0)
    min_words: int = Field(default=3, gt=0)
    max_words: int = Field(default=150, gt=0)


class NoveltyFilter:
    """ROUGE-L against every instruction in the pool (rouge-score's own tokenizer)."""

    def __init__(self, pool: Sequence[str], threshold: float) -> None:
        self.threshold = threshold
        self.pool = list(pool)
        from rouge_score import rouge_scorer  # loads nltk: only when Self-Instruct runs

        self._scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)

    def nearest(self, text: str) -> float:
        """The highest ROUGE-L F-measure of ``text`` against the pool (0 when empty)."""
        return max((self._scorer.score(p, text)["rougeL"].fmeasure for p in self.pool), default=0.0)

    def admit(self, text: str) -> tuple[bool, float]:
        score = self.nearest(text)
        if score >= self.threshold:
            return False, score
        self.pool.append(text)
        return True, score


_NUMBERED = re.compile(r"^\s*(?:\d+[.)]|task\s*\d*\s*[:.-]|instruction\s*\d*\s*[:.-])\s*", re.I)


def clean_instruction(raw: str, task: Task, cfg: SelfInstructConfig) -> tuple[str | None, str]:
    """The candidate instruction, or None and why it was dropped."""
    # the first line after any preamble ("Sure! Here is a new task:"); a small model
    # often goes on listing more, and only one instruction was asked for
    parsed = parse_example(raw, task, min_words=cfg.min_words)
    if parsed.text is None:
        return None, parsed.reason or "unparsable"
    text = _NUMBERED.sub("", parsed.text.splitlines()[0]).strip()
    words = text.split()
    if len(words) < cfg.min_words:
        return None, "too_short"
    if len(words) > cfg.max_words:
        return None, "too_long"
    low = text.lower()
    if any(re.search(rf"\b{re.escape(b)}\b", low) for b in BLOCKLIST):
        return None, "needs_non_text"
    if not text[0].isalnum() or not text.isascii():
        return None, "malformed"
    chatter = chatter_in_instruction(text)
    if chatter:
        return None, chatter
    return text, ""


def clean_output(instruction: str, output: str, prompt: str = "") -> tuple[str | None, str]:
    """The response with assistant talk cut, or None and why it is no response: only
    chatter, a refusal, the prompt's wording, or the instruction said back."""
    text, why = clean_response(output, prompt)
    if text is None:
        return None, f"response_{why}"
    if _words(text) == _words(instruction):
        return None, "response_echo"
    return text, ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def response_request(
    prompter: Prompter, instruction: str, examples: Sequence[InstructionExample], *, seed: int
) -> Request:
    """The call that writes an instruction's optional input and its response."""
    return prompter.request(
        "instruction_response",
        seed=seed,
        shape="list",
        instruction=instruction,
        examples=[e.model_dump() for e in examples],
    )


def read_answer(
    raw: str, instruction: str, request: Request, *, completion: bool
) -> tuple[tuple[str, str] | None, str]:
    """(input, response) from a response call's answer, or None and why it was dropped."""
    parsed = parse_response(raw, completion=completion)
    if parsed is None:
        return None, "no_output"
    prompt = request.messages[-1].content if request.messages else request.prompt or ""
    own = prompt.rsplit(instruction, 1)[-1]  # the request's own wording, after the instruction
    given, why = clean_input(parsed[0], own)
    if given is None:
        return None, f"input_{why}"
    output, why = clean_output(instruction, parsed[1], own)
    if output is None:
        return None, why
    return (given, output), ""


def parse_response(raw: str, *, completion: bool) -> tuple[str, str] | None:
    """(input, output) from 'Input: ... Output: ...'; None when there is no output."""
    text = (raw or "").replace("\r", "").strip()
    if completion:  # the prompt ended at "Input:"
        text = "Input: " + text
    text = text.split("\nInstruction:")[0]
    m = re.search(r"(?is)input\s*:\s*(.*?)\s*output\s*:\s*(.*)", text)
    if m:
        given, output = m.group(1).strip(), m.group(2).strip()
    else:
        given, output = "", re.sub(r"(?i)^\s*output\s*:\s*", "", text).strip()
    if given.lower().strip(" .\"'") in NO_INPUT or given.strip() in NO_INPUT:
        given = ""
    output = _strip_quotes(output)  # a wrapping pair only: code may open with """
    if not output:
        return None
    return given, output


def self_instruct_plan(
    prompter: Prompter,
    seeds: Sequence[InstructionExample],
    cfg: SelfInstructConfig,
    *,
    seed: int = 0,
) -> Plan[Generation]:
    """Rounds of new instructions (kept when well formed and novel), each kept one then
    answered, until ``cfg.n`` are kept or ``cfg.max_calls`` spent. The Generation's
    ``info`` counts the rounds."""
    task = prompter.task
    if task.type != "instruction":
        raise ConfigError(f"self-instruct needs an instruction task, not {task.type}")
    if len(seeds) < 2:
        raise ConfigError("self-instruct needs at least two seed examples")
    rng = random.Random(derive_seed(seed, "self-instruct"))
    novelty = NoveltyFilter([s.instruction for s in seeds], cfg.rouge_threshold)
    max_calls = cfg.max_calls or 4 * cfg.n
    machine: list[str] = []
    result = Generation(records=[], info={"rounds": 0})
    completion = prompter.llm.mode == "completion"
    field_instruction, field_input = task.inputs
    while len(result.records) < cfg.n and result.calls < max_calls:
        rnd = result.info["rounds"]
        size = min(cfg.batch, max_calls - result.calls)
        jobs = []
        for b in range(size):
            n_machine = min(cfg.machine_demos, len(machine))
            n_human = min(len(seeds), cfg.demos_per_prompt - n_machine)
            shown = [s.instruction for s in rng.sample(list(seeds), n_human)]
            shown += rng.sample(machine, n_machine)
            rng.shuffle(shown)
            request = prompter.request(
                "instruction_new", seed=derive_seed(seed, "instruction", rnd, b), pool=shown
            )
            jobs.append(Job(request=request, label=""))
        answers = yield Stage(
            name=f"self-instruct-r{rnd}-instructions",
            jobs=jobs,
            progress=f"instructions r{rnd}",
            stand_in=instruction_stand_in,
            capped=True,
            calls_left=max_calls - result.calls - len(jobs),
        )
        result.calls += len(jobs)
        kept: list[tuple[str, float]] = []
        for answer in answers:
            text, why = clean_instruction(answer.text, task, cfg)
            if text is None:
                result.dropped[why] += 1
                continue
            admitted, score = novelty.admit(text)
            if not admitted:
                result.dropped["too_similar"] += 1
                continue
            kept.append((text, score))
        kept = kept[: max(0, min(cfg.n - len(result.records), max_calls - result.calls))]
        responses = [
            Job(
                request=response_request(
                    prompter,
                    text,
                    rng.sample(list(seeds), min(cfg.response_examples, len(seeds))),
                    seed=derive_seed(seed, "response", rnd, i),
                ),
                label="",
            )
            for i, (text, _) in enumerate(kept)
        ]
        answers = yield Stage(
            name=f"self-instruct-r{rnd}-responses",
            jobs=responses,
            progress=f"responses r{rnd}",
            stand_in=response_stand_in,
            capped=True,
            calls_left=max_calls - result.calls - len(responses),
        )
        result.calls += len(responses)
        for (text, score), job, answer in zip(kept, responses, answers, strict=True):
            pair, why = read_answer(answer.text, text, job.request, completion=completion)
            if pair is None:
                result.dropped[why] += 1
                continue
            given, output = pair
            machine.append(text)
            result.records.append(
                Record(
                    id=f"self-instruct-r{rnd}-{len(result.records):05d}",
                    inputs={field_instruction: text, field_input: given},
                    label=output,
                    method="self-instruct",
                    round=rnd,
                    model=answer.model,
                    prompt_hash=job.request.digest(),
                    extra={"rouge_l_nearest": round(score, 4)},
                )
            )
        result.info["rounds"] = rnd + 1
    return result


def nothing_kept(
    gen: Generation,
    hint: str | None = None,
    *,
    command: str = "self-instruct",
    noun: str = "instructions",
) -> ConfigError:
    """The error for a run that kept nothing, naming why its candidates were dropped: an
    empty dataset with exit 0 read as success, and "0 instructions" alone leaves the user
    nothing to change."""
    why = ", ".join(f"{k} {v}" for k, v in sorted(gen.dropped.items())) or "none"
    return ConfigError(
        f"{command} kept no {noun} from {gen.calls} calls (dropped: {why})", hint=hint
    )


def instruction_stand_in(i: int, _job: Job) -> str:
    """The estimate's answer to a new-instruction call: the first is kept, and the later
    ones are too similar to it (ROUGE-L 0.91), so the estimate walks the plan until the
    call cap, the most a run can make (its stages say so: ``capped``)."""
    return f"Describe item number {i} of a typical list in plain words."


def novel_instruction_stand_in(_i: int, job: Job) -> str:
    """The estimate's answer where each kept instruction costs a second call (S3's
    extrapolation): words of the request's own digest, so each is novel and kept, and the
    estimate counts the most calls a round can make."""
    d = job.request.digest()
    return f"Summarise {d[:4]} {d[4:8]} {d[8:12]} {d[12:16]} briefly."


def response_stand_in(i: int, _job: Job) -> str:
    """The estimate's answer to a response call."""
    return f"Input: <none>\nOutput: A typical response of about ten words, number {i}."


async def self_instruct(
    llm: LLM,
    prompter: Prompter,
    seeds: Any,
    cfg: Any,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Any:
    """Run :func:`self_instruct_plan` against ``llm`` (the same options)."""
    plan = self_instruct_plan(prompter, seeds, cfg, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Distinct n-grams over all n-grams (Li et al., 2016); 0 for no n-grams."""
    grams: list[tuple[str, ...]] = []
    for t in texts:
        words = t.lower().split()
        grams += [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def instruction_stats(
    records: Sequence[Record], seeds: Sequence[InstructionExample], task: Task
) -> dict[str, Any]:
    """What can be said about instruction data without a model to train: size, input share,
    novelty against the whole pool, diversity."""
    instructions = [r.inputs[task.inputs[0]] for r in records]
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    pool = [s.instruction for s in seeds] + instructions
    nearest = []
    for i, text in enumerate(instructions):
        others = pool[: len(seeds) + i] + pool[len(seeds) + i + 1 :]
        nearest.append(max((scorer.score(o, text)["rougeL"].fmeasure for o in others), default=0))
    return {
        "count": len(records),
        "with_input": sum(bool(r.inputs[task.inputs[1]]) for r in records),
        "rouge_l_nearest_mean": round(sum(nearest) / len(nearest), 4) if nearest else None,
        "rouge_l_nearest_max": round(max(nearest), 4) if nearest else None,
        "distinct_2_instructions": round(distinct_n(instructions), 4),
        "mean_output_words": round(sum(len(r.label.split()) for r in records) / len(records), 1)
        if records
        else None,
    }
