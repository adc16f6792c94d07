import gzip
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthloop.core.errors import DataError
from synthloop.core.io import (
    MAX_LINE_BYTES,
    DataSpec,
    load_dataset_file,
    load_records,
    records_from_rows,
    write_json,
    write_jsonl,
    write_records,
    write_text_atomic,
)
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


def test_a_parquet_file_written_by_datasets_gives_class_label_names(
    tmp_path: Path, task: Task
) -> None:
    # was: "row 1 has label '1', which is not one of the task's labels": a save_to_disk
    # folder of the same data gave the names, its to_parquet file the integers
    import datasets

    features = datasets.Features(
        {
            "title": datasets.Value("string"),
            "kind": datasets.ClassLabel(names=["negative", "positive"]),
        }
    )
    ds = datasets.Dataset.from_dict({"title": ["bad food", "good food"], "kind": [0, 1]}, features)
    ds.to_parquet(tmp_path / "d.parquet")
    ds.save_to_disk(tmp_path / "folder")
    columns = {"text": "title", "label": "kind"}
    for path in ("d.parquet", "folder"):
        records = load_records(DataSpec(path=str(tmp_path / path), columns=columns), task)
        assert [r.label for r in records] == ["negative", "positive"], path
    # a label_map maps the raw integers itself, as for a folder
    spec = DataSpec(
        path=str(tmp_path / "d.parquet"),
        columns=columns,
        label_map={"0": "positive", "1": "negative"},
    )
    assert [r.label for r in load_records(spec, task)] == ["positive", "negative"]


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


def test_a_columns_key_that_is_no_field_of_the_task_is_refused(tmp_path: Path, task: Task) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "x", "label": "positive"}\n')
    with pytest.raises(DataError) as info:
        load_records(DataSpec(path=str(tmp_path / "d.jsonl"), columns={"txet": "text"}), task)
    msg = info.value.one_line()
    assert "'txet' is not a field of the task" in msg and "text, label" in msg


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ('{"text": "x", "label": "neutral"}\n', "not one of the task's labels"),
        ('{"text": "x", "label": "positive"\n', "not valid JSON"),
        ('"just text"\n', "must be a JSON object"),
        ("[1, 2]\n", "a JSON array"),
        ('{"text": null, "label": "positive"}\n', "row 1: 'text' is null"),
        ('{"text": "x", "label": null}\n', "row 1: 'label' is null"),
        ('{"text": " \\t ", "label": "positive"}\n', "row 1: 'text' is blank"),
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


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_outputs_are_created_with_the_users_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        record = Record(id="a", inputs={"text": "fine"}, label="positive")
        written = [
            write_records([record], tmp_path / "d.jsonl"),
            write_records([record], tmp_path / "d.parquet"),
            write_json({"a": 1}, tmp_path / "m.json"),
            write_text_atomic("<html>", tmp_path / "r.html"),
        ]
    finally:
        os.umask(old)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_a_write_that_fails_leaves_the_old_file_whole(tmp_path: Path) -> None:
    path = write_jsonl([{"n": 1}], tmp_path / "d.jsonl")

    def rows() -> Iterator[dict[str, int]]:
        yield {"n": 2}
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        write_jsonl(rows(), path)
    assert path.read_text() == '{"n": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["d.jsonl"]  # no temporary left behind


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        (
            'text,label\n"très bon",positive\n'.encode("latin-1"),
            ".csv",
            "0xe8 at offset 14 (line 2)",
        ),
        (
            b'{"text": "ok", "label": "positive"}\n{"text": "caf\xe9"}\n',
            ".jsonl",
            "0xe9 at offset 49 (line 2)",
        ),
    ],
)
def test_bytes_that_are_not_utf8_are_named_by_offset(
    tmp_path: Path, task: Task, content: bytes, suffix: str, expected: str
) -> None:
    path = tmp_path / f"d{suffix}"
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_records(path, task)
    line = err.value.one_line()
    assert line.startswith(f"{path}: not UTF-8 text: byte") and expected in line
    assert "save it as UTF-8" in line


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (gzip.compress(b'{"text": "x", "label": "positive"}\n'), "a gzip file (hint: decompress"),
        (b"\x7fELF\x02\x01\x01\x00\n{}\n", "an executable"),  # its first line is ASCII
        (b"PK\x03\x04 an xlsx", "a zip archive (or .xlsx)"),
    ],
)
def test_a_binary_file_is_named_for_what_it_looks_like(
    tmp_path: Path, task: Task, content: bytes, kind: str
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_records(path, task)
    assert err.value.one_line().startswith(f"{path}: not UTF-8 text: it starts like {kind}")


def test_a_spreadsheets_byte_order_mark_is_not_part_of_the_first_column(
    tmp_path: Path, task: Task
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("text,label\nfine,positive\n".encode("utf-8-sig"))
    assert load_records(path, task)[0].inputs == {"text": "fine"}


def test_a_huge_line_is_refused_before_it_is_read_whole(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "d.jsonl"
    with path.open("w") as fh:
        fh.write('{"text": "fine", "label": "positive"}\n')
        fh.write('{"text": "' + "a" * (3 * MAX_LINE_BYTES) + '", "label": "positive"}\n')
    with pytest.raises(DataError, match=r"d.jsonl:2: line longer than 1 MiB"):
        load_records(path, task)


def test_a_huge_text_in_parquet_is_refused(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"text": ["a" * (MAX_LINE_BYTES + 1)], "label": ["positive"]}), path)
    with pytest.raises(DataError, match="row 1: text is 1,048,577 characters"):
        load_records(path, task)
    with pytest.raises(DataError, match="row 1: text is 1,048,577 characters"):
        load_dataset_file(path, task)


def test_a_huge_quoted_csv_field_over_many_lines_is_one_line(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "d.csv"
    part = "a" * (MAX_LINE_BYTES // 2)
    path.write_text(f'text,label\nfine,positive\n"{part}\n{part}\n{part}",negative\n')
    with pytest.raises(DataError, match=r"d.csv:[45]: not valid CSV \(field larger than"):
        load_records(path, task)


def test_a_dataset_with_a_label_the_task_lacks_is_refused(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "synthetic.jsonl"
    path.write_text(
        '{"id": "a", "text": "fine", "label": "positive"}\n'
        '{"id": "b", "text": "meh", "label": "neutral"}\n'
    )
    with pytest.raises(DataError, match="row 2 has label 'neutral', which is not one of"):
        load_dataset_file(path, task)


def test_a_dataset_with_a_null_text_or_label_is_refused(tmp_path: Path, task: Task) -> None:
    # str(None) was read as the text "None"
    path = tmp_path / "synthetic.jsonl"
    for row, field in (({"text": None, "label": "positive"}, "text"),
                       ({"text": "fine", "label": None}, "label")):  # fmt: skip
        path.write_text('{"text": "good", "label": "positive"}\n' + json.dumps(row) + "\n")
        with pytest.raises(DataError, match=f"row 2: '{field}' is null"):
            load_dataset_file(path, task)


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_file_holding_an_array_is_read(
    tmp_path: Path, task: Task, indent: int | None
) -> None:
    # was "synthetic.json:1: each line must be a JSON object" (on one line) or "a JSON
    # array; synthloop reads JSON Lines" (indented), of what json.dump(rows) writes
    rows = [{"text": "good", "label": "positive"}, {"text": "bad", "label": "negative"}]
    path = tmp_path / "synthetic.json"
    path.write_text("\ufeff" + json.dumps(rows, indent=indent))
    assert [(r.inputs["text"], r.label) for r in load_records(path, task)] == [
        ("good", "positive"),
        ("bad", "negative"),
    ]
    assert [r.id for r in load_dataset_file(path, task)] == ["row-0", "row-1"]


def test_a_json_file_of_json_lines_is_read(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "real.json"
    path.write_text('{"text": "good", "label": "positive"}\n{"text": "bad", "label": "negative"}\n')
    assert [r.label for r in load_records(path, task)] == ["positive", "negative"]


def test_a_json_array_whose_item_is_no_object_is_named(tmp_path: Path, task: Task) -> None:
    path = tmp_path / "real.json"
    path.write_text('[{"text": "good", "label": "positive"}, ["bad", "negative"]]')
    with pytest.raises(DataError, match=r"real\.json: item 2 of its JSON array is not a JSON"):
        load_records(path, task)
    path.write_text('[{"text": "good", "label": "positive"},\n {"text": }]')
    with pytest.raises(DataError, match=r"real\.json:2: not valid JSON"):
        load_records(path, task)


def test_a_json_array_in_a_jsonl_file_is_named_as_such(tmp_path: Path, task: Task) -> None:
    rows = [{"text": "good", "label": "positive"}, {"text": "bad", "label": "negative"}]
    path = tmp_path / "synthetic.jsonl"
    for indent in (None, 2):
        path.write_text(json.dumps(rows, indent=indent))
        with pytest.raises(DataError, match=r"a JSON array; a \.jsonl file is JSON Lines") as err:
            load_dataset_file(path, task)
        assert "rename it synthetic.json" in err.value.one_line()


@pytest.mark.parametrize(
    ("value", "kind"), [({"en": "good"}, "an object"), (["good"], "a list"), (True, "true")]
)
def test_a_text_that_is_no_text_is_refused(
    tmp_path: Path, task: Task, value: object, kind: str
) -> None:
    # was read as Python writes it: the text "{'en': 'good'}", "['good']", "True"
    path = tmp_path / "d.jsonl"
    rows = [{"text": "fine", "label": "positive"}, {"text": value, "label": "negative"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for load in (load_records, load_dataset_file):
        with pytest.raises(DataError, match=rf"d\.jsonl: row 2: 'text' is {kind}, not a text"):
            load(path, task)


def test_a_number_is_read_as_its_digits_as_in_a_csv_file(tmp_path: Path, task: Task) -> None:
    # a number is a text, as a CSV file reads every value and labels are read (label_map)
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": 5, "label": "positive"}\n{"text": 2.5, "label": "negative"}\n')
    assert [r.inputs["text"] for r in load_records(path, task)] == ["5", "2.5"]
    path.with_suffix(".csv").write_text("text,label\n5,positive\n")
    assert load_records(path.with_suffix(".csv"), task)[0].inputs["text"] == "5"


def test_a_dataset_with_its_own_column_names_says_which_it_has(tmp_path: Path, task: Task) -> None:
    # was "row 1 has no column 'text'", with neither the columns it has nor what to do
    path = tmp_path / "mine.jsonl"
    path.write_text('{"sentence": "good", "sentiment": "positive"}\n')
    with pytest.raises(DataError) as err:
        load_dataset_file(path, task)
    assert "row 1 has no column 'text' (columns: sentence, sentiment)" in err.value.one_line()
    assert "the task's field names (text, label): rename its columns" in err.value.one_line()


def test_a_blank_field_of_a_real_record_is_refused_unless_the_type_allows_it() -> None:
    # was: a blank hypothesis was read as an example, for S3 to extrapolate from nothing
    from tests.task_fakes import instruction_task, pair_task

    spec = DataSpec(path="rte.jsonl")
    rows = [{"premise": "The bakery opened.", "hypothesis": "", "label": "entailment"}]
    with pytest.raises(DataError, match="row 1: 'hypothesis' is blank"):
        records_from_rows(rows, spec, pair_task())
    task = instruction_task()
    row = {"instruction": "Name a colour.", "input": "", "label": "Blue."}
    assert records_from_rows([row], spec, task)[0].inputs["input"] == ""
    with pytest.raises(DataError, match="row 1: 'instruction' is blank"):
        records_from_rows([{**row, "instruction": " "}], spec, task)


def test_real_ids_that_are_null_or_shared_are_not_taken_as_ids(tmp_path: Path, task: Task) -> None:
    # a null id became the id "None" for every such row; two rows of one id were two
    # records the loop could not tell apart (an extrapolation names its error by id)
    path = tmp_path / "v.jsonl"
    rows = [{"id": None, "text": "good food", "label": "positive"},
            {"id": "", "text": "bad food", "label": "negative"},
            {"id": 7, "text": "fine food", "label": "positive"}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    records = load_records(DataSpec(path=str(path)), task, split_name="validation")
    assert [r.id for r in records] == ["validation-0", "validation-1", "7"]
    rows.append({"id": "7", "text": "awful food", "label": "negative"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=r"rows 3 and 4 have the same id '7'"):
        load_records(DataSpec(path=str(path)), task)


def test_a_whole_float_label_is_keyed_as_its_integer(tmp_path: Path, task: Task) -> None:
    # was: "row 1 has label 1.0, which is not one of the task's labels": pandas writes an
    # integer label column holding a null as floats, and label_map's 1 did not match 1.0
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "great", "label": 1.0}\n{"text": "awful", "label": 0.0}\n')
    for label_map in ({"1": "positive", "0": "negative"}, {1: "positive", 0: "negative"}):
        records = load_records(DataSpec(path=str(path), label_map=label_map), task)
        assert [r.label for r in records] == ["positive", "negative"]
        mine = load_dataset_file(path, task, label_map={"1": "positive", "0": "negative"})
        assert [r.label for r in mine] == ["positive", "negative"]
    # a map written with floats keys alike; a fraction is no whole label
    spec = DataSpec(path=str(path), label_map={1.0: "positive", 0.0: "negative"})
    assert [r.label for r in load_records(spec, task)] == ["positive", "negative"]
    path.write_text('{"text": "great", "label": 1.5}\n')
    with pytest.raises(DataError, match=r"row 1 has label '1\.5', which is not one of"):
        load_records(DataSpec(path=str(path), label_map={"1": "positive"}), task)


def test_a_whole_float_label_written_as_text_in_a_csv_is_keyed_as_its_integer(
    tmp_path: Path, task: Task
) -> None:
    # was: "row 1 has label '1.0', which is not one of the task's labels": a CSV reads
    # every value as text, and pandas writes an integer column holding a null as "1.0"
    path = tmp_path / "d.csv"
    path.write_text("text,label\ngreat,1.0\nawful,0.0\nfine,1\n")
    label_map = {"1": "positive", "0": "negative"}
    records = load_records(DataSpec(path=str(path), label_map=label_map), task)
    assert [r.label for r in records] == ["positive", "negative", "positive"]
    mine = load_dataset_file(path, task, label_map=label_map)
    assert [r.label for r in mine] == ["positive", "negative", "positive"]
    path.write_text("text,label\ngreat,1.5\n")
    with pytest.raises(DataError, match=r"row 1 has label '1\.5', which is not one of"):
        load_records(DataSpec(path=str(path), label_map=label_map), task)
