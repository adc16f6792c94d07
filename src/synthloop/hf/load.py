"""Real data and tasks from ``datasets`` objects already in memory.

Files, ``save_to_disk`` folders and ``hf:NAME`` (the hub, where there is a network) go
through the run config's data specs (:mod:`synthloop.core.io`); this module is for Python
users who hold a ``datasets.Dataset`` (or ``DatasetDict``) already.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError

from synthloop.core.errors import ConfigError, DataError
from synthloop.core.io import DataSpec, class_label_names, records_from_rows
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.yamlio import describe_validation_error, label_keyed, label_text


def _one_split(ds: Any, split: str | None) -> Any:
    import datasets

    if isinstance(ds, datasets.DatasetDict):
        if split is None or split not in ds:
            raise DataError(f"the DatasetDict holds splits {sorted(ds)}; choose one with split=")
        return ds[split]
    if not isinstance(ds, datasets.Dataset):
        raise DataError(f"expected a datasets.Dataset or DatasetDict, not {type(ds).__name__}")
    return ds


def _digest(ds: Any) -> str:
    """Eight hex digits of a Dataset's rows: its name where it has no split."""
    digest = hashlib.sha256()
    for row in ds:
        digest.update(json.dumps(row, sort_keys=True, default=str).encode() + b"\n")
    return digest.hexdigest()[:8]


def load_dataset_records(
    ds: Any,
    task: Task,
    *,
    columns: dict[str, str] | None = None,
    label_map: dict[Any, str] | None = None,
    split: str | None = None,
    limit: int | None = None,
) -> list[Record]:
    """Records of a ``datasets.Dataset`` (or one ``split`` of a ``DatasetDict``).

    ``columns`` maps task fields to columns; ClassLabel integers become their names
    unless ``label_map`` maps the raw values itself. Records are named ``SPLIT-N`` (as a
    run config's ``data:`` names them: ``validation-0``, …) after ``split``, which names a
    bare Dataset too, else the Dataset's own split (``load_dataset(..., split=...)``). One
    with neither (``from_dict``, ``load_from_disk(...)["test"]``) is named after its rows,
    ``data-<digest>-N``: two such datasets never share ids, and the same rows keep theirs.
    """
    ds = _one_split(ds, split)
    name = split or (ds.split and str(ds.split)) or f"data-{_digest(ds)}"
    spec = DataSpec(
        path=f"<datasets.Dataset {name}>",
        columns=columns or {},
        label_map=label_map or {},
        limit=limit,
    )
    rows = ds if spec.label_map else class_label_names(ds)
    return records_from_rows(rows, spec, task, split_name=name)


def _mapped_labels(values: list[Any], label_map: dict[Any, str], column: str) -> list[str]:
    """The task labels ``label_map`` makes of a column's raw values, in the map's order;
    a value it leaves out would be a record no label of the task fits."""
    try:  # 0: and "0": alike, as in a run config's label_map
        mapping: dict[str, str] = label_keyed(label_map)
    except ValueError as exc:
        raise ConfigError(f"task_from_dataset: label_map: {exc}") from None
    unmapped = sorted({str(label_text(v)) for v in values if v is not None} - set(mapping))
    if unmapped:
        raise DataError(
            f"column {column!r} holds values label_map does not map: {', '.join(unmapped)}",
            hint="give each value its label in label_map",
        )
    return list(dict.fromkeys(mapping.values()))


def task_from_dataset(
    ds: Any,
    *,
    name: str,
    domain: str,
    example_noun: str = "text",
    text_column: str = "text",
    label_column: str = "label",
    descriptions: dict[str, str] | None = None,
    label_map: dict[Any, str] | None = None,
    split: str | None = None,
) -> Task:
    """A classification task whose labels are the dataset's: the ClassLabel names, or the
    distinct values of ``label_column``, or the names ``label_map`` gives its raw values
    (``{0: "negative", 1: "positive"}``, as :func:`load_dataset_records` takes it, so the
    task and the records agree). ``descriptions`` (label -> what it means) go into the
    prompts; a label without one is described by its name."""
    import datasets

    ds = _one_split(ds, split)
    for column, argument in ((text_column, "text_column"), (label_column, "label_column")):
        if column not in ds.column_names:  # else a task no row of this dataset fits
            raise DataError(
                f"the dataset has no column {column!r} ({', '.join(ds.column_names)})",
                hint=f"name the column with {argument}=",
            )
    feature = ds.features[label_column]
    if label_map:
        labels = _mapped_labels(ds[label_column], label_map, label_column)
    elif isinstance(feature, datasets.ClassLabel):
        labels = list(feature.names)
    else:  # a missing label (None) is no label: str() would make it one named 'None'
        values = {v for v in ds[label_column] if v is not None}
        # integers in their order (2 before 10), anything else as text
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        # as the records read them: 1.0 is label "1" (label_text)
        texts = (str(label_text(v)) for v in sorted(values, key=None if numeric else str))
        labels = list(dict.fromkeys(texts))
    if len(labels) < 2:
        raise DataError(
            f"column {label_column!r} holds {len(labels)} label(s)"
            + (f" ({', '.join(labels)})" if labels else "")
            + "; a classification task needs at least two",
            hint="is it the label column? name it with label_column=",
        )
    described = descriptions or {}
    unknown = sorted(set(described) - set(labels))
    if unknown:
        raise DataError(f"descriptions name labels the dataset lacks: {', '.join(unknown)}")
    try:
        return Task(
            name=name,
            domain=domain,
            example_noun=example_noun,
            inputs=(text_column,),
            labels={
                lab: described.get(lab, f"the {example_noun} is {lab.replace('_', ' ')}")
                for lab in labels
            },
        )
    except ValidationError as exc:  # e.g. an empty name: one line, in the error tree
        raise ConfigError(f"task_from_dataset: {describe_validation_error(exc)}") from None
