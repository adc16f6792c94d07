"""`--runner ray` from the command line: two OpenAI-compatible servers, one worker each,
faults injected; the records are the local runner's and nothing is answered twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.test_cli import assert_one_line_error
from tests.cli.test_cli import synthloop as cli_synthloop
from tests.distributed.conftest import worker_pythonpath
from tests.llm.fault_server import Faults, FaultServer


def synthloop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Ray workers build the test backends themselves: they import tests/ and src/
    return cli_synthloop(*args, cwd=cwd, env={"PYTHONPATH": worker_pythonpath()})


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
    assert_one_line_error(proc, "cannot connect to the Ray cluster")
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
    assert_one_line_error(proc, "cannot connect to the Ray cluster")
    assert not (tmp_path / "validation.curated").exists()  # nothing half-written
