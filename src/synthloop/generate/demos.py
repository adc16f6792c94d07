"""In-context demonstrations: k real examples per prompt, chosen at random or by embedding
similarity (all-MiniLM-L6-v2) to the prompt's condition or to the error being
extrapolated. The prompt's token budget is applied when the prompt is composed
(:meth:`synthloop.prompts.Prompter.compose`), which drops demonstrations that overflow."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.prompts import Demo

Embed = Callable[[Sequence[str]], np.ndarray]


def _default_embed(texts: Sequence[str]) -> np.ndarray:
    from synthloop.core.embeddings import embed

    return embed(texts)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class DemoPool:
    """Real labelled records to draw demonstrations from; embedded once, on first need."""

    def __init__(self, records: Sequence[Record], task: Task, *, embed: Embed | None = None):
        if not records:
            raise ConfigError("the demonstration pool is empty")
        self.records = list(records)
        self.task = task
        self.embed = embed or _default_embed
        self._texts = [task.joined_text(r) for r in self.records]
        self._vectors: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = np.asarray(self.embed(self._texts), dtype=np.float32)
        return self._vectors

    def _candidates(
        self, label: str | None, exclude_ids: Collection[str], exclude_text: str | None
    ) -> list[int]:
        banned = _norm(exclude_text) if exclude_text else None
        return [
            i
            for i, r in enumerate(self.records)
            if (label is None or r.label == label)
            and r.id not in exclude_ids
            and (banned is None or _norm(self._texts[i]) != banned)
        ]

    def random(
        self,
        k: int,
        rng: random.Random,
        *,
        label: str | None = None,
        exclude_ids: Collection[str] = (),
    ) -> list[Record]:
        idx = self._candidates(label, exclude_ids, None)
        return [self.records[i] for i in rng.sample(idx, min(k, len(idx)))]

    def similar(
        self,
        query: str,
        k: int,
        *,
        label: str | None = None,
        exclude_ids: Collection[str] = (),
        exclude_text: str | None = None,
    ) -> list[Record]:
        """The ``k`` records most similar to ``query`` (cosine of MiniLM vectors), most
        similar first; ``exclude_text`` leaves out verbatim copies of the query's source."""
        idx = self._candidates(label, exclude_ids, exclude_text)
        if not idx:
            return []
        q = np.asarray(self.embed([query]), dtype=np.float32)[0]
        sims = self.vectors[idx] @ q
        order = np.argsort(-sims, kind="stable")[:k]
        return [self.records[idx[j]] for j in order]


@dataclass
class DemoSelector:
    """How a generator picks demonstrations from a pool."""

    pool: DemoPool
    k: int = 2
    select: Literal["random", "similar"] = "similar"
    same_label: bool = True
    max_prompt_tokens: int | None = None  # the prompt budget; overflowing demos are dropped

    def for_condition(
        self,
        label: str,
        conditions: Mapping[str, str],
        rng: random.Random,
        *,
        fixed: Mapping[str, str] | None = None,
    ) -> list[Demo]:
        """Demonstrations for one example of ``label`` under ``conditions``: random, or
        those most similar to the condition's values (the label's description when there
        is no condition).

        ``fixed`` are the real inputs a pair/QA example keeps (its premise or passage):
        they join the similarity query, and real records with the same kept inputs are
        never shown (their hypothesis or question would be there to copy). A QA label is
        an answer, not a class, so ``same_label`` does not apply to QA."""
        task = self.pool.task
        wanted = label if self.same_label and task.has_labels else None
        fixed = dict(fixed or {})
        banned = self._same_kept(fixed)
        if self.select == "random":
            picked = self.pool.random(self.k, rng, label=wanted, exclude_ids=banned)
        else:
            parts = [*conditions.values(), *fixed.values()]
            query = ", ".join(parts) or task.labels.get(label, label)
            picked = self.pool.similar(
                f"{task.example_noun}: {query}", self.k, label=wanted, exclude_ids=banned
            )
        return [Demo.from_record(r, task) for r in picked]

    def _same_kept(self, fixed: Mapping[str, str]) -> set[str]:
        if not fixed:
            return set()
        return {
            r.id
            for r in self.pool.records
            if all(r.inputs.get(f) == text for f, text in fixed.items())
        }

    def neighbours(self, record: Record, k: int | None = None) -> list[Demo]:
        """Real examples most similar to ``record`` (an error being extrapolated), itself
        and verbatim copies of it excluded, most similar first."""
        task = self.pool.task
        text = task.joined_text(record)
        picked = self.pool.similar(
            text,
            self.k if k is None else k,
            label=record.label if self.same_label else None,
            exclude_ids={record.id},
            exclude_text=text,
        )
        return [Demo.from_record(r, task) for r in picked]
