"""The contract every registered generator keeps, for each task type it serves: its calls
go through the one job runner (cache, journal, progress), so a rerun on the journal pays for
nothing and makes the same records; its records carry their provenance; and the estimate
walks exactly its requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.anchors import seed_anchors
from synthloop.generate.estimate import Estimate, walk
from synthloop.generate.registry import GENERATORS, GeneratorInputs, generate
from synthloop.generate.self_instruct import SelfInstructConfig
from synthloop.generate.settings import GenerationConfig
from synthloop.llm import CachedLLM, LLMConfig, Request
from synthloop.llm.cache import request_key
from synthloop.llm.journal import journaling
from synthloop.prompts import Prompter
from synthloop.run.instruct import rows_to_records
from tests.conftest import FakeLLM, labelled_rows, scripted_answer
from tests.generate.fakes import RecordingLLM, toolbox_answer
from tests.reviews import REVIEWS
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
from tests.tasktypes.instruction.real_like import VALIDATION

TOOLBOX = GenerationConfig.model_validate(
    {
        "conditions": {"scopes": {"length": ["short", "long"]}},
        "concept_tree": {"depth": 1, "branching": 2},
        "dialogue": {"turns": 2},
    }
)


def reviews(tmp_path: Path, **more: object) -> GeneratorInputs:
    return GeneratorInputs(
        prompter=Prompter(REVIEWS, LLMConfig()),
        n=6,
        seed=3,
        generation=TOOLBOX,
        tree_file=tmp_path / "tree.yaml",
        rationale_calls_per_label=1,
        **more,  # type: ignore[arg-type]
    )


def instructions(tmp_path: Path, **more: object) -> GeneratorInputs:
    return GeneratorInputs(
        prompter=Prompter(instruction_task(), LLMConfig()),
        n=3,
        seed=3,
        seeds=seed_examples(),
        self_instruct=SelfInstructConfig(n=3, batch=3, max_calls=12),
        **more,  # type: ignore[arg-type]
    )


#: every registered generator, with inputs and a scripted LLM that answers it
CASES: dict[str, tuple[Callable[[Path], GeneratorInputs], Callable[[Request], str]]] = {
    "zerogen": (reviews, scripted_answer),
    "s3-seed": (reviews, scripted_answer),
    "extrapolate": (
        lambda p: reviews(p, errors=as_records(REVIEWS, labelled_rows(4), "real-")),
        scripted_answer,
    ),
    "conditional": (reviews, toolbox_answer),
    "rationale-example": (reviews, toolbox_answer),
    "dialogue": (reviews, toolbox_answer),
    "self-instruct": (instructions, instruction_answer),
    "instruct-extrapolate": (
        lambda p: instructions(
            p, errors=rows_to_records(VALIDATION[:3], instruction_task(), "val")
        ),
        instruction_answer,
    ),
}


def pair_or_qa(task: Task, real: list[Record]) -> Callable[..., GeneratorInputs]:
    """Inputs for a task that keeps real premises or passages: anchors drawn from them."""

    def make(_path: Path, **more: object) -> GeneratorInputs:
        return GeneratorInputs(
            prompter=Prompter(task, LLMConfig()),
            n=6,
            seed=3,
            generation=GenerationConfig.model_validate({"conditions": CONDITIONS}),
            anchors=seed_anchors(task, real, 6, seed=3),
            rationale_calls_per_label=1,
            **more,  # type: ignore[arg-type]
        )

    return make


CONDITIONS = {"scopes": {"style": ["paraphrase", "negation"]}}
PAIRS = as_records(pair_task(), pair_rows(6), "p")
QA = qa_records("validation")
for kind, task, real, answer in (("pair", pair_task(), PAIRS, pair_answer),
                                 ("qa", qa_task(), QA, qa_answer)):  # fmt: skip
    inputs = pair_or_qa(task, real)
    for method in ("zerogen", "s3-seed", "conditional", "rationale-example"):
        CASES[f"{kind} {method}"] = (inputs, answer)
    CASES[f"{kind} extrapolate"] = (partial(inputs, errors=real[:3]), answer)


def method_of(case: str) -> str:
    return case.split(" ")[-1]


def test_every_registered_generator_is_checked_here() -> None:
    assert set(GENERATORS) == {method_of(case) for case in CASES}


def journaled_keys(folder: Path) -> set[str]:
    return {
        json.loads(line)["key"]
        for path in folder.glob("*.jsonl")
        for line in path.read_text().splitlines()
    }


@pytest.mark.parametrize("name", list(CASES))
async def test_its_calls_go_through_the_one_runner(name: str, tmp_path: Path) -> None:
    make_inputs, answer = CASES[name]
    name = method_of(name)
    recorder = RecordingLLM(answer)
    llm = CachedLLM(recorder, tmp_path / "cache.sqlite")
    journal = tmp_path / "journal"
    with journaling(journal):
        gen = await generate(llm, name, make_inputs(tmp_path), show_progress=False)
    sent = {request_key(llm, r) for r in recorder.requests}
    assert gen.records and sent and gen.calls <= len(recorder.requests)
    assert journaled_keys(journal) == sent  # every answer journaled the moment it came
    assert len({r.id for r in gen.records}) == len(gen.records)
    for record in gen.records:
        assert record.method and record.model == "fake-1" and record.prompt_hash

    # a rerun on the journal asks nothing (this LLM fails on any call) and makes the same
    with journaling(journal):
        again = await generate(
            CachedLLM(FakeLLM(fail_after=0), tmp_path / "empty.sqlite"),
            name,
            make_inputs(tmp_path / "again"),  # no saved concept tree: it is planned again
            show_progress=False,
        )
    assert again.records == gen.records and again.summary() == gen.summary()


@pytest.mark.parametrize("name", list(CASES))
async def test_the_estimate_walks_exactly_its_requests(name: str, tmp_path: Path) -> None:
    make_inputs, answer = CASES[name]
    name = method_of(name)
    recorder = RecordingLLM(answer)
    cache = CachedLLM(recorder, tmp_path / "cache.sqlite")
    await generate(cache, name, make_inputs(tmp_path), show_progress=False)
    inputs = make_inputs(tmp_path / "estimate")  # as before the run: no saved concept tree
    est = Estimate()
    walk(GENERATORS[name].plan(inputs), inputs.task, est, cache=cache)
    sent = [request_key(cache, r) for r in recorder.requests]
    assert sorted(request_key(cache, r) for r in est.requests) == sorted(sent)
    assert est.cached == est.calls == len(sent)
