"""What the reliability tests (and bench/reliability.py) share: a run config against the
fault server, the CLI as a subprocess, and checksums of the files a command must not touch.
No pytest here: the benchmark imports it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from tests.cli.test_cli import command
from tests.llm.fault_server import FaultServer
from tests.reviews import TASK_YAML, labelled_rows, write_rows

#: real examples the fault server's reviews do not cover, so round 0 leaves errors for S3
#: to extrapolate
HARD = ["pasta", "terrace", "menu", "music", "wine", "price", "parking", "queue", "bill", "tip"]
S3 = "seed_size: 10, rationale_calls_per_label: 1, rounds: 2, max_errors_per_round: 12"


def write_run(
    folder: Path,
    base_url: str,
    *,
    llm: str = "",
    timeout: float = 2.0,
    s3: str = S3,
    validation: list[dict] | None = None,
    test: list[dict] | None = None,
) -> Path:
    """A task, real data and a run config whose LLM is the OpenAI-compatible server at
    ``base_url``; ``llm`` adds fields to the llm: mapping. ``validation`` (the HARD examples
    follow it) and ``test`` replace the default labelled rows."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "task.yaml").write_text(TASK_YAML)
    hard = [
        {
            "text": f"visit {i}: the {w} was nothing special",
            "label": ("positive", "negative")[i % 2],
        }
        for i, w in enumerate(HARD * 2)
    ]
    validation = labelled_rows(20) if validation is None else validation
    write_rows(folder / "validation.jsonl", validation + hard)
    write_rows(folder / "test.jsonl", labelled_rows(30) if test is None else test)
    extra = f", {llm}" if llm else ""
    config = folder / "run.yaml"
    config.write_text(
        "task: task.yaml\n"
        "data:\n  validation: {path: validation.jsonl}\n  test: {path: test.jsonl}\n"
        f"llm: {{backend: openai, model: m, base_url: '{base_url}', timeout: {timeout}, "
        f"max_retries: 12, max_concurrency: 4, max_tokens: 40{extra}}}\n"
        f"s3: {{{s3}}}\n"
    )
    return config


ENV = {**os.environ, "OPENAI_API_KEY": "sk-test", "NO_COLOR": "1", "COLUMNS": "200"}


def synthloop(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=ENV
    )


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(*args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=ENV,
    )  # fmt: skip


def finished_run(folder: Path, s3: str = "seed_size: 10, rounds: 0") -> Path:
    """``folder`` as write_run makes it, with a finished S3 run in ``run/`` (the seed round
    only, by default); the fault server its config names is gone."""
    with FaultServer() as server:
        config = write_run(folder, server.base_url, s3=s3)
        assert synthloop("s3", str(config), "--out", "run", "-q", cwd=folder).returncode == 0
    return folder


def copy_workspace(made: Path, folder: Path) -> Path:
    """A copy of ``made`` (a finished_run workspace) at ``folder``, its run's resolved
    config pointing at the copy's own data files: one S3 run serves many tests."""
    shutil.copytree(made, folder, dirs_exist_ok=True)
    config = folder / "run" / "config.yaml"
    config.write_text(config.read_text().replace(str(made), str(folder)))
    return folder


def refused(*args: str, cwd: Path, server: FaultServer) -> str:
    """The CLI run in ``cwd`` must fail in one ``error:`` line without asking ``server`` (not
    asked anything before) for an answer and with every file under ``cwd`` unchanged; returns
    the line."""
    before = checksums([cwd])
    line = one_line_error(synthloop(*args, cwd=cwd))
    assert server.stats.requests == 0
    assert checksums([cwd]) == before
    return line


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The command's single ``error:`` line, after checking it failed cleanly."""
    assert proc.returncode not in (0, 1), (proc.returncode, proc.stderr)  # 1: internal error
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    assert proc.stderr.rstrip().endswith(errors[0])
    return errors[0]


def checksums(paths: Iterable[Path]) -> dict[str, str]:
    """sha256 of every file under ``paths`` (files, or folders walked)."""
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.01)


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]
