"""No command writes over its own inputs: each is refused in one line before any work, and
every input is byte-identical afterwards (issue 15, item 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.llm.fault_server import FaultServer
from tests.reliability.helpers import (
    checksums,
    copy_workspace,
    one_line_error,
    refused,
    synthloop,
)

CASES = [
    (["generate", "run.yaml", "-n", "4", "-o", "validation.jsonl"], "over its own input"),
    (["generate", "run.yaml", "-n", "4", "-o", "run.yaml"], "over its own input"),
    (["generate", "run.yaml", "-n", "4", "-o", "task.yaml"], "over its own input"),
    (["generate", "run.yaml", "--method", "extrapolate", "--from", "test.jsonl",
      "-o", "test.jsonl"], "over its own input"),
    (["generate", "run.yaml", "-n", "4", "--cache", "test.jsonl"], "over its own input"),
    (["evaluate", "run/dataset.jsonl", "--config", "run.yaml", "--json", "run/dataset.jsonl"],
     "over its own input"),
    (["evaluate", "run", "--json", "run/config.yaml"], "over its own input"),
    (["report", "run", "-o", "run/dataset.jsonl"], "over its own input"),
    (["report", "run", "-o", "run/metrics.json"], "over its own input"),
    (["curate", "run", "-o", "run"], "over its own input"),
    (["curate", "run/dataset.jsonl", "--task", "task.yaml", "-o", "run/dataset.jsonl"],
     "is a file, not a folder"),
    (["s3", "run.yaml", "--out", "validation.jsonl"], "is a file, not a folder"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_command_never_writes_over_its_inputs(
    finished: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    work = copy_workspace(finished, tmp_path / "w")
    with FaultServer() as server:
        config = (work / "run.yaml").read_text()
        start = config.index("base_url: '") + len("base_url: '")
        old = config[start : config.index("'", start)]
        (work / "run.yaml").write_text(config.replace(old, server.base_url))
        line = refused(*args, "-q", cwd=work, server=server)  # nothing written, nothing touched
    assert expected in line


def test_s3_into_a_folder_that_holds_its_dataset_named_input(
    finished: Path, tmp_path: Path
) -> None:
    """A folder whose `dataset.jsonl` is the user's own file is not a place for a run."""
    work = copy_workspace(finished, tmp_path / "w")
    shutil.copy(work / "validation.jsonl", work / "dataset.jsonl")
    config = (work / "run.yaml").read_text().replace("validation.jsonl", "dataset.jsonl")
    (work / "run.yaml").write_text(config)
    before = checksums([work])
    line = one_line_error(synthloop("s3", "run.yaml", "--out", ".", "-q", cwd=work))
    assert "s3 would write dataset.jsonl over its own input" in line.replace(f"{work}/", "")
    assert checksums([work]) == before


def test_a_run_resumed_from_its_own_config_yaml_is_not_an_overwrite(
    finished: Path, tmp_path: Path
) -> None:
    work = copy_workspace(finished, tmp_path / "w")
    with FaultServer() as server:
        config = (work / "run" / "config.yaml").read_text()
        start = config.index("base_url: ") + len("base_url: ")
        old = config[start : config.index("\n", start)]
        (work / "run" / "config.yaml").write_text(config.replace(old, server.base_url))
        proc = synthloop("s3", "run/config.yaml", "--out", "run", "-q", cwd=work)
    assert proc.returncode == 0, proc.stderr  # the run rewrites config.yaml with itself
    assert (work / "run" / "dataset.jsonl").exists()
