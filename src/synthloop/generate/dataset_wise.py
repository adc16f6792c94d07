"""Dataset-wise generation: the dataset is built in rounds, and each round's plan comes
from what the data so far lacks.

Before each round after the first, every planned variable — the label, each condition
scope, the concept-tree leaf — is weighted by its deficit: how far its count falls short
of an even share (or of its declared weight) once the round is added. The records so far
are then clustered by sentence embedding; values whose records sit mostly in over-full
clusters (more than ``crowd_factor`` times the mean size) are damped, so the next round
moves away from what the data already repeats. Coverage and diversity grow round by round.

Pair and QA tasks keep real inputs: the anchors (premises, passages with answers) are
spread over the rounds in order, so no round reuses a premise while others wait. QA labels
are answers fixed by their anchors, so only the leaves and scope values are steered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthloop.core.inorder import InOrder
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.anchors import Anchor
from synthloop.generate.common import Generation, Plan, run_plan
from synthloop.generate.conditional import ConditionPlan, Steering, conditional_plan
from synthloop.generate.demos import DemoSelector, Embed, _default_embed
from synthloop.llm import LLM
from synthloop.prompts import Prompter

#: a value whose records all sit in over-full clusters keeps this share of its weight
CROWD_DAMPING = 0.25
_FLOOR = 0.05  # of a value's even share: nothing becomes impossible


def deficit_weights(counts: Sequence[float], shares: Sequence[float], next_n: int) -> list[float]:
    """Weights that fill each value towards its target share of (current + next_n)."""
    total = sum(counts) + next_n
    return [
        max(share * total - count, 0.0) + _FLOOR * share * max(next_n, 1)
        for count, share in zip(counts, shares, strict=True)
    ]


def crowded_mask(vectors: np.ndarray, clusters: int, crowd_factor: float, seed: int) -> np.ndarray:
    """True for each record that lies in an over-full k-means cluster."""
    n = len(vectors)
    k = min(clusters, n // 3)
    if k < 2:
        return np.zeros(n, dtype=bool)
    from sklearn.cluster import KMeans

    assign = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(vectors)
    sizes = np.bincount(assign, minlength=k)
    return np.asarray(sizes[assign] > crowd_factor * n / k)


@dataclass
class Lacking:
    """What a round is steered towards, and why (for the report)."""

    steering: Steering
    report: dict[str, Any] = field(default_factory=dict)


def _damped(
    values: Sequence[str], of_record: Sequence[str | None], crowded: np.ndarray
) -> list[float]:
    """Per value, 1 - (1 - CROWD_DAMPING) * (share of its records in crowded clusters)."""
    total: Counter[str] = Counter()
    hot: Counter[str] = Counter()
    for v, c in zip(of_record, crowded, strict=True):
        if v is not None:
            total[v] += 1
            hot[v] += int(c)
    return [1 - (1 - CROWD_DAMPING) * (hot[v] / total[v] if total[v] else 0.0) for v in values]


def what_is_lacking(
    records: Sequence[Record],
    task: Task,
    plan: ConditionPlan,
    next_n: int,
    *,
    clusters: int = 8,
    crowd_factor: float = 1.5,
    embed: Embed | None = None,
    seed: int = 0,
) -> Lacking:
    embed = embed or _default_embed
    crowded = crowded_mask(
        np.asarray(embed([task.joined_text(r) for r in records]), dtype=np.float32),
        clusters,
        crowd_factor,
        seed,
    )
    report: dict[str, Any] = {"crowded_records": int(crowded.sum()), "records": len(records)}

    label_w: list[float] | None = None
    if task.has_labels:  # a QA label is its anchor's answer: nothing to steer
        labels = task.label_names
        of_label = [r.label for r in records]
        counts = Counter(of_label)
        shares = [1 / len(labels)] * len(labels)
        label_w = deficit_weights([counts[x] for x in labels], shares, next_n)
        label_w = [w * d for w, d in zip(label_w, _damped(labels, of_label, crowded), strict=True)]
        report["label_weights"] = dict(zip(labels, np.round(label_w, 2).tolist(), strict=True))

    leaf_w: list[float] | None = None
    if plan.leaves:
        names = ["/".join(leaf) for leaf in plan.leaves]
        of_leaf = ["/".join(r.extra["leaf"]) if r.extra.get("leaf") else None for r in records]
        counts = Counter(x for x in of_leaf if x is not None)
        leaf_w = deficit_weights([counts[x] for x in names], [1 / len(names)] * len(names), next_n)
        leaf_w = [w * d for w, d in zip(leaf_w, _damped(names, of_leaf, crowded), strict=True)]
        report["empty_leaves"] = sum(1 for x in names if counts[x] == 0)

    boost: dict[str, dict[str, float]] | None = None
    if plan.scopes is not None:
        boost = {}
        for key in plan.scopes.keys:
            declared = plan.scopes.weights[key]
            values = list(declared)
            total_w = sum(declared.values())
            of_value = [
                str(r.extra.get("conditions", {}).get(key))
                if r.extra.get("conditions", {}).get(key) is not None
                else None
                for r in records
            ]
            counts = Counter(x for x in of_value if x is not None)
            want = deficit_weights(
                [counts[v] for v in values], [declared[v] / total_w for v in values], next_n
            )
            damp = _damped(values, of_value, crowded)
            # the sampler multiplies declared weights by the boost
            boost[key] = {
                v: (w * d / declared[v]) if declared[v] > 0 else 0.0
                for v, w, d in zip(values, want, damp, strict=True)
            }
        report["unused_values"] = {
            k: [
                v
                for v in plan.scopes.values(k)
                if not any((r.extra.get("conditions") or {}).get(k) == v for r in records)
            ]
            for k in plan.scopes.keys
        }
    return Lacking(Steering(label_weights=label_w, leaf_weights=leaf_w, boost=boost), report)


@dataclass
class DatasetWiseResult:
    generation: Generation
    rounds: list[dict[str, Any]]


def split_evenly(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def _shifted(anchors: Sequence[Anchor], offset: int, size: int) -> Sequence[Anchor]:
    """``size`` anchors from call ``offset`` on, made as asked for."""
    return InOrder(size, (anchors[(offset + j) % len(anchors)] for j in range(size)))


def dataset_wise_plan(
    prompter: Prompter,
    n: int,
    *,
    rounds: int = 3,
    plan: ConditionPlan | None = None,
    demos: DemoSelector | None = None,
    seed: int = 0,
    clusters: int = 8,
    crowd_factor: float = 1.5,
    embed: Embed | None = None,
    method: str = "dataset-wise",
    template: str = "zerogen",
    on_round: Callable[[int, Generation], None] | None = None,
    anchors: Sequence[Anchor] | None = None,
) -> Plan[DatasetWiseResult]:
    """``n`` calls over ``rounds`` rounds; the first is planned evenly, each later one from
    what the records so far lack. Duplicates of earlier rounds are dropped. Pair/QA tasks
    need ``anchors``; call ``i`` overall keeps ``anchors[i % len(anchors)]``."""
    plan = plan or ConditionPlan()
    total = Generation(records=[], calls=0)
    seen: set[str] = set()
    report: list[dict[str, Any]] = []
    offset = 0
    for r, size in enumerate(split_evenly(n, rounds)):
        if size == 0:
            continue
        round_anchors = _shifted(anchors, offset, size) if anchors else None
        offset += size
        lacking = (
            what_is_lacking(
                total.records,
                prompter.task,
                plan,
                size,
                clusters=clusters,
                crowd_factor=crowd_factor,
                embed=embed,
                seed=seed,
            )
            if total.records
            else None
        )
        gen = yield from conditional_plan(
            prompter,
            size,
            plan=plan,
            demos=demos,
            seed=seed,
            round=r,
            method=method,
            template=template,
            steering=lacking.steering if lacking else None,
            anchors=round_anchors,
            calls_left=n - offset,  # the later rounds'
        )
        total.calls += gen.calls
        total.dropped.update(gen.dropped)
        added = []
        for rec in gen.records:
            key = " ".join(prompter.task.joined_text(rec).lower().split())
            if key in seen:
                total.dropped["duplicate"] += 1
                continue
            seen.add(key)
            added.append(rec)
        total.records.extend(added)
        report.append(
            {
                "round": r,
                "calls": gen.calls,
                "kept": len(added),
                **(lacking.report if lacking else {}),
            }
        )
        if on_round is not None:
            on_round(r, gen)
    return DatasetWiseResult(total, report)


async def dataset_wise(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    show_progress: bool = True,
    **options: Any,
) -> DatasetWiseResult:
    """Run :func:`dataset_wise_plan` against ``llm`` (the same options)."""
    plan = dataset_wise_plan(prompter, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
