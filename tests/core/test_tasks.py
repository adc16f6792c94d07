from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import load_task
from tests.conftest import TASK_YAML


def test_load_task_reads_labels_and_inputs(tmp_path: Path) -> None:
    path = tmp_path / "task.yaml"
    path.write_text(TASK_YAML)
    task = load_task(path)
    assert task.label_names == ["positive", "negative"]
    assert task.text_field == "text"
    assert task.example_noun == "restaurant review"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: x\nlabels: [a, b\n", "malformed YAML at line"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("name: x\ndomain: d\nlabels: {a: only one}\n", "at least two labels"),
        ("name: x\ndomain: d\n", "classification task needs at least two labels"),
        (
            "name: x\ndomain: d\nlabels: {a: x, b: y}\ntype: qa-magic\n",
            "unknown task type 'qa-magic'; choose one of: classification, pair, qa,",
        ),
        ("name: x\ndomain: d\nlabels: {a: x, b: y}\ninputs: [p, h]\n", "exactly one input field"),
        ("name: x\ndomain: d\nlabels: {a: x, b: y}\ncolour: red\n", "colour: Extra inputs"),
    ],
)
def test_malformed_task_is_one_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "task.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_task(path)
    assert expected in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_missing_task_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="task file not found"):
        load_task(tmp_path / "nope.yaml")
