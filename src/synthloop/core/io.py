"""Data in and out: JSONL, CSV, TSV, Parquet and Hugging Face datasets.

Real data is read through a :class:`DataSpec` that maps the task's fields to the file's
columns (``columns: {text: sentence}``) and, if needed, raw label values to the task's
labels (``label_map: {0: negative, 1: positive}``). Everything that can go wrong with a
file ends in a one-line :class:`~synthloop.core.errors.DataError`.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from synthloop.core.errors import DataError
from synthloop.core.records import Record
from synthloop.core.tasks import Task

HF_PREFIX = "hf:"


class DataSpec(BaseModel):
    """Where a real split lives and how its columns map onto the task."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="file path, a save_to_disk folder, or hf:NAME for the hub")
    columns: dict[str, str] = Field(default_factory=dict, description="task field -> column")
    label_map: dict[str, str] = Field(default_factory=dict, description="raw label -> task label")
    split: str | None = Field(default=None, description="split name for Hugging Face datasets")
    limit: int | None = Field(default=None, gt=0, description="read at most this many rows")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise DataError(f"{path}:{lineno}: each line must be a JSON object")
            yield row


def _read_delimited(path: Path, delimiter: str) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=delimiter)


def _read_parquet(path: Path) -> Iterator[dict[str, Any]]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    yield from table.to_pylist()


def _read_hf(spec: DataSpec) -> Iterator[dict[str, Any]]:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a declared dependency
        raise DataError("reading Hugging Face datasets needs the 'datasets' package") from exc
    source = spec.path
    try:
        if source.startswith(HF_PREFIX):
            ds: Any = datasets.load_dataset(source[len(HF_PREFIX) :], split=spec.split)
        else:
            ds = datasets.load_from_disk(source)
            if isinstance(ds, datasets.DatasetDict):
                if spec.split is None or spec.split not in ds:
                    raise DataError(
                        f"{source} holds splits {sorted(ds)}; choose one with split: NAME"
                    )
                ds = ds[spec.split]
    except DataError:
        raise
    except Exception as exc:  # the hub client raises many unrelated types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hint = None
        if source.startswith(HF_PREFIX):
            hint = (
                "no network? where there is one, save it with Dataset.save_to_disk(FOLDER) "
                "and give that folder as path"
            )
        raise DataError(f"cannot load Hugging Face dataset {source!r}: {first}", hint=hint) from exc
    yield from class_label_names(ds) if not spec.label_map else ds


def class_label_names(ds: Any) -> Iterator[dict[str, Any]]:
    """Rows of a ``datasets.Dataset`` with ClassLabel integers given as their names."""
    import datasets

    names = {
        col: feature.names
        for col, feature in ds.features.items()
        if isinstance(feature, datasets.ClassLabel)
    }
    for row in ds:
        for col, labels in names.items():
            if isinstance(row.get(col), int) and 0 <= row[col] < len(labels):
                row[col] = labels[row[col]]
        yield row


def read_rows(spec: DataSpec) -> Iterator[dict[str, Any]]:
    """Raw rows of a data source, as dicts, in file order."""
    if spec.path.startswith(HF_PREFIX):
        return _read_hf(spec)
    path = Path(spec.path)
    if path.is_dir():
        return _read_hf(spec)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".csv":
        return _read_delimited(path, ",")
    if suffix == ".tsv":
        return _read_delimited(path, "\t")
    if suffix == ".parquet":
        return _read_parquet(path)
    raise DataError(
        f"{path}: unknown data format {suffix!r}; use .jsonl, .csv, .tsv, .parquet, "
        "a save_to_disk folder, or hf:NAME"
    )


def load_records(
    spec: DataSpec | str | Path, task: Task, *, split_name: str = "data"
) -> list[Record]:
    """Read real labelled data for ``task``; raise DataError if it does not fit."""
    if not isinstance(spec, DataSpec):
        spec = DataSpec(path=str(spec))
    return records_from_rows(read_rows(spec), spec, task, split_name=split_name)


def records_from_rows(
    rows: Iterable[dict[str, Any]], spec: DataSpec, task: Task, *, split_name: str = "data"
) -> list[Record]:
    """Records from raw rows (of a file, or of an in-memory ``datasets.Dataset``), mapped
    onto the task by ``spec``; ``spec.path`` names the source in messages."""
    wanted = {f: spec.columns.get(f, f) for f in (*task.inputs, "label")}
    records: list[Record] = []
    for i, row in enumerate(rows):
        if spec.limit is not None and i >= spec.limit:
            break
        missing = [col for col in wanted.values() if col not in row]
        if missing:
            raise DataError(
                f"{spec.path}: row {i + 1} has no column {missing[0]!r} "
                f"(columns: {', '.join(map(str, row))}); "
                f"map it in the data spec with columns: {{field: column}}"
            )
        raw_label = str(row[wanted["label"]])
        label = spec.label_map.get(raw_label, raw_label)
        if task.has_labels and label not in task.labels:
            raise DataError(
                f"{spec.path}: row {i + 1} has label {raw_label!r}, which is not one of the "
                f"task's labels ({', '.join(task.labels)}); map it with label_map"
            )
        inputs = {f: str(row[wanted[f]]) for f in task.inputs}
        problem = task.spec.check_row(task, inputs, label)
        if problem:
            raise DataError(f"{spec.path}: row {i + 1}: {problem}")
        rid = str(row["id"]) if "id" in row and "id" not in wanted.values() else f"{split_name}-{i}"
        records.append(Record(id=rid, inputs=inputs, label=label, method="real"))
    if not records:
        raise DataError(f"{spec.path}: the {split_name} set is empty")
    return records


def load_dataset_file(path: str | Path, task: Task) -> list[Record]:
    """Read a dataset synthloop wrote (JSONL or Parquet), keeping provenance columns."""
    path = Path(path)
    spec = DataSpec(path=str(path))
    rows = list(read_rows(spec))
    if not rows:
        raise DataError(f"{path}: the dataset is empty")
    needed = (*task.inputs, "label")
    out = []
    for i, row in enumerate(rows):
        missing = [c for c in needed if c not in row]
        if missing:
            raise DataError(f"{path}: row {i + 1} has no column {missing[0]!r}")
        row.setdefault("id", f"row-{i}")
        if isinstance(row.get("extra"), str):
            row["extra"] = json.loads(row["extra"] or "{}")
        out.append(Record.from_row(row, task.inputs))
    return out


@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """Write to a temporary sibling and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> Path:
    path = Path(path)
    with _atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_records(records: Iterable[Record], path: str | Path) -> Path:
    """Write records as JSONL, or as Parquet when the path ends in .parquet."""
    path = Path(path)
    rows = [r.to_row() for r in records]
    if path.suffix.lower() != ".parquet":
        return write_jsonl(rows, path)
    for row in rows:  # nested, per-method detail does not fit one Arrow schema
        row["extra"] = json.dumps(row.get("extra") or {}, ensure_ascii=False)
    with _atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist(rows), tmp)
    return path


def write_json(obj: Any, path: str | Path) -> Path:
    path = Path(path)
    with _atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
