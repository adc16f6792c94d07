"""SIGKILL a real `synthloop generate` at several points against a faulty server, resume,
and get the dataset an uninterrupted run makes, with no answer paid for twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.llm.fault_server import Faults, FaultServer

N = 40
FAULTS = Faults(rate=0.2, seed=11, latency=0.005, slow_seconds=2.0, retry_after=0.01)


def write_config(folder: Path, run_config: Path, base_url: str) -> Path:
    text = run_config.read_text().replace(
        "llm: {max_tokens: 40}",
        "llm: {backend: openai, model: m, base_url: '" + base_url + "', timeout: 1.0, "
        "max_retries: 12, max_concurrency: 6, max_tokens: 40}",
    )
    path = folder / "openai.yaml"
    path.write_text(text)
    return path


def start(*args: str) -> subprocess.Popen[str]:
    """``synthloop ARGS`` running in the background, to be killed."""
    return subprocess.Popen(
        [sys.executable, "-m", "synthloop.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OPENAI_API_KEY": "sk-test", "NO_COLOR": "1"},
    )  # fmt: skip


def generate(config: Path, out: Path) -> subprocess.Popen[str]:
    return start("generate", str(config), "-n", str(N), "-o", str(out), "-q")


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.01)


def journal_lines(out: Path) -> int:
    path = out.with_suffix(".journal") / "zerogen-r0.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_sigkill_at_several_points_then_resume_gives_the_same_dataset(
    tmp_path: Path, run_config: Path
) -> None:
    with FaultServer(FAULTS) as reference_server:
        config = write_config(tmp_path, run_config, reference_server.base_url)
        proc = generate(config, tmp_path / "reference.jsonl")
        assert proc.wait(120) == 0, proc.stderr.read() if proc.stderr else ""
    reference = (tmp_path / "reference.jsonl").read_text()
    assert reference.count("\n") == N

    out = tmp_path / "killed.jsonl"
    with FaultServer(FAULTS) as server:
        config = write_config(tmp_path, run_config, server.base_url)
        for hold_after in (0, 9, 27):  # kill with nothing answered, then part-way twice
            server.hold_after = hold_after
            if hold_after == 0:
                server.open.clear()
            proc = generate(config, out)
            # the gate has closed: the answers given are all the run will get
            wait_for(lambda h=hold_after: not server.open.is_set() and server.stats.requests > h)  # type: ignore[misc]
            time.sleep(0.2)  # answers already past the gate reach the client
            delivered = server.stats.answered.total()
            wait_for(lambda d=delivered: journal_lines(out) >= d)  # type: ignore[misc]
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            assert not out.exists()  # the dataset is only written by a run that finishes
            server.hold_after = None
            server.open.set()
        proc = generate(config, out)
        assert proc.wait(120) == 0, proc.stderr.read() if proc.stderr else ""

    assert out.read_text() == reference  # same records, same order, same provenance
    answered = server.stats.answered
    assert len(answered) == N and set(answered.values()) == {1}  # no call paid twice


def s3(config: Path, out: Path) -> subprocess.Popen[str]:
    return start("s3", str(config), "--out", str(out), "-q")


def test_sigkill_during_s3_then_resume_gives_the_same_dataset(
    tmp_path: Path, run_config: Path
) -> None:
    with FaultServer(FAULTS) as reference_server:
        config = write_config(tmp_path, run_config, reference_server.base_url)
        proc = s3(config, tmp_path / "reference")
        assert proc.wait(120) == 0, proc.stderr.read() if proc.stderr else ""
    reference = (tmp_path / "reference" / "dataset.jsonl").read_text()

    out = tmp_path / "killed"
    with FaultServer(FAULTS) as server:
        config = write_config(tmp_path, run_config, server.base_url)
        server.hold_after = 5  # rationales (2 calls) done, the seed round part-way
        proc = s3(config, out)
        wait_for(lambda: not server.open.is_set())
        time.sleep(0.2)
        journal = out / "journal" / "s3-seed-r0.jsonl"
        wait_for(lambda: journal.exists() and journal.read_bytes().count(b"\n") >= 3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        server.hold_after = None
        server.open.set()
        proc = s3(config, out)
        assert proc.wait(120) == 0, proc.stderr.read() if proc.stderr else ""
    assert (out / "dataset.jsonl").read_text() == reference
    assert set(server.stats.answered.values()) == {1}
