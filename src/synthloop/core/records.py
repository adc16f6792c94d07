"""A record: one labelled example, real or synthetic, with where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Columns every written record carries besides its input fields and label.
PROVENANCE = ("id", "method", "round", "parent_id", "model", "prompt_hash")
#: the column of a user's row (no provenance) that holds synthloop's ``extra`` (a curation
#: weight, a review mark): its ``extra`` column, if it has one, is the user's own
USER_ROW_EXTRA = "synthloop_extra"


@dataclass(frozen=True)
class Record:
    id: str
    inputs: dict[str, str]
    label: str
    #: real | zerogen | s3-seed | extrapolate...; None: a user's record, read from a file
    #: without synthloop's provenance, and written back without it
    method: str | None = "real"
    round: int | None = None  # S3 round that produced it (0 = seed)
    parent_id: str | None = None  # for extrapolated records: the validation error it imitates
    model: str | None = None  # the LLM that wrote it
    prompt_hash: str | None = None  # hash of the exact request sent to the LLM
    extra: dict[str, Any] = field(default_factory=dict)  # method-specific detail (e.g. rationales)
    #: the row's other columns (a user's own: source, annotator...), written back as they were
    columns: dict[str, Any] = field(default_factory=dict)

    def text(self, field_name: str) -> str:
        return self.inputs[field_name]

    @property
    def extra_column(self) -> str:
        """The column :attr:`extra` is written to: ``extra`` in synthloop's rows, and
        :data:`USER_ROW_EXTRA` in a user's, whose ``extra`` is one of its own columns."""
        return "extra" if self.method is not None else USER_ROW_EXTRA

    def to_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, **self.inputs, "label": self.label}
        if self.method is not None:
            data = asdict(self)
            for key in PROVENANCE[1:]:
                row[key] = data[key]
        if self.extra:
            row[self.extra_column] = self.extra
        for key, value in self.columns.items():
            row.setdefault(key, value)
        return row

    @classmethod
    def from_row(
        cls, row: dict[str, Any], input_fields: tuple[str, ...], *, provenance: bool = True
    ) -> Record:
        """The record of a row synthloop wrote; with ``provenance`` False, of a user's row:
        its ``method``, ``round``, ``model``, ``extra``... are columns of the user's, kept
        as they are, and synthloop's extra is read from :data:`USER_ROW_EXTRA`."""
        if not provenance:
            known = {"id", *input_fields, "label", USER_ROW_EXTRA}
            return cls(
                id=str(row["id"]),
                inputs={f: str(row[f]) for f in input_fields},
                label=str(row["label"]),
                method=None,
                extra=dict(row.get(USER_ROW_EXTRA) or {}),
                columns={k: v for k, v in row.items() if k not in known},
            )
        known = {*PROVENANCE, *input_fields, "label", "extra"}
        return cls(
            id=str(row["id"]),
            inputs={f: str(row[f]) for f in input_fields},
            label=str(row["label"]),
            method=str(row.get("method") or "real"),
            round=None if row.get("round") is None else int(row["round"]),
            parent_id=row.get("parent_id"),
            model=row.get("model"),
            prompt_hash=row.get("prompt_hash"),
            extra=dict(row.get("extra") or {}),
            columns={k: v for k, v in row.items() if k not in known},
        )
