"""The Ray runner on a real multi-node cluster: ``ray start --head`` plus a worker node,
each a process this test starts; the worker node is killed in the middle of a run."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthloop.distributed.cluster import import_ray, ray_session
from synthloop.run.config import load_config
from tests.distributed.conftest import worker_pythonpath
from tests.distributed.fakes import journal_lines
from tests.distributed.local_runs import journaled_pool, local_zerogen, zerogen_killed_midway

RAY = str(Path(sys.executable).parent / "ray")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ray_start(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # --block keeps each node's processes under one process group we can kill.
    return subprocess.Popen(
        [RAY, "start", "--block", "--disable-usage-stats", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    # The whole node at once (GCS, raylet, workers): a test cluster needs no graceful exit.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    ray = import_ray()
    if ray.is_initialized():
        ray.shutdown()
    # Ray >= 2.59 secures `ray start` clusters with a token; this test's cluster listens on
    # this machine only and its driver has Ray imported already, so it runs without one.
    auth = {"RAY_AUTH_MODE": "disabled"}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)
    env = {**os.environ, "PYTHONPATH": worker_pythonpath(), "RAY_USAGE_STATS_ENABLED": "0"}
    address = f"{ray.util.get_node_ip_address()}:{free_port()}"
    # Node failures are noticed after 2 missed 500 ms health checks, not the default ~30 s.
    config = '{"health_check_period_ms": 500, "health_check_failure_threshold": 2}'
    head = ray_start(
        "--head", f"--port={address.split(':')[1]}", "--num-cpus=1",
        "--include-dashboard=false", f"--system-config={config}", env=env,
    )  # fmt: skip
    nodes = {"head": head}
    try:
        deadline = time.monotonic() + 90
        while not listening(address):
            if time.monotonic() > deadline or head.poll() is not None:
                pytest.fail("the Ray head node did not start")
            time.sleep(1)
        nodes["worker"] = ray_start(f"--address={address}", "--num-cpus=1", env=env)
        with ray_session(address):
            while sum(n["Alive"] for n in ray.nodes()) < 2:
                if time.monotonic() > deadline:
                    pytest.fail("the Ray worker node did not join")
                time.sleep(0.5)
            yield nodes
    finally:
        for proc in reversed(nodes.values()):
            stop(proc)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def test_losing_a_worker_node_midrun_loses_nothing(
    cluster: dict[str, subprocess.Popen[bytes]], tmp_path: Path, run_config: Path
) -> None:
    ray = import_ray()
    config = load_config(run_config)
    local = await local_zerogen(config, 30, tmp_path)
    journal = tmp_path / "answered.log"
    pool = journaled_pool(journal, delay=0.05)
    head_node = ray.get_runtime_context().get_node_id()
    assert len(set(pool.worker_nodes())) == 2  # spread: one worker on each node
    assert head_node in pool.worker_nodes()
    # Ray runs each worker process in its own session, so the machine's death is the node's
    # processes (raylet & co.) and the worker processes it hosts, killed together.
    doomed = [
        pid
        for pid, node in zip(pool.worker_pids(), pool.worker_nodes(), strict=True)
        if node != head_node
    ]

    def kill_worker_node() -> None:
        os.killpg(cluster["worker"].pid, signal.SIGKILL)
        for pid in doomed:
            os.kill(pid, signal.SIGKILL)

    out = tmp_path / "ray.jsonl"
    gen, usage = await zerogen_killed_midway(
        config, 30, out, pool, journal, after=6, kill=kill_worker_node
    )
    assert pool.restarts >= 1
    assert set(pool.worker_nodes()) == {head_node}  # the replacement lives on the head
    assert [r.to_row() for r in gen.records] == [r.to_row() for r in local.records]
    assert usage.calls == 30 and len(set(journal_lines(journal))) == 30
