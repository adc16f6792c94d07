"""Real data and tasks from datasets objects and save_to_disk folders."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from synthloop.errors import DataError
from synthloop.hf import load_dataset_records, task_from_dataset
from synthloop.io import DataSpec, load_records


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


def test_a_dataset_dict_needs_a_split_and_columns_must_exist() -> None:
    dd = datasets.DatasetDict({"validation": sst_like()})
    task = task_from_dataset(
        dd, name="sst", domain="movies", text_column="sentence", split="validation"
    )
    assert len(load_dataset_records(dd, task, split="validation")) == 2
    with pytest.raises(DataError, match="choose one with split"):
        load_dataset_records(dd, task)
    with pytest.raises(DataError, match="no column 'sentence'"):
        load_dataset_records(sst_like().rename_column("sentence", "text"), task)


def test_a_save_to_disk_folder_with_class_labels(tmp_path: Path) -> None:
    datasets.DatasetDict({"test": sst_like()}).save_to_disk(str(tmp_path / "sst"))
    task = task_from_dataset(sst_like(), name="sst", domain="movies", text_column="sentence")
    records = load_records(DataSpec(path=str(tmp_path / "sst"), split="test"), task)
    assert [r.label for r in records] == ["negative", "positive"]
