"""People in the loop: a review queue ordered by least confidence, and the decisions a
person makes about it (keep, relabel, drop), saved durably in SQLite the moment they are
made. :class:`HumanReview` applies the decisions when the dataset is curated again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from synthloop.core.errors import ConfigError, DataError
from synthloop.core.records import Record
from synthloop.curate.base import (
    AuditEntry,
    CurateContext,
    Step,
    StepResult,
    relabelled,
    with_extra,
)
from synthloop.curate.crossval import cross_val_proba
from synthloop.curate.dedup import normalise

Choice = Literal["keep", "relabel", "drop"]
CHOICES: tuple[Choice, ...] = ("keep", "relabel", "drop")
QUEUE_FILE = "review_queue.jsonl"
STORE_FILE = "review.sqlite"


@dataclass(frozen=True)
class Decision:
    record_id: str
    action: Choice
    label: str | None
    decided_at: float
    #: the record's inputs as the person saw them (None: not recorded): ids given by row
    #: number name another record once the file changes
    inputs: dict[str, str] | None = None


class ReviewStore:
    """Decisions by record id; each write is committed (fsync'd) before it returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS decisions (record_id TEXT PRIMARY KEY,"
                " action TEXT NOT NULL, label TEXT, decided_at REAL NOT NULL, inputs TEXT)"
            )
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(decisions)")}
            if "inputs" not in columns:  # a store written before inputs were kept
                self._db.execute("ALTER TABLE decisions ADD COLUMN inputs TEXT")
        except sqlite3.DatabaseError as exc:  # a file that is not SQLite, or is damaged
            self._db.close()
            raise DataError(
                f"cannot read the review decisions in {self.path}: {exc}",
                hint="move it away to start the review afresh",
            ) from exc

    def decide(
        self,
        record_id: str,
        action: str,
        label: str | None = None,
        inputs: dict[str, str] | None = None,
    ) -> Decision:
        if action not in CHOICES:
            raise DataError(f"unknown review action {action!r}; choose one of {CHOICES}")
        if action == "relabel" and not label:
            raise DataError("a relabel decision needs the new label")
        kept_label = label if action == "relabel" else None
        decision = Decision(record_id, action, kept_label, time.time(), inputs)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO decisions (record_id, action, label, decided_at, inputs)"
                " VALUES (?, ?, ?, ?, ?)",
                (decision.record_id, decision.action, decision.label, decision.decided_at,
                 None if inputs is None else json.dumps(inputs, sort_keys=True)),
            )  # fmt: skip
        return decision

    def decisions(self) -> dict[str, Decision]:
        with self._lock:
            rows = self._db.execute(
                "SELECT record_id, action, label, decided_at, inputs FROM decisions"
            ).fetchall()
        return {
            r[0]: Decision(r[0], r[1], r[2], r[3], None if r[4] is None else json.loads(r[4]))
            for r in rows
        }

    def close(self) -> None:
        self._db.close()


class HumanReview(Step):
    """Apply a person's decisions: drop, relabel (old label kept), or confirm a record.
    Records a person has seen are marked (``extra["review"]``) so that model-based steps
    after this one leave them alone. A decision follows its text to whatever id it has now
    (:func:`match_decisions`); a record whose id's decision is about a text that is gone
    (edited, or removed) is flagged ``text_changed_since_review``, to be asked again."""

    name = "human_review"
    #: the decisions' SQLite file; None: the output folder's, filled in by ``with_review``
    store: str | None = None

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        if self.store is None:
            raise ConfigError(
                "human_review needs the file of a person's decisions: "
                "HumanReview(store='curated/review.sqlite'), or with_review(pipeline, out)"
            )
        if not Path(self.store).exists():  # nobody has reviewed yet: nothing to apply
            return StepResult(list(records), [])
        store = ReviewStore(self.store)
        try:
            decisions = store.decisions()
        finally:
            store.close()
        own = match_decisions([(r.id, r.inputs) for r in records], decisions)
        latest = _latest_by_text(decisions)
        # a dropped text's copies were dropped as its duplicates, so the person never saw
        # them; with it gone first, dedup would keep one of them in its place
        dropped_texts = {
            key: d.record_id
            for d in latest.values()
            if d.action == "drop" and (key := _text_key(ctx, d.inputs))
        }
        # a copy names the dropped record by its id now (the decision's may name another)
        dropped_texts |= {
            key: r.id
            for r in records
            if (d := own.get(r.id)) and d.action == "drop" and (key := _text_key(ctx, r.inputs))
        }
        present = {_inputs_key(r.inputs) for r in records}
        kept: list[Record] = []
        audit: list[AuditEntry] = []
        for record in records:
            d = own.get(record.id)
            moved = {} if d is None or d.record_id == record.id else {"decided_as": d.record_id}
            earlier = decisions.get(record.id)
            copy_of = dropped_texts.get(_text_key(ctx, record.inputs) or "")
            if d is None and copy_of is not None:
                audit.append(
                    AuditEntry(
                        record.id, self.name, "drop", "copy_person_dropped", None,
                        {"copy_of": copy_of},
                    )
                )  # fmt: skip
            elif d is None and earlier is not None and _inputs_key(earlier.inputs) not in present:
                # the person decided about another text that had this id, and it is gone
                # (edited, or removed): ask again
                detail: dict[str, Any] = {"decided": earlier.action, "about": earlier.inputs}
                audit.append(
                    AuditEntry(
                        record.id, self.name, "flag", "text_changed_since_review", None, detail
                    )
                )
                kept.append(record)
            elif d is None:
                kept.append(record)
            elif d.action == "drop":
                audit.append(
                    AuditEntry(record.id, self.name, "drop", "person_dropped", None, moved)
                )
            elif d.action == "relabel" and d.label in ctx.task.labels and d.label != record.label:
                detail = {"old_label": record.label, "new_label": d.label, **moved}
                audit.append(
                    AuditEntry(record.id, self.name, "relabel", "person_relabelled", None, detail)
                )
                kept.append(
                    with_extra(relabelled(record, d.label, self.name, None), review="relabel")
                )
            else:
                audit.append(AuditEntry(record.id, self.name, "keep", "person_kept", None, moved))
                kept.append(with_extra(record, review="keep"))
        return StepResult(kept, audit)


def match_decisions(
    items: Sequence[tuple[str, dict[str, str]]], decisions: Mapping[str, Decision]
) -> dict[str, Decision]:
    """Each record's decision, by its ``(id, inputs)``; a record with none is left out.

    A decision follows its text, since a file without ids numbers its records by row and
    a row inserted or removed above renumbers every later one: a record gets the decision
    made under its own id about its inputs (or saved before inputs were kept); else the
    latest decision made about exactly its inputs under any id. So two records of one text
    both get the person's latest word about it, unless the person decided about each
    under its own id; a decision under this id about another text is not this record's.
    """
    by_text = _latest_by_text(decisions)
    matched: dict[str, Decision] = {}
    for rid, inputs in items:
        d = decisions.get(rid)
        if d is None or d.inputs not in (None, inputs):
            d = by_text.get(_inputs_key(inputs))
        if d is not None:
            matched[rid] = d
    return matched


def _latest_by_text(decisions: Mapping[str, Decision]) -> dict[str, Decision]:
    """The latest decision about each text (inputs), whatever id it was made under."""
    by_text: dict[str, Decision] = {}
    for d in sorted(decisions.values(), key=lambda d: (d.decided_at, d.record_id)):
        if d.inputs is not None:
            by_text[_inputs_key(d.inputs)] = d
    return by_text


def _inputs_key(inputs: dict[str, str] | None) -> str:
    return json.dumps(inputs, sort_keys=True)


def dropped_by_person(dropped: Sequence[tuple[Record, AuditEntry]]) -> list[dict[str, Any]]:
    """Queue entries for the records a person dropped: gone from the curated set, they
    would be gone from the page too, and a drop made by mistake could not be taken back."""
    return [
        queue_entry(r, ["you dropped it (keep or relabel it to take that back)"])
        for r in person_dropped(dropped)
    ]


def person_dropped(dropped: Sequence[tuple[Record, AuditEntry]]) -> list[Record]:
    """The records a person dropped, of those a pipeline dropped."""
    return [r for r, e in dropped if e.step == HumanReview.name and e.reason == "person_dropped"]


def queue_entry(
    r: Record,
    reasons: list[str],
    model_label: str | None = None,
    model_confidence: float | None = None,
    label_confidence: float | None = None,
) -> dict[str, Any]:
    """One line of review_queue.jsonl: the record, why it is queued and the small model's
    opinion of it (None where it has none)."""
    return {
        "id": r.id,
        "inputs": r.inputs,
        "label": r.label,
        "model_label": model_label,
        "model_confidence": model_confidence,
        "label_confidence": label_confidence,
        "reasons": reasons,
        "method": r.method,
    }


def _text_key(ctx: CurateContext, inputs: dict[str, str] | None) -> str:
    """``inputs``' text as exact dedup compares it; "" when unknown (a decision saved
    before inputs were kept, or about another task's fields) or blank."""
    if inputs is None or any(f not in inputs for f in ctx.task.inputs):
        return ""
    return normalise("\n".join(inputs[f] for f in ctx.task.inputs))


def build_queue(
    records: Sequence[Record],
    audit: Sequence[AuditEntry],
    ctx: CurateContext,
    *,
    size: int = 50,
    folds: int = 5,
) -> list[dict[str, Any]]:
    """The records worth a person's look, least confident first: every record a step
    flagged, plus the ``size`` records whose own label the small model (cross-validated)
    believes least. A task without class labels (QA, instructions) gets no model opinion:
    only the flagged records are queued."""
    if not records:
        return []
    reasons: dict[str, list[str]] = {}
    # the confidence step's flag already gives the model's confidence in the label
    said = {e.record_id for e in audit if e.action == "flag" and e.reason == "low_confidence"}
    for entry in audit:
        if entry.action == "flag":
            score = "" if entry.score is None else f" ({entry.score:.2f})"
            reasons.setdefault(entry.record_id, []).append(f"{entry.step}: {entry.reason}{score}")
    if not ctx.task.has_labels:
        return [
            queue_entry(r, reasons[r.id])
            for r in sorted(records, key=lambda r: r.id)
            if r.id in reasons
        ]
    cv = cross_val_proba(records, ctx, folds=folds)
    given = cv.given([r.label for r in records])
    judged = cv.judged_mask()
    # least confident first; records no fold model judged (a label with fewer than 2
    # records) have no confidence to rank by, and come after, in id order
    order = sorted(range(len(records)), key=lambda i: (not judged[i], given[i], records[i].id))
    rank = {i: k for k, i in enumerate(order)}
    least = set(order[:size])  # a set: `i in order[:size]` per entry was quadratic
    picked = [i for i in order if records[i].id in reasons]
    picked += [i for i in order[:size] if records[i].id not in reasons]
    picked.sort(key=rank.__getitem__)
    queue = []
    for i in picked:
        r = records[i]
        why = reasons.get(r.id, [])
        if i in least and r.id not in said:
            why = [
                *why,
                f"low model confidence in its label ({given[i]:.2f})"
                if judged[i]
                else "no model opinion (cross-validation needs 2 records of every label)",
            ]
        if judged[i]:
            opinion = (cv.predicted[i], round(float(cv.top[i]), 4), round(float(given[i]), 4))
            queue.append(queue_entry(r, why, *opinion))
        else:
            queue.append(queue_entry(r, why))
    return queue
