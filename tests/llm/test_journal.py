"""The generation journal: answers on disk as they arrive; a crashed step resumes exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from synthloop.core.tasks import Task
from synthloop.generate.common import Generation, Job, run_jobs
from synthloop.generate.zerogen import zerogen_jobs
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.llm.journal import Journal, journaling
from synthloop.prompts import Prompter
from tests.conftest import FakeLLM


def jobs(task: Task, n: int = 12) -> list[Job]:
    return list(zerogen_jobs(Prompter(task, LLMConfig()), n, seed=0))


def rows(gen: Generation) -> list[dict[str, Any]]:
    return [r.to_row() for r in gen.records]


async def test_a_crashed_step_resumes_with_no_call_repeated_and_the_same_records(
    tmp_path: Path, task: Task
) -> None:
    reference = await run_jobs(FakeLLM(), task, jobs(task), method="zerogen", show_progress=False)

    crashing = FakeLLM(fail_after=5)
    with journaling(tmp_path), pytest.raises(RuntimeError, match="simulated crash"):
        await run_jobs(crashing, task, jobs(task), method="zerogen", show_progress=False)
    lines = (tmp_path / "zerogen-r0.jsonl").read_text().splitlines()
    assert len(lines) == 5  # each answer was written as it came
    assert json.loads(lines[0])["record"]["label"] in task.labels

    resumed = FakeLLM()
    with journaling(tmp_path):
        gen = await run_jobs(resumed, task, jobs(task), method="zerogen", show_progress=False)
    assert resumed.calls == 12 - 5
    assert rows(gen) == rows(reference)


async def test_a_torn_last_line_is_dropped_and_the_file_repaired(
    tmp_path: Path, task: Task
) -> None:
    with journaling(tmp_path):
        await run_jobs(FakeLLM(), task, jobs(task, 4), method="zerogen", show_progress=False)
    path = tmp_path / "zerogen-r0.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"job": 9, "key": "abc", "resp')  # killed mid-write
    journal = Journal(path)
    assert sorted(job for job, _ in journal.entries) == [0, 1, 2, 3]
    journal.close()
    assert path.read_bytes() == whole


async def test_entries_for_another_prompt_or_model_are_not_reused(
    tmp_path: Path, task: Task
) -> None:
    with journaling(tmp_path):
        await run_jobs(FakeLLM(), task, jobs(task, 4), method="zerogen", show_progress=False)

    class OtherModel(FakeLLM):
        @property
        def model(self) -> str:
            return "fake-2"

    other = OtherModel()
    with journaling(tmp_path):
        gen = await run_jobs(other, task, jobs(task, 4), method="zerogen", show_progress=False)
    assert other.calls == 4 and {r.model for r in gen.records} == {"fake-2"}

    edited = FakeLLM()
    changed = [j for j in jobs(task, 4)]
    changed[0] = type(changed[0])(
        request=changed[0].request.model_copy(update={"temperature": 0.1}),
        label=changed[0].label,
    )
    with journaling(tmp_path):
        await run_jobs(edited, task, changed, method="zerogen", show_progress=False)
    assert edited.calls == 1  # only the edited request is sent again


async def test_without_journaling_nothing_is_written(tmp_path: Path, task: Task) -> None:
    await run_jobs(FakeLLM(), task, jobs(task, 3), method="zerogen", show_progress=False)
    assert list(tmp_path.iterdir()) == []


async def test_answers_replayed_from_the_journal_count_as_cache_hits(
    tmp_path: Path, task: Task
) -> None:
    """The bar says '5 cached' for journaled answers; the usage printed after it agrees."""
    with journaling(tmp_path / "j"), pytest.raises(RuntimeError):
        await run_jobs(
            CachedLLM(FakeLLM(fail_after=5), tmp_path / "a.sqlite"),
            task,
            jobs(task),
            method="zerogen",
            show_progress=False,
        )
    # another cache file: whatever the resumed run skips, it skips thanks to the journal
    llm = CachedLLM(FakeLLM(), tmp_path / "b.sqlite")
    with journaling(tmp_path / "j"):
        await run_jobs(llm, task, jobs(task), method="zerogen", show_progress=False)
    assert llm.usage.calls == 7 and llm.usage.cache_hits == 5
    assert llm.run_usage()["calls"] == 12
