"""Outputs never overwrite inputs, and an unwritable output is found before any work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.outputs import check_writable, refuse_overwrite


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("{}\n")
    with pytest.raises(ConfigError, match=r"evaluate would write .*d\.jsonl over its own input"):
        refuse_overwrite("evaluate", writes=[tmp_path / "x" / ".." / "d.jsonl"], reads=[data])
    os.symlink(data, tmp_path / "link.jsonl")
    with pytest.raises(ConfigError, match="over its own input"):
        refuse_overwrite("evaluate", writes=[tmp_path / "link.jsonl"], reads=[data])
    refuse_overwrite("evaluate", writes=[tmp_path / "scores.json", None], reads=[data, None])


def test_a_folder_the_command_fills_may_not_hold_an_input(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with pytest.raises(ConfigError, match=r"would write into .*run, which holds its input"):
        refuse_overwrite(
            "curate",
            writes=[],
            reads=[tmp_path / "run" / "d.jsonl"],
            write_folders=[tmp_path / "run"],
        )
    refuse_overwrite("curate", writes=[], reads=["hf:imdb"], write_folders=[tmp_path])


def test_unwritable_outputs_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n")
    with pytest.raises(ConfigError, match=r"a\.yaml is a file, not a folder"):
        check_writable(tmp_path / "a.yaml" / "deeper" / "scores.json")
    with pytest.raises(ConfigError, match="it is a folder"):
        check_writable(tmp_path)
    check_writable(tmp_path / "new" / "folders" / "scores.json")
    assert not (tmp_path / "new").exists()  # checking creates nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]
