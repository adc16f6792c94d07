"""Ctrl-C during a run: one line saying how to resume, exit status 130, and the rerun pays
for nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.llm.fault_server import Faults, FaultServer
from tests.llm.test_kill_resume import journal_lines, wait_for, write_config

N = 30


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_says_how_to_resume_and_the_rerun_finishes(tmp_path: Path, run_config: Path) -> None:
    out = tmp_path / "gen.jsonl"
    with FaultServer(Faults()) as server:
        server.hold_after = 3  # then hold every answer: the run waits until interrupted
        config = write_config(tmp_path, run_config, server.base_url)
        args = [sys.executable, "-m", "synthloop.cli", "generate", str(config), "-n", str(N),
                "-o", str(out), "-q"]  # fmt: skip
        env = {**os.environ, "OPENAI_API_KEY": "sk-test", "NO_COLOR": "1"}
        # A suite started in the background (`make test &`, nohup, CI runners) inherits SIGINT
        # ignored, and so would the child: Python then never raises KeyboardInterrupt. Give the
        # child the disposition a terminal gives a foreground command.
        proc = subprocess.Popen(
            args, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=default_sigint
        )
        wait_for(lambda: journal_lines(out) >= 3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert err.strip().splitlines()[-1] == (
            "interrupted: run the same command again to resume (answers so far are cached)"
        )
        assert not out.exists()
        server.hold_after = None
        server.open.set()
        rerun = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
    assert out.read_text().count("\n") == N
    assert set(server.stats.answered.values()) == {1}  # no answer paid for twice
