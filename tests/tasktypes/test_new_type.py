"""Adding a task type is one folder and one registry line: the stance type of
tests/tasktypes/toy, registered here, runs the whole S3 loop on the scripted LLM."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

import synthloop
from synthloop.core.tasktype import register_task_type, unregister_task_type
from synthloop.llm import Request
from tests.conftest import FakeLLM, scripted_answer
from tests.tasktypes.toy import Stance


@pytest.fixture
def stance() -> Iterator[None]:
    register_task_type(Stance())  # the one registry line
    yield
    unregister_task_type("stance")


def test_a_registered_type_runs_the_s3_loop(
    stance: None, tmp_path: Path, real_files: dict[str, Path]
) -> None:
    (tmp_path / "run.yaml").write_text(
        "task: {name: opinions, type: stance, domain: restaurants, example_noun: opinion,\n"
        "       labels: {positive: the customer was happy, negative: the customer was unhappy}}\n"
        "data:\n"
        "  validation: {path: validation.jsonl, columns: {opinion: text}}\n"
        "  test: {path: test.jsonl, columns: {opinion: text}}\n"
        "s3: {seed_size: 8, rationale_calls_per_label: 1, rounds: 2, max_errors_per_round: 4}\n",
        encoding="utf-8",
    )
    sent: list[Request] = []

    def answer(request: Request) -> str:
        sent.append(request)
        if "numbered list" not in request.text and (request.seed or 0) % 4 == 0:
            return "Would anyone really go back there?"  # no stance: the type drops it
        return scripted_answer(request).replace("Review: ", "")

    config = synthloop.load_config(tmp_path / "run.yaml")
    assert config.task.inputs == ("opinion",)  # the type's default input
    run = asyncio.run(
        synthloop.run_s3(config, tmp_path / "run", show_progress=False,
                         backend=lambda _c: FakeLLM(answer))
    )  # fmt: skip
    rounds = run.result.rounds
    assert [r.round for r in rounds] == [0, 1, 2]
    assert all(r.test is not None and r.test.kind == "stance" for r in rounds)
    # every prompt came from the type's own templates
    assert sent and all("As a stance writer for restaurants" in r.text for r in sent)
    dropped = sum(r.generation["dropped"].get("a_question", 0) for r in rounds)
    assert dropped > 0  # the type's own reject rule ran in the job runner
    methods = {r.method for r in run.result.dataset}
    assert methods == {"s3-seed", "extrapolate"}
    assert all(set(r.inputs) == {"opinion"} for r in run.result.dataset)
    assert (tmp_path / "run" / "dataset.jsonl").is_file()
