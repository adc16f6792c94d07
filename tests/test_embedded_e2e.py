"""End to end on the real embedded LLM (SmolLM2-135M via llama.cpp), at tiny sizes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from synthloop.core.records import PROVENANCE
from synthloop.llm import Request
from synthloop.llm.embedded import EmbeddedLLM
from tests.cli.test_cli import synthloop

pytestmark = pytest.mark.llm


def test_s3_end_to_end_then_rerun_makes_zero_calls(tmp_path: Path, run_config: Path) -> None:
    out = tmp_path / "run"
    first = synthloop("s3", str(run_config), "--out", str(out), "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "S3 rounds" in first.stdout

    metrics = json.loads((out / "metrics.json").read_text())
    assert [r["round"] for r in metrics["rounds"]] == [0, 1]
    assert metrics["usage"]["calls"] > 0 and metrics["usage"]["cache_hits"] == 0
    assert all(0 <= r["test"]["accuracy"] <= 1 for r in metrics["rounds"])
    rows = [json.loads(line) for line in (out / "dataset.jsonl").read_text().splitlines()]
    assert rows and all(set(PROVENANCE) <= set(row) for row in rows)
    assert {row["method"] for row in rows} <= {"s3-seed", "extrapolate"}
    assert all(row["model"].startswith("SmolLM2-135M-Instruct") for row in rows)
    for name in ("config.yaml", "cache.sqlite", "rationales.json", "dataset.parquet"):
        assert (out / name).exists(), name
    for rnd in ("round_0", "round_1"):
        assert (out / rnd / "metrics.json").exists() and (out / rnd / "data.jsonl").exists()

    second = synthloop("s3", str(run_config), "--out", str(out), "-q", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    again = json.loads((out / "metrics.json").read_text())
    # a rerun pays for nothing: answers come back from the run's journal and cache
    assert again["usage"]["calls"] == 0 and again["usage"]["prompt_tokens"] == 0
    assert [json.loads(x) for x in (out / "dataset.jsonl").read_text().splitlines()] == rows

    evaluated = synthloop(
        "evaluate", str(out), "--json", str(tmp_path / "scores.json"), cwd=tmp_path
    )
    assert evaluated.returncode == 0, evaluated.stderr
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["train_size"] == len(rows) and scores["n"] == 30


def test_generate_zerogen_writes_records_with_provenance(tmp_path: Path, run_config: Path) -> None:
    out = tmp_path / "zg.jsonl"
    proc = synthloop(
        "generate",
        str(run_config),
        "--method",
        "zerogen",
        "-n",
        "4",
        "-o",
        str(out),
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert stats["calls"] == 4 and len(rows) + sum(stats["dropped"].values()) == 4
    assert all(r["method"] == "zerogen" and r["prompt_hash"] for r in rows)


async def test_embedded_chat_and_completion_modes_are_seeded() -> None:
    llm = EmbeddedLLM(n_ctx=512)
    try:
        chat = Request.chat("Say hello.", seed=7, max_tokens=12)
        a, b = await llm.complete(chat), await llm.complete(chat)
        assert a.text and a.text == b.text and a.completion_tokens > 0
        done = await llm.complete(Request(prompt="The capital of France is", seed=1, max_tokens=6))
        assert done.text.strip() and done.prompt_tokens > 0
    finally:
        await llm.aclose()


def test_demo_writes_its_own_labelled_set(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from synthloop.demo import write_demo; print(write_demo('d'))"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "d" / "validation.jsonl").exists()
    assert "DEMO SET" in (tmp_path / "d" / "README.txt").read_text()
