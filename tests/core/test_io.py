import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthloop.core.errors import DataError
from synthloop.core.io import DataSpec, load_dataset_file, load_records, write_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task


def test_reads_jsonl_csv_tsv_and_parquet_alike(tmp_path: Path, task: Task) -> None:
    rows = [{"sentence": "good food", "y": "1"}, {"sentence": "bad food", "y": "0"}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "d.csv").write_text("sentence,y\ngood food,1\nbad food,0\n")
    (tmp_path / "d.tsv").write_text("sentence\ty\ngood food\t1\nbad food\t0\n")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    for name in ("d.jsonl", "d.csv", "d.tsv", "d.parquet"):
        spec = DataSpec(
            path=str(tmp_path / name),
            columns={"text": "sentence", "label": "y"},
            label_map={"1": "positive", "0": "negative"},
        )
        records = load_records(spec, task)
        assert [(r.text("text"), r.label) for r in records] == [
            ("good food", "positive"),
            ("bad food", "negative"),
        ], name


def test_reads_a_hugging_face_save_to_disk_folder(tmp_path: Path, task: Task) -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list([{"text": "nice", "label": "positive"}] * 3)
    datasets.DatasetDict({"validation": ds}).save_to_disk(str(tmp_path / "hf"))
    spec = DataSpec(path=str(tmp_path / "hf"), split="validation")
    assert len(load_records(spec, task)) == 3
    with pytest.raises(DataError, match="choose one with split"):
        load_records(DataSpec(path=str(tmp_path / "hf")), task)


def test_missing_column_names_the_column_and_the_fix(tmp_path: Path, task: Task) -> None:
    (tmp_path / "d.jsonl").write_text('{"sentence": "x", "label": "positive"}\n')
    with pytest.raises(DataError) as info:
        load_records(tmp_path / "d.jsonl", task)
    msg = info.value.one_line()
    assert "no column 'text'" in msg and "sentence" in msg and "columns:" in msg


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ('{"text": "x", "label": "neutral"}\n', "not one of the task's labels"),
        ('{"text": "x", "label": "positive"\n', "not valid JSON"),
        ("[1, 2]\n", "must be a JSON object"),
    ],
)
def test_bad_data_files_give_one_line(
    tmp_path: Path, task: Task, content: str, expected: str
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(content)
    with pytest.raises(DataError, match=expected):
        load_records(path, task, split_name="validation")


def test_unknown_format_and_missing_file(tmp_path: Path, task: Task) -> None:
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DataError, match="unknown data format"):
        load_records(tmp_path / "d.xlsx", task)
    with pytest.raises(DataError, match="not found"):
        load_records(tmp_path / "absent.jsonl", task)


def test_records_round_trip_with_provenance(tmp_path: Path, task: Task) -> None:
    rec = Record(
        id="extrapolate-r1-00003",
        inputs={"text": "cold soup"},
        label="negative",
        method="extrapolate",
        round=1,
        parent_id="validation-7",
        model="m",
        prompt_hash="abc",
        extra={"rationales": ["x"]},
    )
    for name in ("out.jsonl", "out.parquet"):
        write_records([rec], tmp_path / name)
        assert load_dataset_file(tmp_path / name, task) == [rec]
