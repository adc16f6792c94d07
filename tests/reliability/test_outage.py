"""A real server goes away mid-run and comes back: the run waits, says so, and finishes
with every record and nothing paid twice (issue 15, item 1)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.llm.fault_server import Faults, FaultServer
from tests.reliability.helpers import start, synthloop, wait_for, write_run

N = 40
OUTAGE = 30.0  # seconds the server is gone: a restart, not a blip


def test_a_30_s_outage_mid_generate_is_ridden_out(tmp_path: Path) -> None:
    faults = Faults(latency=0.02)
    with FaultServer(faults) as reference_server:
        config = write_run(tmp_path / "ref", reference_server.base_url)
        assert synthloop("generate", str(config), "-n", str(N), "-o", "ref.jsonl", "-q",
                         cwd=tmp_path / "ref").returncode == 0  # fmt: skip
    reference = (tmp_path / "ref" / "ref.jsonl").read_text()

    first = FaultServer(faults).start()
    config = write_run(tmp_path / "run", first.base_url)
    proc = start("generate", str(config), "-n", str(N), "-o", "out.jsonl", "-q",
                 cwd=tmp_path / "run")  # fmt: skip
    wait_for(lambda: first.stats.answered.total() >= 15)
    first.stop()  # in-flight answers are cut off; new connections are refused
    down_at = time.monotonic()
    time.sleep(OUTAGE)
    assert proc.poll() is None  # still waiting, not given up
    with FaultServer(faults, port=first.port) as second:
        out, err = proc.communicate(timeout=120)
        back_after = time.monotonic() - down_at
    assert proc.returncode == 0, err
    assert (tmp_path / "run" / "out.jsonl").read_text() == reference
    waits = [ln for ln in err.splitlines() if "server unreachable" in ln]
    assert waits[0].startswith(f"warning: server unreachable ({first.base_url}: Connection ")
    assert waits[-1].endswith(f"(attempt {len(waits)})") and len(waits) >= 5
    assert "warning: server reachable again after" in err
    assert back_after >= OUTAGE
    # every request was answered whole once, by one server or the other: none paid twice
    answered = first.stats.answered + second.stats.answered
    assert len(answered) == N and set(answered.values()) == {1}
    assert f"{N} records" in out


def test_the_hint_counts_only_the_answers_this_model_would_reuse(tmp_path: Path) -> None:
    # was: every answer in the cache, another model's too ("resume from the 6 answers")
    def config(model: str, base_url: str) -> Path:
        # one declared server identity: the cache keys differ by model alone
        path = write_run(tmp_path, base_url, llm="server_identity: srv, unreachable_timeout: 0.5")
        path.write_text(path.read_text().replace("model: m,", f"model: {model},"))
        return path

    cache = str(tmp_path / "shared.sqlite")
    with FaultServer() as server:
        for model, n in (("m", "2"), ("other", "4")):
            assert synthloop("generate", str(config(model, server.base_url)), "-n", n,
                             "-o", f"{model}.jsonl", "--cache", cache, "-q",
                             cwd=tmp_path).returncode == 0  # fmt: skip
    proc = synthloop("generate", str(config("m", server.base_url)), "-n", "4", "-o", "m2.jsonl",
                     "--cache", cache, "-q", cwd=tmp_path)  # fmt: skip
    assert proc.returncode != 0
    assert f"resume from the 2 answers saved in {cache}" in proc.stderr, proc.stderr
