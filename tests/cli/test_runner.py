"""`--runner ray` from the command line: two OpenAI-compatible servers, one worker each,
faults injected; the records are the local runner's and nothing is answered twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.distributed.conftest import worker_pythonpath
from tests.llm.fault_server import Faults, FaultServer


def synthloop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "synthloop"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "synthloop.cli"]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": worker_pythonpath()}
    return subprocess.run(
        [*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def test_generate_on_ray_over_two_endpoints(tmp_path: Path, run_config: Path) -> None:
    faults = Faults(rate=0.2, kinds=("429", "500", "reset"), seed=1)
    with FaultServer(faults) as first, FaultServer(faults) as second:
        run_config.write_text(
            run_config.read_text().replace(
                "llm: {max_tokens: 40}",
                f"llm: {{backend: openai, model: m, base_url: '{first.base_url}'}}",
            )
        )
        local = synthloop("generate", str(run_config), "-n", "16", "-o", "local.jsonl", "-q",
                          cwd=tmp_path)  # fmt: skip
        assert local.returncode == 0, local.stderr
        local_answers = sum(first.stats.answered.values())
        remote = synthloop(
            "generate", str(run_config), "-n", "16", "-o", "ray.jsonl", "-q",
            "--runner", "ray", "--ray-workers", "2",
            "--endpoint", first.base_url, "--endpoint", second.base_url,
            cwd=tmp_path,
        )  # fmt: skip
        assert remote.returncode == 0, remote.stderr
        ray_first = sum(first.stats.answered.values()) - local_answers
        ray_second = sum(second.stats.answered.values())
    assert (tmp_path / "ray.jsonl").read_text() == (tmp_path / "local.jsonl").read_text()
    assert ray_first > 0 and ray_second > 0  # both servers did work
    assert ray_first + ray_second == 16 == local_answers  # each request answered once


def test_an_unreachable_ray_address_is_one_line(tmp_path: Path, run_config: Path) -> None:
    proc = synthloop(
        "generate", str(run_config), "-n", "2", "-o", "x.jsonl",
        "--runner", "ray", "--ray-address", "127.0.0.1:9",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "cannot connect to the Ray cluster" in errors[0], proc.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_curate_with_an_unreachable_ray_address_is_one_line(
    tmp_path: Path, run_config: Path
) -> None:
    data = tmp_path / "validation.jsonl"  # real reviews stand in for a generated set
    proc = synthloop(
        "curate", str(data), "--config", str(run_config), "--steps", "minhash_dedup",
        "--runner", "ray", "--ray-address", "127.0.0.1:9",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "cannot connect to the Ray cluster" in errors[0], proc.stderr
    assert not (tmp_path / "validation.curated").exists()  # nothing half-written
