"""Budgets, estimates and fatal server errors as a user meets them on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthloop.llm import LLMConfig
from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.llm.fault_server import Faults, FaultServer


def openai_config(run_config: Path, base_url: str, extra: str = "") -> Path:
    run_config.write_text(
        run_config.read_text().replace(
            "llm: {max_tokens: 40}",
            "llm: {backend: openai, model: m, base_url: '"
            + base_url
            + "', max_tokens: 40"
            + extra
            + "}",
        )
    )
    return run_config


def test_401_fails_at_once_with_one_clear_line(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    with FaultServer(Faults(status=401)) as server:
        openai_config(run_config, server.base_url)
        proc = synthloop("generate", str(run_config), "-n", "20", "-q", cwd=tmp_path)
    assert_one_line_error(proc, "401 Unauthorized")
    assert "the key in OPENAI_API_KEY is wrong" in proc.stderr
    # the calls already in flight, none retried
    assert server.stats.requests <= LLMConfig().max_concurrency


def test_max_calls_stops_cleanly_and_a_rerun_resumes(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FaultServer() as server:
        openai_config(run_config, server.base_url)
        out = tmp_path / "gen.jsonl"
        args = ("generate", str(run_config), "-n", "30", "-o", str(out), "-q")
        proc = synthloop(*args, "--max-calls", "12", cwd=tmp_path)
        assert proc.returncode == 3
        assert_one_line_error(proc, "budget reached: 12 calls made, --max-calls 12")
        assert server.stats.answered.total() == 12
        journal = out.with_suffix(".journal") / "zerogen-r0.jsonl"
        assert journal.read_text().count("\n") == 12  # what was paid for is kept

        proc = synthloop(*args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert server.stats.answered.total() == 30 and set(server.stats.answered.values()) == {1}
    assert out.read_text().count("\n") == 30


def test_estimate_before_a_run(tmp_path: Path, run_config: Path) -> None:
    openai_config(
        run_config, "http://127.0.0.1:9/v1", ", price_prompt: 0.15, price_completion: 0.6"
    )
    proc = synthloop("generate", str(run_config), "-n", "50", "--estimate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    line = " ".join(proc.stdout.split())
    assert "estimate: 50 calls" in line and "≤2,000 completion tokens" in line
    assert "in cost" in line
    assert not (tmp_path / "generated.jsonl").exists()

    proc = synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # rationales 2 + seed 6 + one round over at most 3 errors
    assert "estimate: ≤11 calls" in " ".join(proc.stdout.split())


def test_estimate_of_the_toolbox_counts_the_examples_and_an_unsaved_tree(
    tmp_path: Path, run_config: Path
) -> None:
    with run_config.open("a") as f:
        f.write(
            "generation:\n"
            "  conditions: {scopes: {length: [short, long]}}\n"
            "  concept_tree: {depth: 2, branching: 3, file: tree.yaml}\n"
        )

    def estimate(method: str) -> str:
        proc = synthloop(
            "generate", str(run_config), "--method", method, "-n", "12", "--estimate",
            cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return " ".join(proc.stdout.split())

    # 12 examples + the tree at worst: the root, then its 3 subtopics
    assert "estimate: 16 calls" in estimate("conditional")
    assert "estimate: 16 calls" in estimate("rationale-example")
    (tmp_path / "tree.yaml").write_text("restaurants: [service, food]\n")
    assert "estimate: 12 calls" in estimate("conditional")  # a saved tree costs nothing


def test_max_cost_without_prices_is_a_config_error(tmp_path: Path, run_config: Path) -> None:
    openai_config(run_config, "http://127.0.0.1:9/v1")
    proc = synthloop("generate", str(run_config), "-n", "5", "--max-cost", "1", cwd=tmp_path)
    assert_one_line_error(proc, "--max-cost needs prices")


def test_self_instruct_max_calls_stops_cleanly_and_a_rerun_resumes(tmp_path: Path) -> None:
    # was: no such option: self-instruct spent whatever its config allowed
    from tests.task_fakes import NEW_INSTRUCTIONS

    def answer(body: dict) -> str:
        text = " ".join(m.get("content", "") for m in body["messages"])
        if "Carry out this instruction" in text:
            return "Input: <none>\nOutput: First this, then that, and done."
        return NEW_INSTRUCTIONS[int(body.get("seed") or 0) % len(NEW_INSTRUCTIONS)]

    (tmp_path / "seeds.jsonl").write_text(
        '{"instruction": "Name a colour.", "output": "Blue"}\n'
        '{"instruction": "Add two and two.", "input": "", "output": "4"}\n'
    )
    with FaultServer(answer=answer) as server:
        (tmp_path / "i.yaml").write_text(
            "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
            f"llm: {{backend: openai, model: m, base_url: '{server.base_url}'}}\n"
            "self_instruct: {n: 3, batch: 2}\n"
        )
        out = tmp_path / "si.jsonl"
        args = ("self-instruct", "i.yaml", "-o", out.name, "-q")
        proc = synthloop(*args, "--max-calls", "3", cwd=tmp_path)
        assert proc.returncode == 3
        assert_one_line_error(proc, "budget reached: 3 calls made, --max-calls 3")
        assert server.stats.answered.total() == 3
        assert not out.exists()

        proc = synthloop(*args, cwd=tmp_path)  # what was paid for is not paid again
        assert proc.returncode == 0, proc.stderr
        assert set(server.stats.answered.values()) == {1}
        assert json.loads(out.with_suffix(".stats.json").read_text())["count"] >= 1

        proc = synthloop(*args, "--max-cost", "1", cwd=tmp_path)
        assert_one_line_error(proc, "--max-cost needs prices")


def test_self_instruct_estimate_before_a_run(tmp_path: Path) -> None:
    # was: no such option: self-instruct could not say what a run would cost before it
    (tmp_path / "seeds.jsonl").write_text(
        '{"instruction": "Name a colour.", "output": "Blue"}\n'
        '{"instruction": "Add two and two.", "input": "", "output": "4"}\n'
    )
    config = tmp_path / "i.yaml"
    config.write_text(
        "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
        "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', max_tokens: 50, "
        "price_prompt: 0.15, price_completion: 0.6}\n"
        "self_instruct: {n: 3, batch: 2}\n"
    )
    before = sorted(tmp_path.iterdir())
    proc = synthloop("self-instruct", str(config), "-o", "si.jsonl", "--estimate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    line = " ".join(proc.stdout.split())  # the shape of generate's and s3's estimate line
    assert line.startswith("estimate: ≤12 calls") and "in cost" in line, line
    assert sorted(tmp_path.iterdir()) == before  # nothing asked, nothing written

    # with real instructions, S3's plan: the seed, then each round at its worst
    rows = [{"instruction": f"Say the number {i}.", "output": str(i)} for i in range(4)]
    for split in ("validation", "test"):
        (tmp_path / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config.write_text(
        config.read_text() + "real: {validation: validation.jsonl, test: test.jsonl}\n"
    )
    before = sorted(tmp_path.iterdir())
    proc = synthloop("self-instruct", str(config), "-o", "si.jsonl", "--rounds", "1",
                     "--estimate", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = " ".join(proc.stdout.split())
    # the same 12, then one round over at most the 4 validation instructions, two calls
    # each (the new instruction, then its input and response)
    assert line.startswith("estimate: ≤20 calls"), line
    assert sorted(tmp_path.iterdir()) == before
