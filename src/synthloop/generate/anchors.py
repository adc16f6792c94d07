"""What generation for pair and QA tasks starts from: real inputs kept as they are.

A sentence-pair task keeps a real premise (or passage) and has the LLM write the
hypothesis (or question) for a target label; a QA task keeps a real passage and an answer
span in it and has the LLM write the question. An :class:`Anchor` is one such starting
point. Classification tasks have none: the LLM writes the whole example.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from synthloop.core.errors import DataError
from synthloop.core.inorder import InOrder
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task


@dataclass(frozen=True)
class Anchor:
    fixed: dict[str, str]  # kept input field -> real text
    label: str | None = None  # a fixed target (a QA answer); None: the labels in turn
    source_id: str | None = None  # the real record the kept text comes from
    extra: dict[str, Any] = field(default_factory=dict)


def seed_anchors(
    task: Task, records: Sequence[Record], n: int, *, seed: int = 0
) -> Sequence[Anchor]:
    """``n`` anchors drawn from real records' kept inputs (their labels are not used), each
    made when first asked for (an estimate of a huge n asks for the first few thousand).

    Passages are used in turn, shuffled, so n larger than the pool reuses each evenly;
    a QA anchor pairs a passage with a salient span of it (a name, a number, a year).
    """
    if not task.kept_fields:
        return []
    pool: dict[str, Record] = {}
    for r in records:  # one anchor source per distinct kept text
        pool.setdefault("\n".join(r.inputs[f] for f in task.kept_fields), r)
    sources = list(pool.values())
    if not sources:
        raise DataError("no real records to keep premises or passages from")
    return InOrder(n, _drawn(task, sources, derive_seed(seed, "anchors")))


def _drawn(task: Task, sources: list[Record], seed: int) -> Iterator[Anchor]:
    """Anchors from ``sources`` in turn, each pass shuffled, without end; a source that
    offers no target (a QA passage without a name, number or year) is skipped in every
    later pass, and only when none offers one is that an error."""
    rng = random.Random(seed)
    order: list[Record] = []
    barren: set[int] = set()  # id() of the sources that offered no target
    while True:
        if not order:
            order = sources[:]
            rng.shuffle(order)
        rec = order.pop()
        if id(rec) in barren:
            continue
        fixed = {f: rec.inputs[f] for f in task.kept_fields}
        try:  # a fixed target from these inputs (a QA answer span), or the labels in turn
            label = task.spec.anchor_label(task, fixed, rng)
        except LookupError as exc:  # these inputs offer none: the next, never this again
            barren.add(id(rec))
            if len(barren) == len(sources):
                raise DataError(str(exc)) from exc
            continue
        yield Anchor(fixed, label=label, source_id=rec.id)


def anchored_call(
    task: Task, anchors: Sequence[Anchor] | None, i: int
) -> tuple[dict[str, str], str]:
    """Call ``i``'s kept inputs and label: those of ``anchors[i % len(anchors)]`` (no inputs
    without anchors), its label the anchor's fixed one (a QA answer), else the task's labels
    in turn."""
    anchor = anchors[i % len(anchors)] if anchors else None
    fixed = anchor.fixed if anchor else {}
    if anchor is not None and anchor.label is not None:
        return fixed, anchor.label
    return fixed, task.label_names[i % len(task.labels)]


def anchor_provenance(anchors: Sequence[Anchor] | None, i: int) -> dict[str, str]:
    """Call ``i``'s record extra naming the real record its kept text comes from, so that
    held-out scoring never trains on it while scoring that record's fold."""
    anchor = anchors[i % len(anchors)] if anchors else None
    if anchor is None or anchor.source_id is None:
        return {}
    return {"anchor": anchor.source_id}


def anchor_variables(task: Task, fixed: dict[str, str]) -> dict[str, Any]:
    """Template variables for the kept inputs: each by its field name, and the first as
    ``kept`` / ``kept_name`` so one template serves every field naming."""
    if not task.kept_fields:
        return {}
    first = task.kept_fields[0]
    return {
        **fixed,
        "kept": fixed[first],
        "kept_name": first,
        "generated_name": task.generated_field,
    }
