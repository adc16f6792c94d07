"""Duplicates: exact (normalised text), near (MinHash LSH, a declared Jaccard threshold)
and semantic (embedding cosine) — within the synthetic set, and against the real
validation and test sets, so no evaluation example leaks into training data.

Within the set, the first record of each cluster is kept. A record that matches a
reference (real) record is dropped as a ``leak:SPLIT``.

A record a person dropped (an earlier ``human_review`` step) counts as a reference too:
near and semantic duplicates of it are dropped as ``copy_person_dropped`` (the person saw
it alone, its duplicates dropped), unless the person decided about them as well.

A pair or QA record keeps a real premise or passage by design: near duplicates are then
records with the same kept text whose written text (hypothesis, question) is near.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field

from synthloop.compute import minhash
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate.base import (
    CurateContext,
    Step,
    StepResult,
    apply_verdicts,
    is_human_checked,
)

_NON_WORD = re.compile(r"[\W_]+")
RealSplit = Literal["validation", "test"]
DEFAULT_AGAINST: tuple[RealSplit, ...] = ("validation", "test")
#: the real splits a dedup step checks for leaks: the names curate and the loop give them
#: (a misspelt one checked nothing, silently); one split may be named alone, not as a list
Against = Annotated[
    tuple[RealSplit, ...], BeforeValidator(lambda v: (v,) if isinstance(v, str) else v)
]


def normalise(text: str) -> str:
    """Case, accents' composition, punctuation and spacing do not make a text new.

    A text of no word characters (emoji, punctuation) is all symbols: they are its content,
    kept, so "👍" and "👎" stay apart. A blank text normalises to "" and is nobody's copy.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split()) or "".join(folded.split())


def _near_text(task: Task, record: Record) -> str:
    """What near-duplicate checks compare: the text the LLM wrote when the task keeps real
    inputs (many records share a premise or passage, and it would decide the match)."""
    return record.inputs[task.generated_field] if task.kept_fields else task.joined_text(record)


def _same_kept(task: Task, items: Sequence[Record], pairs: np.ndarray) -> np.ndarray:
    """The ``pairs`` (indices into ``items``) whose kept inputs are the same text."""
    if not task.kept_fields or not len(pairs):
        return pairs
    keys = [tuple(normalise(r.inputs[f]) for f in task.kept_fields) for r in items]
    same = np.array([keys[int(a)] == keys[int(b)] for a, b in pairs], dtype=bool)
    return pairs[same]


#: a reference "split" of the records a person dropped: their copies are dropped too
PERSON_DROPPED = "person_dropped"


def _references(
    ctx: CurateContext, against: Sequence[str], *, person_dropped: bool = True
) -> list[tuple[str, Record]]:
    """The real splits' records, then those a person dropped (a leak is named first)."""
    refs = [(split, r) for split in against for r in ctx.references.get(split, [])]
    return refs + [(PERSON_DROPPED, r) for r in ctx.person_dropped if person_dropped]


def _verdicts(
    records: Sequence[Record],
    refs: Sequence[tuple[str, Record]],
    duplicate_of: np.ndarray,
    reference_of: np.ndarray,
    scores: np.ndarray,
    kind: str,
) -> tuple[list[tuple[str, float] | None], list[dict[str, str]]]:
    verdicts: list[tuple[str, float] | None] = []
    details: list[dict[str, str]] = []
    kept_in: dict[int, int] = {}  # a person-dropped record's cluster: what a person kept
    for i in range(len(records)):
        split, ref = refs[int(reference_of[i])] if reference_of[i] >= 0 else ("", None)
        dup = int(duplicate_of[i])
        if split == PERSON_DROPPED and is_human_checked(records[i]):
            # the person's own word about it rules: the first such record is kept, a later
            # one is its duplicate (not a copy the person never saw, gone with theirs)
            first = kept_in.setdefault(int(reference_of[i]), i)
            ref, dup = None, -1 if first == i else first
        if ref is not None and split == PERSON_DROPPED:
            # the person never saw it: this step had dropped it as the dropped one's copy
            verdicts.append(("copy_person_dropped", float(scores[i])))
            details.append({"copy_of": ref.id})
        elif ref is not None:
            verdicts.append((f"leak:{split}", float(scores[i])))
            details.append({"matches": ref.id, "split": split})
        elif dup >= 0:
            verdicts.append((kind, float(scores[i])))
            details.append({"duplicate_of": records[dup].id})
        else:
            verdicts.append(None)
            details.append({})
    return verdicts, details


class ExactDedup(Step):
    """Drop records whose normalised text equals an earlier record's or a reference's."""

    name = "exact_dedup"
    against: Against = DEFAULT_AGAINST

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        # the person-dropped texts' exact copies went with them (human_review)
        refs = _references(ctx, self.against, person_dropped=False)
        ref_index: dict[str, int] = {}
        for j, (_, ref) in enumerate(refs):
            ref_index.setdefault(normalise(ctx.task.joined_text(ref)), j)
        ref_index.pop("", None)  # blank texts copy nothing: the length filter's to judge
        seen: dict[str, int] = {}
        n = len(records)
        duplicate_of = np.full(n, -1)
        reference_of = np.full(n, -1)
        for i, record in enumerate(records):
            key = normalise(ctx.task.joined_text(record))
            if not key:
                continue
            if key in ref_index:
                reference_of[i] = ref_index[key]
            elif key in seen:
                duplicate_of[i] = seen[key]
            else:
                seen[key] = i
        verdicts, details = _verdicts(
            records, refs, duplicate_of, reference_of, np.ones(n), "duplicate"
        )
        return apply_verdicts(self.name, "drop", records, verdicts, details)


class MinHashDedup(Step):
    """Drop near duplicates: estimated Jaccard of word n-gram shingles >= ``threshold``."""

    name = "minhash_dedup"
    threshold: float = Field(default=0.8, gt=0.0, lt=1.0)
    num_perm: int = Field(default=128, ge=16, le=1024)
    ngram: int = Field(default=3, ge=1, le=10)
    seed: int = 1
    against: Against = DEFAULT_AGAINST

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        refs = _references(ctx, self.against)
        task = ctx.task
        result = ctx.compute.near_duplicates(
            [_near_text(task, r) for r in records],
            threshold=self.threshold,
            num_perm=self.num_perm,
            ngram=self.ngram,
            seed=self.seed,
            reference_texts=[_near_text(task, r) for _, r in refs],
        )
        duplicate_of, reference_of = result.duplicate_of, result.reference_of
        if task.kept_fields:
            pairs = _same_kept(task, [*records, *(r for _, r in refs)], result.pairs)
            duplicate_of, reference_of = minhash.clusters(
                pairs, len(records) + len(refs), n_reference=len(refs)
            )
        verdicts, details = _verdicts(
            records, refs, duplicate_of, reference_of, result.similarity, "near_duplicate"
        )
        return apply_verdicts(self.name, "drop", records, verdicts, details)


class EmbeddingDedup(Step):
    """Drop semantic duplicates: cosine of MiniLM sentence embeddings >= ``threshold``."""

    name = "embed_dedup"
    threshold: float = Field(default=0.95, gt=0.0, le=1.0)
    against: Against = DEFAULT_AGAINST
    block: int = Field(default=2048, gt=0)

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        refs = _references(ctx, self.against)
        items = [*records, *(r for _, r in refs)]
        texts = [_near_text(ctx.task, r) for r in items]
        vectors = ctx.compute.embed(texts, show_progress=ctx.show_progress)
        n, total = len(records), len(texts)
        pairs: list[np.ndarray] = []
        best = np.zeros(n, dtype=np.float32)
        for lo in range(0, n, self.block):
            rows = np.arange(lo, min(lo + self.block, n))
            sims = vectors[rows] @ vectors.T  # unit vectors: dot = cosine
            sims[np.arange(len(rows)), rows] = -1.0  # not itself
            best[rows] = sims.max(axis=1) if total > 1 else 0.0
            i, j = np.nonzero(sims >= self.threshold)
            pairs.append(np.stack([rows[i], j], axis=1))
        edges = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)
        edges = _same_kept(ctx.task, items, edges)
        duplicate_of, reference_of = minhash.clusters(edges, total, n_reference=len(refs))
        verdicts, details = _verdicts(
            records, refs, duplicate_of, reference_of, best, "semantic_duplicate"
        )
        return apply_verdicts(self.name, "drop", records, verdicts, details)
