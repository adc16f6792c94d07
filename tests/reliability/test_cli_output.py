"""The CLI's output is a user's: defaults shown in --help, usage errors in one line, -q
quiet, other libraries' output held back (issue 15, item 6)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.llm.fault_server import FaultServer
from tests.reliability.helpers import finished_run, one_line_error, synthloop, write_run

COMMANDS = ("s3", "generate", "evaluate", "report", "demo", "curate", "review", "push",
            "self-instruct")  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_every_default_it_names(tmp_path: Path, command: str) -> None:
    proc = synthloop(command, "--help", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith(f"Usage: synthloop {command}")
    text = " ".join(proc.stdout.split())
    # a help text naming its default keeps it (rich markup used to eat "[default: ...]")
    assert not re.search(r"\w \.(\s|$)", text), text  # "Run config ." was what was left
    assert text.count("[") == text.count("]")


def test_the_defaults_the_issue_found_missing_are_shown(tmp_path: Path) -> None:
    text = " ".join(synthloop("evaluate", "--help", cwd=tmp_path).stdout.split())
    for shown in (
        "Run config [default: RUN_DIR/config.yaml]",
        "Small model [default: the config's learner, else the task type's",
        "Real test file, or hf:NAME[:CONFIG[:SPLIT]] [default: the config's data.test]",
    ):
        assert shown in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["generate", "run.yaml", "--method", "nope"], "Invalid value for '--method'"),
        (["s3"], "Missing argument 'config'"),
        (["s3", "run.yaml", "--bogus"], "No such option: --bogus"),
        (["evaluate", "x", "--judge", "-1"], "Invalid value for '--judge'"),
    ],
)
def test_a_usage_error_is_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    line = one_line_error(synthloop(*args, cwd=tmp_path))
    assert expected in line and f"(see `synthloop {args[0]} --help`)" in line


def test_quiet_runs_print_nothing_on_stderr(tmp_path: Path) -> None:
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url, s3="seed_size: 6, rounds: 1")
        runs = [
            synthloop("s3", str(config), "--out", "run", "-q", cwd=tmp_path),
            synthloop("generate", str(config), "-n", "6", "-o", "g.jsonl", "-q", cwd=tmp_path),
            # embedding metrics load MiniLM: its "Loading weights" bar was shown under -q
            synthloop("evaluate", "run", "--json", "scores.json", "-q", cwd=tmp_path),
            synthloop("curate", "run", "-q", cwd=tmp_path),
            # the curated set: `report run` would warn, as warnings go to stderr under -q
            synthloop("report", "run/curated", "-q", cwd=tmp_path),
        ]
    for proc in runs:
        assert proc.returncode == 0 and proc.stderr == "", (proc.args, proc.stderr)


def test_an_unwritable_json_target_fails_before_the_evaluation(tmp_path: Path) -> None:
    finished_run(tmp_path, s3="seed_size: 6, rounds: 0")
    shutil.copy(tmp_path / "run" / "dataset.jsonl", tmp_path / "d.jsonl")
    proc = synthloop("evaluate", "d.jsonl", "--config", "run.yaml", "--json",
                     "task.yaml/scores.json", cwd=tmp_path)  # fmt: skip
    assert "task.yaml is a file, not a folder" in one_line_error(proc)
    assert proc.stdout == ""  # no table printed: it stopped before evaluating


def test_a_warning_is_said_once_not_again_by_the_estimate_before_the_run(
    tmp_path: Path,
) -> None:
    # was: every warning twice, once as the estimate walked the plans, again as the run did
    with FaultServer() as server:
        config = write_run(tmp_path, server.base_url, s3="seed_size: 3, rounds: 0")
        config.write_text(config.read_text() + "generation: {demonstrations: {k: 32}}\n")
        with (tmp_path / "task.yaml").open("a") as f:  # a label no real record carries
            f.write("  mixed: the customer was both\n")
        runs = {
            "generate": synthloop("generate", str(config), "--method", "conditional", "-n", "3",
                                  "-o", "g.jsonl", cwd=tmp_path),
            "generate --estimate": synthloop("generate", str(config), "--method",
                                             "conditional", "-n", "3", "--estimate",
                                             cwd=tmp_path),
            "s3": synthloop("s3", str(config), "--out", "run", cwd=tmp_path),
        }  # fmt: skip
    said = {
        "generate": "warning: generation.demonstrations.k is 32",
        "generate --estimate": "warning: generation.demonstrations.k is 32",
        "s3": "warning: 1 of 3 labels have no validation records ('mixed')",
    }
    for name, proc in runs.items():
        assert proc.returncode == 0, (name, proc.stderr)
        assert proc.stderr.count(said[name]) == 1, (name, proc.stderr)
