"""Real data and tasks from datasets objects and save_to_disk folders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import datasets
import pytest

from synthloop.core.errors import ConfigError, DataError
from synthloop.core.io import DataSpec, load_records
from synthloop.hf import load_dataset_records, task_from_dataset
from synthloop.run.config import load_config
from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.conftest import TASK_YAML


def sst_like() -> datasets.Dataset:
    features = datasets.Features(
        {"sentence": datasets.Value("string"),
         "label": datasets.ClassLabel(names=["negative", "positive"])}
    )  # fmt: skip
    rows = [{"sentence": "a tedious mess", "label": 0}, {"sentence": "sheer joy", "label": 1}]
    return datasets.Dataset.from_list(rows, features=features)


def test_task_and_records_from_a_dataset_object() -> None:
    ds = sst_like()
    task = task_from_dataset(
        ds, name="sst", domain="movie reviews", example_noun="movie review",
        text_column="sentence", descriptions={"positive": "the critic liked the film"},
    )  # fmt: skip
    assert task.labels == {
        "negative": "the movie review is negative",
        "positive": "the critic liked the film",
    }
    records = load_dataset_records(ds, task)
    assert [(r.text("sentence"), r.label) for r in records] == [
        ("a tedious mess", "negative"),
        ("sheer joy", "positive"),
    ]
    # a raw label_map still wins over the ClassLabel names
    swapped = load_dataset_records(ds, task, label_map={"0": "positive", "1": "negative"})
    assert [r.label for r in swapped] == ["positive", "negative"]


def test_two_bare_datasets_never_share_record_ids() -> None:
    # was: data-0, data-1, ... for every Dataset without a split name (from_dict/from_list,
    # load_from_disk(...)["test"]), so its validation and test records clashed
    task = task_from_dataset(sst_like(), name="sst", domain="movies", text_column="sentence")
    validation = load_dataset_records(sst_like(), task)
    rows = [{"sentence": "a slow bore", "label": 0}, {"sentence": "a delight", "label": 1}]
    test = load_dataset_records(
        datasets.Dataset.from_list(rows, features=sst_like().features), task
    )
    assert not {r.id for r in validation} & {r.id for r in test}
    assert [r.id for r in load_dataset_records(sst_like(), task)] == [r.id for r in validation]
    assert all(re.fullmatch(r"data-[0-9a-f]{8}-[01]", r.id) for r in validation)
    # split= names a bare Dataset's records as a run config's data: names them
    named = load_dataset_records(sst_like(), task, split="validation")
    assert [r.id for r in named] == ["validation-0", "validation-1"]
    loaded = datasets.DatasetDict({"test": sst_like()})
    assert load_dataset_records(loaded, task, split="test")[0].id == "test-0"


def test_a_dataset_dict_needs_a_split_and_columns_must_exist() -> None:
    dd = datasets.DatasetDict({"validation": sst_like()})
    task = task_from_dataset(
        dd, name="sst", domain="movies", text_column="sentence", split="validation"
    )
    assert len(load_dataset_records(dd, task, split="validation")) == 2
    with pytest.raises(DataError, match="choose one with split"):
        load_dataset_records(dd, task)
    with pytest.raises(DataError, match="no column 'sentence'") as info:
        load_dataset_records(sst_like().rename_column("sentence", "text"), task)
    # the fix in the caller's terms, Python's keyword beside the config's key
    assert "columns={'sentence': 'COLUMN'} from Python" in info.value.one_line()


def test_a_save_to_disk_folder_with_class_labels(tmp_path: Path) -> None:
    datasets.DatasetDict({"test": sst_like()}).save_to_disk(str(tmp_path / "sst"))
    task = task_from_dataset(sst_like(), name="sst", domain="movies", text_column="sentence")
    records = load_records(DataSpec(path=str(tmp_path / "sst"), split="test"), task)
    assert [r.label for r in records] == ["negative", "positive"]


def test_hf_name_loads_through_datasets_load_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``path: hf:NAME`` asks ``datasets.load_dataset`` for NAME and the split (a local
    stand-in for the hub answers here: there is no network)."""
    asked: list[tuple[str, str | None]] = []

    def load_dataset(path: str, name: str | None = None, split: str | None = None) -> Any:
        asked.append((path, split))
        return sst_like()

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    (tmp_path / "run.yaml").write_text(
        "task: task.yaml\n"
        "data:\n"
        "  validation: {path: 'hf:stanfordnlp/sst2', split: validation,\n"
        "               columns: {text: sentence}, label_map: {'0': negative, '1': positive}}\n",
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "run.yaml")
    records = load_records(cfg.data.validation, cfg.task, split_name="validation")
    assert asked == [("stanfordnlp/sst2", "validation")]
    assert [(r.text("text"), r.label) for r in records] == [
        ("a tedious mess", "negative"),
        ("sheer joy", "positive"),
    ]
    # without a label_map, ClassLabel integers become their names
    named = load_records(DataSpec(path="hf:sst2", columns={"text": "sentence"}), cfg.task)
    assert [r.label for r in named] == ["negative", "positive"]


def test_hf_name_with_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``config:`` names a dataset's configuration (glue's sst2), which ``hf:NAME`` could
    not: NAME holds a '/' of its own. Was: no way to name one, so glue, super_glue and the
    like could not be read at all."""
    asked: list[tuple[str, str | None, str | None]] = []
    configs = ["cola", "sst2"]

    def load_dataset(path: str, name: str | None = None, split: str | None = None) -> Any:
        asked.append((path, name, split))
        if name is None:  # as datasets says it for a dataset of several configurations
            raise ValueError(
                f"Config name is missing.\nPlease pick one among the available configs: "
                f"{configs}\nExample of usage:\n\t`load_dataset('{path}', 'cola')`"
            )
        whole = datasets.DatasetDict({"train": sst_like(), "validation": sst_like()})
        return whole if split is None else whole[split]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    run = tmp_path / "run.yaml"
    run.write_text(
        "task: task.yaml\n"
        "data:\n"
        "  validation: {path: 'hf:nyu-mll/glue', config: sst2, split: validation,\n"
        "               columns: {text: sentence}}\n",
        encoding="utf-8",
    )
    cfg = load_config(run)
    records = load_records(cfg.data.validation, cfg.task, split_name="validation")
    assert asked == [("nyu-mll/glue", "sst2", "validation")]
    assert [r.label for r in records] == ["negative", "positive"]
    # without config: one line that lists the configurations to choose from
    with pytest.raises(DataError) as info:
        load_records(DataSpec(path="hf:nyu-mll/glue", split="validation"), cfg.task)
    assert "Config name is missing" in info.value.one_line()
    assert "config: CONFIG, of ['cola', 'sst2']" in info.value.one_line()
    # without split: the splits to choose from (was: a traceback from the DatasetDict)
    with pytest.raises(DataError, match=r"holds splits \['train', 'validation'\]"):
        load_records(DataSpec(path="hf:nyu-mll/glue", config="sst2"), cfg.task)
    # config: on a file would be ignored, reading other data than the user meant
    with pytest.raises(DataError, match="config: names a configuration of a hub dataset"):
        load_records(DataSpec(path=str(run), config="sst2"), cfg.task)


def test_an_unreachable_hub_is_one_line(tmp_path: Path) -> None:
    """The real ``datasets`` client, offline and with an empty cache: it cannot reach the
    hub, and the user reads one line saying so."""
    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    (tmp_path / "run.yaml").write_text(
        "task: task.yaml\ndata:\n  validation: {path: 'hf:nobody/no-such-set', split: train}\n",
        encoding="utf-8",
    )
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    proc = synthloop("s3", str(tmp_path / "run.yaml"), "--estimate", cwd=tmp_path, env=env)
    assert_one_line_error(proc, "cannot load Hugging Face dataset 'hf:nobody/no-such-set'")
    assert "save_to_disk" in proc.stderr


def test_task_from_a_dataset_says_what_does_not_fit_in_one_line() -> None:
    rows = [{"text": "win cash", "label": "spam"}, {"text": "see you", "label": "ham"}]
    # a row without a label is not a label called 'None' the LLM is asked to write
    with_gap = datasets.Dataset.from_list([*rows, {"text": "?", "label": None}])
    assert list(task_from_dataset(with_gap, name="sms", domain="sms").labels) == ["ham", "spam"]
    # a text column the dataset lacks is said here, not at the first load or run
    with pytest.raises(DataError, match="no column 'sentence'") as info:
        task_from_dataset(with_gap, name="sms", domain="sms", text_column="sentence")
    assert "text_column=" in info.value.one_line()
    # a column of one label (or none) is refused in the error tree, not by pydantic
    one = datasets.Dataset.from_list([{"text": "a", "label": "x"}, {"text": "b", "label": "x"}])
    with pytest.raises(DataError, match=r"'label' holds 1 label\(s\) \(x\); .* at least two"):
        task_from_dataset(one, name="sms", domain="sms")
    with pytest.raises(DataError, match="holds 0 label"):
        task_from_dataset(
            datasets.Dataset.from_dict({"text": [], "label": []}), name="s", domain="s"
        )
    with pytest.raises(ConfigError, match=r"^task_from_dataset: name: ") as bad:
        task_from_dataset(with_gap, name="", domain="sms")
    assert "\n" not in bad.value.one_line()


def test_a_label_map_to_a_label_the_task_lacks_is_not_told_to_use_label_map() -> None:
    # integer labels (no ClassLabel) make a task of labels '0' and '1'; mapping them to
    # names the task lacks was answered "map it with label_map", which the caller had done
    ds = datasets.Dataset.from_list([{"text": "win cash", "label": 1}, {"text": "hi", "label": 0}])
    task = task_from_dataset(ds, name="sms", domain="sms")
    assert list(task.labels) == ["0", "1"]
    with pytest.raises(DataError) as info:
        load_dataset_records(ds, task, label_map={"0": "ham", "1": "spam"})
    line = info.value.one_line()
    assert "label '1' (label_map makes it 'spam')" in line and "(0, 1)" in line
    assert "map it with label_map" not in line and "map it to one of them" in line
    named = task_from_dataset(sst_like(), name="s", domain="s", text_column="sentence")
    with pytest.raises(DataError, match="map it with label_map"):  # no label_map: use one
        load_dataset_records(ds, named, columns={"sentence": "text"})


def test_task_from_plain_integer_labels_takes_a_label_map() -> None:
    """A label column of plain integers (no ClassLabel names) made a task of labels '0' and
    '1', the prompts asking the LLM for "a review that is 0"; ``label_map`` names them, as
    ``load_dataset_records`` already took it, so the task and its records agree."""
    rows = [{"text": "a tedious mess", "label": 0}, {"text": "sheer joy", "label": 1}]
    ds = datasets.Dataset.from_list(rows)
    label_map = {0: "negative", 1: "positive"}
    task = task_from_dataset(ds, name="sst", domain="movies", label_map=label_map)
    assert list(task.labels) == ["negative", "positive"]
    assert task.labels["positive"] == "the text is positive"
    records = load_dataset_records(ds, task, label_map=label_map)
    assert [r.label for r in records] == ["negative", "positive"]
    # it wins over ClassLabel names, as in load_dataset_records
    swapped = task_from_dataset(
        sst_like(), name="sst", domain="movies", text_column="sentence",
        label_map={"0": "bad", "1": "good"},
    )  # fmt: skip
    assert list(swapped.labels) == ["bad", "good"]
    # a value it leaves out would be a record no label fits: said now, in one line
    with pytest.raises(DataError, match=r"holds values label_map does not map: 1$"):
        task_from_dataset(ds, name="sst", domain="movies", label_map={0: "negative"})


def test_plain_integer_labels_keep_their_order() -> None:
    # was sorted as text: a 12-class column's labels read '0', '1', '10', '11', '2', ...
    rows = [{"text": f"message {i}", "label": i % 12} for i in range(24)]
    task = task_from_dataset(datasets.Dataset.from_list(rows), name="intents", domain="bank")
    assert list(task.labels) == [str(i) for i in range(12)]


def test_a_class_label_of_minus_one_is_no_label_not_one_to_map() -> None:
    """ClassLabel's -1 is "no label" (GLUE's and SuperGLUE's test splits hide theirs so):
    it was read as a label '-1' and the user told to map it with label_map."""
    rows = [{"sentence": "a slow bore", "label": 0}, {"sentence": "hidden", "label": -1}]
    hidden = datasets.Dataset.from_list(rows, features=sst_like().features)
    task = task_from_dataset(hidden, name="sst", domain="movies", text_column="sentence")
    assert list(task.labels) == ["negative", "positive"]
    with pytest.raises(DataError) as info:
        load_dataset_records(hidden, task, split="test")
    line = info.value.one_line()
    assert "row 2: 'label' is null" in line and "labels are hidden" in line
    assert "label_map" not in line


def test_hf_config_and_split_in_the_path_for_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--test hf:NAME`` had no way to name a configuration or a split (the config file's
    ``config:`` and ``split:`` keys have no place on the command line): glue's sst2 test
    split could not be named at all. ``hf:NAME:CONFIG:SPLIT`` names both."""
    import json

    from typer.testing import CliRunner

    from synthloop.cli.app import app

    asked: list[tuple[str, str | None, str | None]] = []

    def load_dataset(path: str, name: str | None = None, split: str | None = None) -> Any:
        asked.append((path, name, split))
        whole = datasets.DatasetDict({"validation": sst_like(), "test": sst_like()})
        return whole if split is None else whole[split]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    spec = DataSpec(path="hf:nyu-mll/glue:sst2:validation")
    assert (spec.path, spec.config, spec.split) == ("hf:nyu-mll/glue", "sst2", "validation")
    spec = DataSpec(path="hf:stanfordnlp/sst2::train[:10]")  # no config; a split's own ':'
    assert (spec.path, spec.config, spec.split) == ("hf:stanfordnlp/sst2", None, "train[:10]")
    assert DataSpec(path="hf:nyu-mll/glue:sst2", config="sst2").config == "sst2"

    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    run = tmp_path / "run.yaml"
    run.write_text(
        "task: task.yaml\n"
        "data:\n"
        "  validation: {path: 'hf:nyu-mll/glue:sst2', split: test, config: cola}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="names config sst2, and config: says cola"):
        load_config(run)
    run.write_text(
        "task: task.yaml\n"
        "data:\n"
        "  validation: {path: 'hf:nyu-mll/glue', config: sst2, split: validation,\n"
        "               columns: {text: sentence}}\n",
        encoding="utf-8",
    )
    data = tmp_path / "synthetic.jsonl"
    rows = [("sheer joy, lovely", "positive"), ("a tedious mess", "negative")] * 3
    data.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows))
    out = tmp_path / "scores.json"
    args = ["evaluate", str(data), "--config", str(run), "--no-embeddings", "--json", str(out)]
    # the columns come from the config's split of the same dataset and configuration
    res = CliRunner().invoke(app, [*args, "--test", "hf:nyu-mll/glue:sst2:test"])
    assert res.exit_code == 0, res.output
    assert ("nyu-mll/glue", "sst2", "test") in asked
    assert json.loads(out.read_text())["evaluation"]["sizes"]["test"] == 2
    # without a split: one line that says how to name one on the command line
    res = CliRunner().invoke(app, [*args, "--test", "hf:nyu-mll/glue:sst2"])
    assert isinstance(res.exception, DataError)  # main() prints it as its one line
    line = res.exception.one_line()
    assert "holds splits ['test', 'validation']" in line and "hf:NAME:CONFIG:SPLIT" in line


def test_whole_float_labels_read_as_integers_in_the_task_and_its_records() -> None:
    # was: task labels '0.0', '1.0' (a pandas column of integers holding a null is floats),
    # and a label_map's 0 and 1 left them unmapped
    rows = [{"text": "a tedious mess", "label": 0.0}, {"text": "sheer joy", "label": 1.0}]
    ds = datasets.Dataset.from_list(rows)
    assert list(task_from_dataset(ds, name="sst", domain="movies").labels) == ["0", "1"]
    label_map = {0: "negative", 1: "positive"}
    task = task_from_dataset(ds, name="sst", domain="movies", label_map=label_map)
    records = load_dataset_records(ds, task, label_map=label_map)
    assert [r.label for r in records] == ["negative", "positive"]
