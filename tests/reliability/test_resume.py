"""Killed and resumed runs against a deterministic server: the dataset of an uninterrupted
run, nothing paid twice, and usage that adds up over the invocations (issue 15, items 4, 6)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
from pathlib import Path

from synthloop.core.runlock import LOCK_NAME
from tests.llm.fault_server import Faults, FaultServer
from tests.reliability.helpers import lines, start, synthloop, wait_for, write_run

FAULTS = Faults(rate=0.2, seed=11, latency=0.005, slow_seconds=3.0, retry_after=0.01)


def kill_when(
    proc: subprocess.Popen[str], server: FaultServer, journal: Path, journaled: int
) -> None:
    """SIGKILL ``proc`` once the server's gate has closed and ``journal`` holds the
    ``journaled`` answers given in its step (none in transit: see bench/reliability.py),
    then open the gate again."""
    wait_for(lambda: not server.open.is_set())
    wait_for(lambda: lines(journal) >= journaled)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    server.hold_after = None
    server.open.set()


def test_s3_killed_mid_extrapolation_resumes_to_the_uninterrupted_dataset(tmp_path: Path) -> None:
    with FaultServer(FAULTS) as reference_server:
        config = write_run(tmp_path, reference_server.base_url)
        assert synthloop("s3", str(config), "--out", "ref", "-q", cwd=tmp_path).returncode == 0
    reference = (tmp_path / "ref" / "dataset.jsonl").read_text()
    rounds = json.loads((tmp_path / "ref" / "metrics.json").read_text())["rounds"]
    assert rounds[1]["added"] > 5  # round 1 extrapolated real errors

    with FaultServer(FAULTS) as server:
        config = write_run(tmp_path, server.base_url)
        server.hold_after = 2 + 10 + 5  # rationales, the seed round, 5 extrapolations
        proc = start("s3", str(config), "--out", "run", "-q", cwd=tmp_path)
        kill_when(proc, server, tmp_path / "run" / "journal" / "extrapolate-r1.jsonl", 5)
        holder = json.loads((tmp_path / "run" / LOCK_NAME).read_text())
        assert holder["pid"] == proc.pid  # the dead process's lock, taken over by the resume
        resumed = synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "run" / "dataset.jsonl").read_text() == reference
    assert set(server.stats.answered.values()) == {1}  # no call paid twice
    usage = json.loads((tmp_path / "run" / "metrics.json").read_text())["usage"]
    assert usage["calls"] == len(server.stats.answered)  # the run's cost, both invocations
    assert usage["this_invocation"]["calls"] < usage["calls"]


def test_generate_resumed_reports_what_it_replayed_and_what_the_run_cost(tmp_path: Path) -> None:
    n = 40
    with FaultServer(FAULTS) as server:
        config = write_run(tmp_path, server.base_url)
        server.hold_after = 16
        proc = start("generate", str(config), "-n", str(n), "-o", "out.jsonl", "-q", cwd=tmp_path)
        kill_when(proc, server, tmp_path / "out.journal" / "zerogen-r0.jsonl", 16)
        before = server.stats.answered.total()
        resumed = synthloop("generate", str(config), "-n", str(n), "-o", "out.jsonl", "-q",
                            cwd=tmp_path)  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        paid = server.stats.answered.total() - before
        # the journal's answers are hits, as the progress bar counts them
        assert f"{paid} paid calls, {n - paid} from cache" in resumed.stdout
        stats = json.loads((tmp_path / "out.stats.json").read_text())
        assert stats["usage"]["calls"] == n
        assert stats["usage"]["this_invocation"]["calls"] == paid

        free = synthloop("generate", str(config), "-n", str(n), "-o", "out.jsonl", "-q",
                         cwd=tmp_path)  # fmt: skip
        assert "0 paid calls, 40 from cache" in free.stdout
        stats = json.loads((tmp_path / "out.stats.json").read_text())
        assert stats["usage"]["calls"] == n  # what the run cost is not lost on a free rerun
        assert stats["usage"]["this_invocation"]["calls"] == 0
    assert set(server.stats.answered.values()) == {1}


def test_outputs_have_the_users_umask(tmp_path: Path) -> None:
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url)
        old = os.umask(0o022)
        try:
            proc = synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path)
        finally:
            os.umask(old)
    assert proc.returncode == 0, proc.stderr
    files = [p for p in (tmp_path / "run").rglob("*") if p.is_file()]
    modes = {str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert "run/dataset.jsonl" in modes and "run/metrics.json" in modes
    assert set(modes.values()) == {"0o644"}, modes
