"""Two runs on one run directory: the second is refused by name before it touches anything,
and the first finishes as if alone (issue 15, item 3)."""

from __future__ import annotations

from pathlib import Path

from tests.llm.fault_server import FaultServer
from tests.reliability.helpers import (
    checksums,
    one_line_error,
    start,
    synthloop,
    wait_for,
    write_run,
)


def test_a_second_s3_on_the_same_out_is_refused(tmp_path: Path) -> None:
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url, timeout=60)  # held, not timed out
        server.open.clear()  # hold every answer: the first run sits mid-run holding the dir
        first = start("s3", str(config), "--out", "run", "-q", cwd=tmp_path)
        wait_for(lambda: server.stats.requests >= 2)
        before = checksums([tmp_path / "run"])
        requests = server.stats.requests
        second = synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path)
        line = one_line_error(second)
        assert f"run is in use by pid {first.pid} (synthloop s3 " in line
        assert "--out run -q), running since" in line
        assert checksums([tmp_path / "run"]) == before  # it wrote nothing
        assert server.stats.requests == requests  # and asked nothing

        server.open.set()
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        dataset = (tmp_path / "run" / "dataset.jsonl").read_text()
        paid = server.stats.answered.total()
        # the next run on it (the lock was let go) is a free rerun with the same result
        assert synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path).returncode == 0
        assert server.stats.answered.total() == paid
        assert (tmp_path / "run" / "dataset.jsonl").read_text() == dataset
    assert set(server.stats.answered.values()) == {1}


def test_no_command_writes_into_a_run_directory_an_s3_holds(tmp_path: Path) -> None:
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url, timeout=60, s3="seed_size: 10, rounds: 0")
        assert synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path).returncode == 0
        server.open.clear()  # a second round is asked for, and held
        asked = server.stats.requests
        first = start("s3", str(config), "--out", "run", "--rounds", "1", "--force", "-q",
                      cwd=tmp_path)  # fmt: skip
        wait_for(lambda: server.stats.requests > asked)
        before = checksums([tmp_path / "run"])
        for other in (
            ["evaluate", "run", "--no-embeddings"],  # writes run/evaluation.json
            ["report", "run"],  # run/report.html
            ["curate", "run", "--steps", "llm_agreement"],  # run/cache.sqlite
            ["curate", "run"],  # run/curated/
            ["demo", "--out", "run"],  # run/demo-data/, then the run itself
        ):
            line = one_line_error(synthloop(*other, "-q", cwd=tmp_path))
            assert f"run is in use by pid {first.pid} (synthloop s3 " in line, line
        assert checksums([tmp_path / "run"]) == before
        server.open.set()
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err


def test_a_second_generate_on_the_same_output_is_refused(tmp_path: Path) -> None:
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url, timeout=60)
        server.open.clear()
        first = start("generate", str(config), "-n", "8", "-o", "g.jsonl", "-q", cwd=tmp_path)
        wait_for(lambda: server.stats.requests >= 1)
        line = one_line_error(
            synthloop("generate", str(config), "-n", "8", "-o", "g.jsonl", "-q", cwd=tmp_path)
        )
        assert f"g.journal is in use by pid {first.pid} (synthloop generate " in line
        server.open.set()
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    assert (tmp_path / "g.jsonl").read_text().count("\n") == 8


SELF_INSTRUCT = (
    "task: {name: helper, type: instruction, domain: everyday tasks, example_noun: task}\n"
    "seeds:\n  - {instruction: Name a fruit., output: Apple.}\n"
    "  - {instruction: Add 2 and 2., output: '4'}\n"
    "llm: {backend: openai, model: m, base_url: 'BASE', timeout: 60, max_concurrency: 2}\n"
    "self_instruct: {n: 4}\n"
)


def test_a_second_self_instruct_on_the_same_output_is_refused(tmp_path: Path) -> None:
    with FaultServer() as server:
        (tmp_path / "si.yaml").write_text(SELF_INSTRUCT.replace("BASE", server.base_url))
        server.open.clear()
        first = start("self-instruct", "si.yaml", "-o", "si.jsonl", "-q", cwd=tmp_path)
        wait_for(lambda: server.stats.requests >= 1)
        line = one_line_error(
            synthloop("self-instruct", "si.yaml", "-o", "si.jsonl", "-q", cwd=tmp_path)
        )
        assert f"si.journal is in use by pid {first.pid} (synthloop self-instruct " in line
        # the second run would send the first's very requests (same config, same seeds); the
        # first may still be sending its own batch, so count repeats rather than requests
        assert set(server.stats.attempts.values()) == {1}
        server.open.set()
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
