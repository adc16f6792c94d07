"""Data in and out: JSONL, CSV, TSV, Parquet and Hugging Face datasets.

Real data is read through a :class:`DataSpec` that maps the task's fields to the file's
columns (``columns: {text: sentence}``) and, if needed, raw label values to the task's
labels (``label_map: {0: negative, 1: positive}``). Everything that can go wrong with a
file ends in a one-line :class:`~synthloop.core.errors.DataError`.

Text formats are read as bytes, line by line, so bytes that are not UTF-8 (a gzip, an
executable, Latin-1 text) are named by their offset, and a line longer than
:data:`MAX_LINE_BYTES` is refused as soon as that much of it is read, before it is read
whole: texts this long are not examples a small model learns from, and one 50 MB line took
8 GB to parse and train on. Every text field, whatever the format, is held to the same limit.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthloop.core.errors import DataError, warn
from synthloop.core.records import PROVENANCE, USER_ROW_EXTRA, Record
from synthloop.core.tasks import Task
from synthloop.core.yamlio import label_keyed, label_text, mapped_label

HF_PREFIX = "hf:"
#: the longest line (JSONL, CSV, TSV) and the longest text field read
MAX_LINE_BYTES = 1 << 20

csv.field_size_limit(MAX_LINE_BYTES)  # the csv module's own limit is 128 KiB

#: what a file that is not text usually is, by its first bytes, and what to do about it
_MAGIC = {
    b"\x1f\x8b": ("a gzip file", "decompress it first"),
    b"PK\x03\x04": ("a zip archive (or .xlsx)", "extract it, or export it as CSV"),
    b"\x7fELF": ("an executable", "is this the file you meant?"),
    b"PAR1": ("a Parquet file", "name it .parquet"),
}


class DataSpec(BaseModel):
    """Where a real split lives and how its columns map onto the task."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(
        description="file path, a save_to_disk folder, or hf:NAME[:CONFIG[:SPLIT]] for the hub"
    )
    columns: dict[str, str] = Field(default_factory=dict, description="task field -> column")
    label_map: dict[str, str] = Field(default_factory=dict, description="raw label -> task label")
    split: str | None = Field(default=None, description="split name for Hugging Face datasets")
    config: str | None = Field(
        default=None,
        description="configuration (subset) of an hf:NAME dataset, e.g. sst2 of nyu-mll/glue",
    )
    limit: int | None = Field(default=None, gt=0, description="read at most this many rows")

    _labels_as_text = field_validator("label_map", mode="before")(label_keyed)

    @model_validator(mode="before")
    @classmethod
    def _hub_parts(cls, data: Any) -> Any:
        """``hf:NAME:CONFIG:SPLIT`` (either part may be left out or empty) names the
        configuration and split in the path itself, where there are no keys for them: on
        the command line (``--test hf:nyu-mll/glue:sst2:validation``). A hub NAME holds no
        ':', so the parts are unambiguous; the split keeps any ':' of its own (train[:100])."""
        if not isinstance(data, dict):
            return data
        path = data.get("path")
        if not isinstance(path, str) or not path.startswith(HF_PREFIX) or ":" not in path[3:]:
            return data
        name, *parts = path[len(HF_PREFIX) :].split(":", 2)
        data = {**data, "path": HF_PREFIX + name}
        for key, value in zip(("config", "split"), parts, strict=False):
            if not value:
                continue
            if data.get(key) not in (None, value):
                raise ValueError(f"{path} names {key} {value}, and {key}: says {data[key]}")
            data[key] = value
        return data


def _not_text(
    path: Path, raw: bytes, lineno: int, offset: int, exc: UnicodeDecodeError
) -> DataError:
    return DataError(
        f"{path}: not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {offset + exc.start} "
        f"(line {lineno})",
        hint="save it as UTF-8 (it may be Latin-1 or Windows-1252)",
    )


def _check_magic(path: Path, head: bytes) -> None:
    """A DataError saying what a file is when its first bytes are those of no text file
    (its first line may well be ASCII)."""
    for magic, (kind, what_to_do) in _MAGIC.items():
        if head.startswith(magic):
            raise DataError(f"{path}: not UTF-8 text: it starts like {kind}", hint=what_to_do)


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line with its ending) of a UTF-8 text file; a bad byte or a line past
    :data:`MAX_LINE_BYTES` is a DataError naming the file and where."""
    offset = 0
    with path.open("rb") as fh:
        _check_magic(path, fh.read(4))
        fh.seek(0)
        for lineno in itertools.count(1):
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE_BYTES:
                raise DataError(
                    f"{path}:{lineno}: line longer than {MAX_LINE_BYTES >> 20} MiB; synthloop "
                    "reads lines (records) up to that length",
                    hint="is this a text example? split or shorten it",
                )
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_text(path, raw, lineno, offset, exc) from exc
            if lineno == 1:
                line = line.removeprefix("\ufeff")  # the byte-order mark spreadsheets write
            offset += len(raw)
            yield lineno, line


def _json_array_in_lines(path: Path) -> DataError:
    return DataError(
        f"{path}: a JSON array; a {path.suffix} file is JSON Lines, one JSON object per line",
        hint=f"rename it {path.with_suffix('.json').name}: a .json file may hold one array of "
        "objects",
    )


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """A JSONL file's rows (blank lines skipped); DataError naming the line otherwise."""
    first = True
    for lineno, line in _text_lines(path):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if first and line.lstrip().startswith("["):  # an indented array: line 1 is "["
                raise _json_array_in_lines(path) from exc
            raise DataError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
        if first and isinstance(row, list):  # an array on one line
            raise _json_array_in_lines(path)
        first = False
        if not isinstance(row, dict):
            raise DataError(f"{path}:{lineno}: each line must be a JSON object")
        yield row


def _read_json(path: Path) -> Iterator[dict[str, Any]]:
    """A .json file's rows: one JSON array of objects (what ``json.dump(rows)`` and pandas'
    ``to_json(orient="records")`` write), else JSON Lines, as pandas and ``datasets`` read
    both. The array is read whole: a line limit would refuse any array on one line; each
    text is still held to :data:`MAX_LINE_BYTES` (:func:`_row_fields`)."""
    raw = path.read_bytes()
    _check_magic(path, raw[:4])
    if not raw.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"["):
        yield from read_jsonl(path)
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_text(path, raw, raw.count(b"\n", 0, exc.start) + 1, 0, exc) from exc
    try:
        items = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise DataError(
                f"{path}: item {n} of its JSON array is not a JSON object",
                hint="each item is one row: an object of its columns and their values",
            )
        yield item


#: where csv.DictReader puts the fields of a row past the header's
_EXTRA = "\x00extra"
#: what csv.DictReader gives a column the row stopped short of (its default, None, read
#: later as "'label' is null", naming neither the line nor the cause); a str so the stubs
#: accept it, compared by identity so no parsed field can pass for it
_MISSING = "\x00missing"


def _read_delimited(path: Path, delimiter: str) -> Iterator[dict[str, Any]]:
    at = 0  # the line read last: where a quoted field that never closes ran out

    def lines() -> Iterator[str]:
        nonlocal at
        for at, line in _text_lines(path):  # noqa: B007 - `at` is read by the handler
            yield line

    sep = "a comma" if delimiter == "," else "a tab"
    try:
        reader = csv.DictReader(lines(), delimiter=delimiter, restkey=_EXTRA, restval=_MISSING)
        header = list(reader.fieldnames or ())
        twice = sorted({h for h in header if h.strip() and header.count(h) > 1})
        if twice:  # a row's later field of the name was read, the earlier lost silently
            raise DataError(
                f"{path}:1: the header names {', '.join(repr(h) for h in twice)} twice",
                hint="each column needs its own name: rename or remove one",
            )
        for row in reader:
            extra = row.pop(_EXTRA, None)
            missing = [k for k, v in row.items() if v is _MISSING]
            if missing:
                have = len(row) - len(missing)
                raise DataError(
                    f"{path}:{at}: {have} field{'s' * (have != 1)} where the header has "
                    f"{len(row)} (no {', '.join(repr(k) for k in missing)})",
                    hint=f"each row needs a value for every column, separated by {sep}",
                )
            # a field no column names cut the text there; empty ones are a trailing delimiter
            if extra is not None and any(x.strip() for x in extra):
                raise DataError(
                    f"{path}:{at}: {len(row) + len(extra)} fields where the header has "
                    f"{len(row)} (past the header: {extra[0][:40]!r})",
                    hint=f"a field holding {sep} must be quoted",
                )
            yield row
    except csv.Error as exc:
        raise DataError(f"{path}:{at}: not valid CSV ({exc})") from exc


def _parquet_class_labels(table: pa.Table) -> dict[str, list[str]]:
    """Column -> ClassLabel names, from the features ``datasets`` records in the schema of
    a Parquet file it wrote (``Dataset.to_parquet``, the hub's Parquet files, ``synthloop
    push``'s own splits); none for any other file."""
    raw = (table.schema.metadata or {}).get(b"huggingface")
    try:
        features = json.loads(raw)["info"]["features"] if raw else {}
    except (ValueError, KeyError, TypeError):
        return {}
    if not isinstance(features, dict):
        return {}
    return {
        col: [str(n) for n in f["names"]]
        for col, f in features.items()
        if isinstance(f, dict)
        and f.get("_type") == "ClassLabel"
        and isinstance(f.get("names"), list)
    }


def _read_parquet(path: Path, *, label_names: bool = True) -> Iterator[dict[str, Any]]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    # ClassLabel integers become their names, as from a save_to_disk folder (unless the
    # spec maps the raw values itself); they were read as "0", "1", unknown to the task
    names = _parquet_class_labels(table) if label_names else {}
    yield from _with_label_names(table.to_pylist(), names)


def _read_hf(spec: DataSpec) -> Iterator[dict[str, Any]]:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a declared dependency
        raise DataError("reading Hugging Face datasets needs the 'datasets' package") from exc
    source = spec.path
    try:
        if source.startswith(HF_PREFIX):
            # the config is its own argument: NAME may hold a '/' (nyu-mll/glue), so no
            # spelling inside the path could tell NAME from NAME/CONFIG
            repo = source[len(HF_PREFIX) :]
            ds: Any = datasets.load_dataset(repo, name=spec.config, split=spec.split)
        else:
            ds = datasets.load_from_disk(source)
        if isinstance(ds, datasets.DatasetDict):  # no split: (the hub's too) gives them all
            if spec.split is None or spec.split not in ds:
                raise DataError(
                    f"{source} holds splits {sorted(ds)}; choose one with split: NAME",
                    hint="on the command line: hf:NAME:CONFIG:SPLIT, or hf:NAME::SPLIT"
                    if source.startswith(HF_PREFIX)
                    else None,
                )
            ds = ds[spec.split]
    except DataError:
        raise
    except Exception as exc:  # the hub client raises many unrelated types
        lines = str(exc).splitlines()
        first = lines[0] if lines else type(exc).__name__
        hint = None
        # datasets names the configurations it has on a line of their own: keep them
        configs = re.search(r"(?:available configs|Available): (\[.*\])", str(exc))
        if source.startswith(HF_PREFIX) and configs:
            hint = (
                f"name one with config: CONFIG, of {configs.group(1)} "
                "(on the command line: hf:NAME:CONFIG)"
            )
        elif source.startswith(HF_PREFIX):
            hint = (
                "no network? where there is one, save it with Dataset.save_to_disk(FOLDER) "
                "and give that folder as path"
            )
        raise DataError(f"cannot load Hugging Face dataset {source!r}: {first}", hint=hint) from exc
    yield from class_label_names(ds) if not spec.label_map else ds


def _with_label_names(
    rows: Iterable[dict[str, Any]], names: dict[str, list[str]]
) -> Iterator[dict[str, Any]]:
    """``rows`` with the integers of each ClassLabel column in ``names`` given as names,
    and its -1 (no label: GLUE's test splits hide theirs) as null, not a label '-1' the
    user is told to map."""
    for row in rows:
        for col, labels in names.items():
            if isinstance(row.get(col), int) and 0 <= row[col] < len(labels):
                row[col] = labels[row[col]]
            elif row.get(col) == -1:
                row[col] = None
        yield row


def class_label_names(ds: Any) -> Iterator[dict[str, Any]]:
    """Rows of a ``datasets.Dataset`` with ClassLabel integers given as their names."""
    import datasets

    names = {
        col: list(feature.names)
        for col, feature in ds.features.items()
        if isinstance(feature, datasets.ClassLabel)
    }
    yield from _with_label_names(ds, names)


def read_rows(spec: DataSpec) -> Iterator[dict[str, Any]]:
    """Raw rows of a data source, as dicts, in file order."""
    if spec.path.startswith(HF_PREFIX):
        return _read_hf(spec)
    if spec.config is not None:  # else silently ignored: the user meant some other data
        raise DataError(
            f"{spec.path}: config: names a configuration of a hub dataset; this is not one",
            hint="give path: hf:NAME, or drop config:",
        )
    path = Path(spec.path)
    if path.is_dir():
        if not any((path / f).is_file() for f in ("state.json", "dataset_dict.json")):
            # was datasets' "Directory X is neither a `Dataset` directory nor a ..."
            files = sorted(
                f.name
                for f in path.iterdir()
                if f.suffix.lower() in (".jsonl", ".json", ".ndjson", ".csv", ".tsv", ".parquet")
            )
            raise DataError(
                f"{path} is a folder, not a data file (nor a folder Dataset.save_to_disk wrote)",
                hint=f"give one of its files as the path: {', '.join(files[:5])}"
                if files
                else "give a .jsonl, .json, .csv, .tsv or .parquet file as the path",
            )
        return _read_hf(spec)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path)
    if suffix == ".csv":
        return _read_delimited(path, ",")
    if suffix == ".tsv":
        return _read_delimited(path, "\t")
    if suffix == ".parquet":
        return _read_parquet(path, label_names=not spec.label_map)
    raise DataError(
        f"{path}: unknown data format {suffix!r}; use .jsonl, .json, .csv, .tsv, .parquet, "
        "a save_to_disk folder, or hf:NAME"
    )


def load_records(
    spec: DataSpec | str | Path,
    task: Task,
    *,
    split_name: str = "data",
    columns: Mapping[str, str] | None = None,
) -> list[Record]:
    """Read real labelled data for ``task``; raise DataError if it does not fit.
    ``columns`` (``--columns``) maps fields over ``spec.columns``, see :func:`_given_columns`."""
    if not isinstance(spec, DataSpec):
        spec = DataSpec(path=str(spec))
    return records_from_rows(read_rows(spec), spec, task, split_name=split_name, columns=columns)


def _given_columns(
    given: Mapping[str, str], base: Mapping[str, str], first: Mapping[str, Any], source: str
) -> dict[str, str]:
    """Each field's column: ``given``'s (``--columns``, which maps every file named on the
    command line) where the first row has that column, else ``base``'s where it has that
    one (a file already in the task's names, or the config's, reads as it is, as
    --label-map reads a task label as it is; said, since a typo in ``given`` lands here
    too), else ``given``'s, for the error to name."""
    chosen = {
        f: given[f] if f in given and (given[f] in first or col not in first) else col
        for f, col in base.items()
    }
    for f, col in chosen.items():
        if f in given and col != given[f]:
            warn(f"{source} has no column {given[f]!r} (--columns {f}={given[f]}): read {col!r}")
    return chosen


def records_from_rows(
    rows: Iterable[dict[str, Any]],
    spec: DataSpec,
    task: Task,
    *,
    split_name: str = "data",
    columns: Mapping[str, str] | None = None,
) -> list[Record]:
    """Records from raw rows (of a file, or of an in-memory ``datasets.Dataset``), mapped
    onto the task by ``spec`` (and ``columns``: :func:`load_records`); ``spec.path``
    names the source in messages."""
    wanted = {f: spec.columns.get(f, f) for f in (*task.inputs, "label")}
    unknown = [f for f in (*spec.columns, *(columns or {})) if f not in wanted]
    if unknown:  # a typo there would silently read the default column
        raise DataError(
            f"{spec.path}: columns: {unknown[0]!r} is not a field of the task "
            f"(fields: {', '.join(wanted)})"
        )
    if columns:
        rows = iter(rows)
        first = next(rows, None)
        if first is not None:
            wanted = _given_columns(columns, wanted, first, spec.path)
            rows = itertools.chain([first], rows)
    records: list[Record] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        if spec.limit is not None and i >= spec.limit:
            break
        inputs, label = _row_fields(spec.path, i, row, task, wanted, spec)
        own = row.get("id") if "id" not in wanted.values() else None
        rid = f"{split_name}-{i}" if own is None or own == "" else str(own)  # null: its row
        if rid in seen:  # an error's extrapolations and the review name a real record by id
            raise DataError(
                f"{spec.path}: rows {seen[rid] + 1} and {i + 1} have the same id {rid!r} "
                "(hint: make the ids unique, or drop the id column: rows are then numbered)"
            )
        seen[rid] = i
        records.append(Record(id=rid, inputs=inputs, label=label, method="real"))
    if not records:
        raise DataError(f"{spec.path}: the {split_name} set is empty")
    return records


def _row_fields(
    source: str,
    i: int,
    row: dict[str, Any],
    task: Task,
    wanted: dict[str, str],
    spec: DataSpec | None,
    *,
    label_map: Mapping[str, str] | None = None,
    own_map: bool = True,
) -> tuple[dict[str, str], str]:
    """The task's inputs and label of raw row ``i``, checked the one way every reader of
    rows checks them (a column for each field, none null, texts within
    :data:`MAX_LINE_BYTES`, the label one of the task's, the task type's ``check_row``);
    else a one-line DataError naming ``source`` and the row.

    ``wanted`` maps each task field to its column. ``spec`` is the data spec of real data
    (:func:`records_from_rows`): its ``label_map`` applies and a blank required input is
    refused. None reads a dataset file (:func:`load_dataset_file`): columns named as the
    task's fields, texts' length checked before the label, a blank text left to curation;
    its ``label_map`` is ``--label-map``'s (``own_map``), else a run config's alone.
    """
    missing = [(f, col) for f, col in wanted.items() if col not in row]
    if missing:
        field, col = missing[0]
        if spec is None:
            fields = ", ".join(wanted)
            hint = (
                f"a dataset file uses the task's field names ({fields}): rename its "
                f"columns, or map them: --columns {field}=COLUMN"
            )
        else:  # the same spec is a config's data section or load_dataset_records' arguments
            hint = (
                f"map it: columns: {{{field}: COLUMN}} in a config's data spec (a file named "
                f"on the command line: --columns {field}=COLUMN), "
                f"columns={{'{field}': 'COLUMN'}} from Python"
            )
        raise DataError(
            f"{source}: row {i + 1} has no column {col!r}"
            + (f" for the task's {field!r}" if col != field else "")
            + f" (columns: {', '.join(map(str, row))})",
            hint=hint,
        )
    nulls = [f for f, col in wanted.items() if row[col] is None]
    if nulls:  # str(None) would be read as the text "None"
        no_label = (
            "a real record needs its label: fill it or remove the row (a split whose "
            "labels are hidden, as GLUE's test split, has none)"
        )
        raise DataError(
            f"{source}: row {i + 1}: {nulls[0]!r} is null",
            hint=no_label if nulls[0] == "label" else None,
        )
    for f in (*task.inputs, "label"):
        kind = _no_text(row[wanted[f]], label=f == "label")
        if kind:  # str() would read it as Python writes it: "{'en': 'good'}", "True"
            raise DataError(
                f"{source}: row {i + 1}: {f!r} is {kind}, not a text",
                hint="a field holds a string; a number is read as its digits",
            )
    inputs = {f: str(row[wanted[f]]) for f in task.inputs}
    raw_label = row[wanted["label"]]
    labels = ", ".join(task.labels)
    if spec is None:
        label = mapped_label(str(label_text(raw_label)), label_map or {})
        _check_length(source, i, {**inputs, "label": label})
        if task.has_labels and label not in task.labels:
            if label_map:
                mapper = "--label-map" if own_map else "the config's label_map"
                raise DataError(
                    f"{source}: row {i + 1} has label {raw_label!r}, which {mapper} does "
                    f"not map and is not one of the task's labels ({labels})",
                    hint=f"add {raw_label}=LABEL to --label-map",
                )
            raise DataError(
                f"{source}: row {i + 1} has label {raw_label!r}, which is not one of the "
                f"task's labels ({labels})",
                hint="is this the dataset of this task?",
            )
    else:
        blank = [f for f in task.spec.required_inputs(task) if not inputs[f].strip()]
        if blank:  # S3 would extrapolate from nothing, held-out would score a guess on it
            raise DataError(
                f"{source}: row {i + 1}: {blank[0]!r} is blank",
                hint="a real record needs text in every field: fill the row or remove it",
            )
        raw_label = str(label_text(raw_label))
        label = mapped_label(raw_label, spec.label_map)
        if task.has_labels and label not in task.labels:
            mapped = f" (label_map makes it {label!r})" if label != raw_label else ""
            raise DataError(
                f"{source}: row {i + 1} has label {raw_label!r}{mapped}, which is not one of "
                f"the task's labels ({labels}); "
                + (
                    "map it to one of them"
                    if mapped
                    else "map it with label_map (a file named on the command line: --label-map)"
                )
            )
        _check_length(source, i, {**inputs, "label": label})
    problem = task.spec.check_row(task, inputs, label)
    if problem:  # e.g. a QA answer that is not a span of its context
        raise DataError(f"{source}: row {i + 1}: {problem}")
    return inputs, label


def _no_text(value: Any, *, label: bool) -> str | None:
    """What a field's value is when no text can be read from it: a list or an object (of
    JSON, a Parquet list or struct), or, for an input, true or false. Strings and numbers
    are texts, as a CSV file reads every value; a label true/false is named by the label
    check."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool) and not label:
        return "true" if value else "false"
    return None


def _check_length(source: str, i: int, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        if len(value) > MAX_LINE_BYTES:
            raise DataError(
                f"{source}: row {i + 1}: {name} is {len(value):,} characters; synthloop reads "
                f"texts up to {MAX_LINE_BYTES >> 20} MiB",
                hint="is this a text example? split or shorten it",
            )


def load_dataset_file(
    path: str | Path,
    task: Task,
    *,
    columns: Mapping[str, str] | None = None,
    fallback: Mapping[str, str] | None = None,
    label_map: Mapping[str, str] | None = None,
    label_fallback: Mapping[str, str] | None = None,
) -> list[Record]:
    """Read a dataset synthloop wrote (JSONL or Parquet), keeping provenance columns, or a
    user's own file, keeping its other columns (:attr:`Record.columns`).

    A row is synthloop's when it has every provenance column: synthloop writes them all.
    A user's row may well have a ``round`` or ``model`` of its own: those are its columns,
    written back as they were, and it gains no provenance it did not have (``method``).

    ``columns`` maps task fields to the file's columns (``--columns``, see
    :func:`_given_columns`), as a data spec's do; ``fallback`` (a run config's,
    :meth:`DataConfig.own_file_columns`) maps only a field the file has no column of, so
    a dataset synthloop wrote reads as ever. A mapped column
    is read as its field and written back under the field's name. ``label_map``
    (``--label-map``) names the task label of a raw label value, read as text (1 and "1"
    alike); a value already a task label is read as it is. ``label_fallback`` (a run
    config's, :meth:`DataConfig.own_file_label_map`) maps only a value that is neither
    a task label nor in ``label_map``, as ``fallback`` maps only a field with no column.
    """
    path = Path(path)
    own_map = dict(label_map or {})  # what --label-map names, in messages
    label_map = {
        **{raw: lab for raw, lab in (label_fallback or {}).items() if raw not in task.labels},
        **own_map,
    }
    spec = DataSpec(path=str(path))
    rows = list(read_rows(spec))
    if not rows:
        raise DataError(f"{path}: the dataset is empty")
    wanted = _file_columns(path, task, rows[0], columns or {}, fallback or {})
    out = []
    for i, row in enumerate(rows):
        _, label = _row_fields(
            str(path), i, row, task, wanted, None, label_map=label_map, own_map=bool(own_map)
        )
        if label_map:  # the label the record is built from below
            row[wanted["label"]] = label
        for field_name, col in wanted.items():  # read as the task's field from here on
            if col != field_name:
                row[field_name] = row.pop(col)
        if row.get("id") is None or row["id"] == "":  # no id (a null or empty cell): its row
            row["id"] = f"row-{i}"
        provenance = row.keys() >= set(PROVENANCE)
        _check_provenance(str(path), i, row, provenance)
        record = Record.from_row(row, task.inputs, provenance=provenance)
        if record.columns:  # a user's own columns, written back as JSON (a Parquet date too)
            columns = {k: json.loads(json.dumps(v, default=str)) for k, v in record.columns.items()}
            record = replace(record, columns=columns)
        out.append(record)
    return out


def _file_columns(
    path: Path,
    task: Task,
    first: dict[str, Any],
    columns: Mapping[str, str],
    fallback: Mapping[str, str],
) -> dict[str, str]:
    """Each task field's column in a dataset file (see :func:`load_dataset_file`)."""
    fields = (*task.inputs, "label")
    unknown = [f for f in columns if f not in fields]
    if unknown:  # a typo there would silently read the default column
        raise DataError(
            f"{path}: columns: {unknown[0]!r} is not a field of the task "
            f"(fields: {', '.join(fields)})"
        )
    # the fallback maps only a field the file has no column of
    base = {f: f if f in first or fallback.get(f, f) not in first else fallback[f] for f in fields}
    wanted = _given_columns(columns, base, first, str(path))
    twice = [col for col in wanted.values() if list(wanted.values()).count(col) > 1]
    if twice:
        raise DataError(f"{path}: columns maps two of the task's fields to {twice[0]!r}")
    for f, col in wanted.items():
        # the file's own column of the field's name would be written over by the mapped one
        if col != f and f in first and f not in wanted.values():
            raise DataError(
                f"{path}: columns maps the task's {f!r} to {col!r}, and the file has a "
                f"column {f!r} too",
                hint=f"rename or drop its {f!r} column, or map {f!r} to it",
            )
    return wanted


def _check_provenance(source: str, i: int, row: dict[str, Any], provenance: bool) -> None:
    """synthloop's extra a JSON object (Parquet stores it as text): ``extra`` in a row of
    synthloop's (``provenance``), whose ``round`` must be a whole number too, and
    :data:`USER_ROW_EXTRA` in a user's, whose ``extra`` is its own, read as it is."""
    name = "extra" if provenance else USER_ROW_EXTRA
    extra = row.get(name) or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError as exc:
            raise DataError(f"{source}: row {i + 1}: {name} is not valid JSON ({exc.msg})") from exc
    if not isinstance(extra, dict):
        raise DataError(f"{source}: row {i + 1}: {name} is not a JSON object")
    if name in row:
        row[name] = extra
    value = row.get("round")
    if provenance and value is not None:
        try:  # int() would read 2.7 as round 2
            whole = not isinstance(value, bool) and int(value) == float(value)
        except (TypeError, ValueError):
            whole = False
        if not whole:
            raise DataError(f"{source}: row {i + 1}: round {value!r} is not a whole number")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; on success it replaces ``path`` in one
    rename, so a crash never leaves half a file and readers see the old file or the new.

    The temporary file is created with mode 0666 less the umask, as ``open()`` would make
    it (``tempfile.mkstemp`` makes 0600, which left every output unreadable to the group).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: where :func:`staged_folder` writes a folder's files before they move into it
STAGING_NAME = ".synthloop-staging"


@contextmanager
def staged_folder(folder: str | Path, *, last: str) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``folder`` to write a set of files into; on
    success each moves into ``folder`` by one rename, ``last`` after all the others.

    A run killed while writing (the slow part) leaves ``folder`` as it was; one killed
    among the renames leaves ``last`` in the staging folder, which says whose files those
    are (:func:`staged_file`). The caller holds ``folder`` (one writer), so a staging folder
    found on entry is a killed run's and is removed.
    """
    folder = Path(folder)
    stage = folder / STAGING_NAME
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    moving = False
    try:
        yield stage
        names = sorted(p.name for p in stage.iterdir() if p.name != last)
        moving = True
        for name in [*names, last]:
            os.replace(stage / name, folder / name)
        stage.rmdir()
    except BaseException:
        if not moving:  # nothing moved yet: the folder is as it was
            shutil.rmtree(stage, ignore_errors=True)
        raise


def staged_file(folder: str | Path, name: str) -> Path:
    """Where a run of :func:`staged_folder` killed among its renames left ``name``."""
    return Path(folder) / STAGING_NAME / name


def files_under(folder: str | Path, pattern: str = "*") -> list[Path]:
    """The files under ``folder`` matching ``pattern``, sorted, but those in a staging folder
    of :func:`staged_folder`: a run killed among its renames leaves files there that are not
    (yet) the folder's, which a reader scanning it took for its own."""
    folder = Path(folder)
    return sorted(
        p
        for p in folder.rglob(pattern)
        if p.is_file() and STAGING_NAME not in p.relative_to(folder).parts
    )


def write_text_atomic(text: str, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def jsonl_line(row: dict[str, Any]) -> str:
    """One row as synthloop writes it to a JSONL file."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(jsonl_line(row))
    return path


def write_records(records: Iterable[Record], path: str | Path) -> Path:
    """Write records as JSONL, or as Parquet when the path ends in .parquet."""
    path = Path(path)
    records = list(records)
    rows = [r.to_row() for r in records]
    if path.suffix.lower() != ".parquet":
        return write_jsonl(rows, path)
    for rec, row in zip(records, rows, strict=True):  # nested, per-method detail does not
        # fit one Arrow schema (a user's own extra column is theirs: written as it is)
        row[rec.extra_column] = json.dumps(rec.extra, ensure_ascii=False)
    with atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist(rows), tmp)
    return path


def write_json(obj: Any, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
