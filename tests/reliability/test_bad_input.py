"""Bad input that used to get through: refused in one line, before any LLM call, with every
input unchanged (issue 15, item 5)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from synthloop.core.io import MAX_LINE_BYTES
from tests.llm.fault_server import FaultServer
from tests.reliability.helpers import (
    checksums,
    copy_workspace,
    one_line_error,
    refused,
    synthloop,
    write_run,
)


def duplicate_label(folder: Path) -> None:
    task = folder / "task.yaml"
    task.write_text(task.read_text() + "  positive: the customer was thrilled\n")


def gzipped_validation(folder: Path) -> None:
    path = folder / "validation.jsonl"
    path.write_bytes(gzip.compress(path.read_bytes()))


def elf_validation(folder: Path) -> None:
    (folder / "validation.jsonl").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))


def latin1_test(folder: Path) -> None:
    (folder / "test.jsonl").write_bytes(
        '{"text": "très bon", "label": "positive"}\n'.encode("latin-1")
    )


def huge_line(folder: Path) -> None:
    with (folder / "validation.jsonl").open("a") as fh:
        fh.write(json.dumps({"text": "a" * (2 * MAX_LINE_BYTES), "label": "positive"}) + "\n")


def unknown_learner(folder: Path) -> None:
    config = folder / "run.yaml"
    config.write_text(config.read_text() + "learner: magic_lr\n")


def refused_when_spoilt(
    folder: Path, spoil: Callable[[Path], None], command: str, *args: str
) -> str:
    """``command RUN_CONFIG *args`` on a workspace (write_run) that ``spoil`` broke: refused
    in one line, before any LLM call, every input unchanged; returns the error line."""
    with FaultServer() as server:
        config = write_run(folder, server.base_url)
        spoil(folder)
        return refused(command, str(config), *args, cwd=folder, server=server)


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (unknown_learner, "unknown learner 'magic_lr'; choose one of:"),
        (
            duplicate_label,
            "task.yaml: malformed YAML at line 8, column 3: duplicate key 'positive'",
        ),
        (gzipped_validation, "validation.jsonl: not UTF-8 text: it starts like a gzip file"),
        (elf_validation, "validation.jsonl: not UTF-8 text: it starts like an executable"),
        (latin1_test, "test.jsonl: not UTF-8 text: byte 0xe8 at offset 12 (line 1)"),
        (huge_line, "validation.jsonl:41: line longer than 1 MiB"),
    ],
)
def test_s3_refuses_before_any_call(
    tmp_path: Path, spoil: Callable[[Path], None], expected: str
) -> None:
    assert expected in refused_when_spoilt(tmp_path, spoil, "s3", "--out", "run", "-q")
    assert not (tmp_path / "run").exists()


@pytest.fixture
def made(finished: Path, tmp_path: Path) -> Path:
    """A finished run directory (a copy of the shared one) and a copy of its dataset with a
    label the task lacks."""
    copy_workspace(finished, tmp_path)
    rows = (tmp_path / "run" / "dataset.jsonl").read_text().splitlines()
    rows[3] = (
        rows[3]
        .replace('"label": "negative"', '"label": "neutral"')
        .replace('"label": "positive"', '"label": "neutral"')
    )
    (tmp_path / "foreign.jsonl").write_text("\n".join(rows) + "\n")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "foreign.jsonl", "--config", "run.yaml", "--no-embeddings"),
        ("curate", "foreign.jsonl", "--task", "task.yaml", "-o", "curated"),
        ("evaluate", "run", "--no-embeddings"),
        ("report", "run", "-o", "report.html"),
    ],
)
def test_a_dataset_with_a_label_the_task_lacks_is_refused(
    made: Path, args: tuple[str, ...]
) -> None:
    if "run" in args:  # the run's own dataset, edited by hand
        (made / "run" / "dataset.jsonl").write_text((made / "foreign.jsonl").read_text())
    inputs = checksums([made])
    line = one_line_error(synthloop(*args, "-q", cwd=made))
    assert "row 4 has label 'neutral', which is not one of the task's labels" in line
    assert checksums([made]) == inputs


def missing_validation(folder: Path) -> None:
    (folder / "validation.jsonl").unlink()


def empty_validation(folder: Path) -> None:
    (folder / "validation.jsonl").write_text("")


def broken_test(folder: Path) -> None:
    (folder / "test.jsonl").write_text('{"text": "fine", "label": "positive"}\n{"text": \n')


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (missing_validation, "data file not found"),
        (empty_validation, "validation.jsonl: the validation set is empty"),
        (broken_test, "test.jsonl:2: not valid JSON"),
    ],
)
def test_generate_checks_the_configs_data_files_before_any_call(
    tmp_path: Path, spoil: Callable[[Path], None], expected: str
) -> None:
    """zerogen does not use real data, but a config naming a broken file is a broken config."""
    line = refused_when_spoilt(tmp_path, spoil, "generate", "-n", "4", "-o", "g.jsonl")
    assert expected in line
