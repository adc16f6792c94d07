"""The S3 estimate prices the requests the loop sends, for every task type: walked from
the same strategy, it asks for exactly the run's requests when there are no rounds, and
for a superset (every validation record an error) when there are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.self_instruct import SelfInstructConfig
from synthloop.llm import CachedLLM, LLMConfig, Request
from synthloop.llm.cache import request_key
from synthloop.prompts import Prompter
from synthloop.run.instruct import rows_to_records
from synthloop.s3.config import S3Config
from synthloop.s3.estimate import estimate_s3
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.instruction import InstructionStrategy
from synthloop.s3.loop import s3_loop
from synthloop.s3.strategy import Strategy
from tests.conftest import labelled_rows, scripted_answer
from tests.generate.fakes import RecordingLLM, bag_of_words_embed
from tests.reviews import REVIEWS
from tests.s3.test_instruction import cheap_responder
from tests.task_fakes import (
    as_records,
    instruction_answer,
    instruction_task,
    pair_answer,
    pair_rows,
    pair_task,
    qa_answer,
    qa_records,
    qa_task,
    seed_examples,
)
from tests.tasktypes.instruction.real_like import TEST, VALIDATION


def examples(task: Task, rounds: int, val: list[Record], test: list[Record]) -> Strategy:
    cfg = S3Config(seed_size=6, rationale_calls_per_label=1, rationales_per_call=3, rounds=rounds)
    return ExampleStrategy(Prompter(task, LLMConfig()), val, test, cfg, learner="tfidf_lr")


def classification(rounds: int) -> Strategy:
    return examples(
        REVIEWS,
        rounds,
        as_records(REVIEWS, labelled_rows(12), "v"),
        as_records(REVIEWS, labelled_rows(6), "t"),
    )


def pair(rounds: int) -> Strategy:
    task = pair_task()
    return examples(
        task, rounds, as_records(task, pair_rows(8), "v"), as_records(task, pair_rows(4, 20), "t")
    )


def qa(rounds: int) -> Strategy:
    val = qa_records("validation", split_name="validation")
    return examples(qa_task(), rounds, val, qa_records("test", split_name="test"))


def instruction(rounds: int) -> Strategy:
    task = instruction_task()
    return InstructionStrategy(
        Prompter(task, LLMConfig()),
        seed_examples(),
        SelfInstructConfig(n=3, batch=3, max_calls=12),
        S3Config(rounds=rounds, errors_per_round=2),
        rows_to_records(VALIDATION, task, "val"),
        rows_to_records(TEST, task, "test"),
        responder=cheap_responder,
        embed=bag_of_words_embed,
    )


CASES: dict[str, tuple[Callable[[int], Strategy], Callable[[Request], str]]] = {
    "classification": (classification, scripted_answer),
    "pair": (pair, pair_answer),
    "qa": (qa, qa_answer),
    "instruction": (instruction, instruction_answer),
}


# a bag-of-words classifier stands in for QA's span model: only the requests matter here
@pytest.mark.filterwarnings("ignore:The number of unique classes")
@pytest.mark.parametrize("rounds", [0, 1])
@pytest.mark.parametrize("kind", list(CASES))
async def test_the_estimate_prices_the_requests_the_loop_sends(
    kind: str, rounds: int, tmp_path: Path
) -> None:
    make, answer = CASES[kind]
    recorder = RecordingLLM(answer)
    cache = CachedLLM(recorder, tmp_path / "cache.sqlite")
    await s3_loop(cache, make(rounds), rounds, show_progress=False)
    sent = {request_key(cache, r) for r in recorder.requests}
    est = estimate_s3(make(rounds), rounds, cache=cache)
    priced = {request_key(cache, r) for r in est.requests}
    if rounds == 0:
        assert priced == sent and est.cached == est.calls == len(sent)
    elif kind != "instruction":  # extrapolation at its worst: every validation record
        assert sent < priced and est.cached == len(sent) and est.worst_case
    else:  # the worst errors are unknown before the run: the count is the bound
        seed_calls = sum("of the same kind" not in r.text for r in recorder.requests)
        assert est.calls >= len(sent) and est.cached >= seed_calls


async def test_rounds_past_the_walk_limit_are_priced_like_the_last_uncached_one(
    tmp_path: Path,
) -> None:
    # rounds at their worst ask for the same calls: pricing the rest like the last walked
    # one gives the walk's own numbers, and rounds a cache answers are walked, so a rerun
    # still counts what it has cached
    recorder = RecordingLLM(scripted_answer)
    cache = CachedLLM(recorder, tmp_path / "cache.sqlite")
    await s3_loop(cache, classification(2), 2, show_progress=False)
    walked = estimate_s3(classification(6), 6, cache=cache)
    short = estimate_s3(classification(6), 6, cache=cache, limit=1)
    assert short.as_dict() == walked.as_dict() and short.cached == len(recorder.requests)
    assert len(short.requests) < len(walked.requests)  # rounds 4 to 6 were not walked
