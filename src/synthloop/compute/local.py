"""Where the heavy data work of curation and evaluation runs: the one seam behind `--runner`.

Curation steps, the evaluation and the S3 loop's rounds ask a :class:`Compute` for the four
things that grow with the data — near-duplicate clusters, sentence embeddings,
cross-validated label probabilities and a fitted small model's predictions — and do
everything else (decisions, audits, metrics) the same way whatever answered.
:class:`LocalCompute` is this process; ``synthloop.compute.ray.RayCompute`` gives
the same answers from Ray Data shards (``--runner ray``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from synthloop.compute.minhash import NearDuplicates
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task
    from synthloop.learners import Predictor
    from synthloop.learners.crossval import CrossVal


class Compute(Protocol):
    name: str

    def near_duplicates(
        self,
        texts: Sequence[str],
        *,
        threshold: float,
        num_perm: int,
        ngram: int,
        seed: int,
        reference_texts: Sequence[str] = (),
    ) -> NearDuplicates:
        """As :func:`synthloop.compute.minhash.near_duplicates`."""
        ...

    def embed(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Unit-norm MiniLM vectors ``(n, 384)``, as :func:`synthloop.core.embeddings.embed`."""
        ...

    def cross_val_proba(
        self, records: Sequence[Record], task: Task, *, learner: str | None, folds: int, seed: int
    ) -> CrossVal:
        """Each record's class probabilities from a model trained on the other folds."""
        ...

    def predict(self, model: Predictor, inputs: Sequence[Any]) -> list[Any]:
        """``model.predict(inputs)`` as a list."""
        ...


class LocalCompute:
    """Everything in this process (the default)."""

    name = "local"

    def near_duplicates(
        self,
        texts: Sequence[str],
        *,
        threshold: float,
        num_perm: int,
        ngram: int,
        seed: int,
        reference_texts: Sequence[str] = (),
    ) -> NearDuplicates:
        from synthloop.compute import minhash

        return minhash.near_duplicates(
            texts,
            threshold=threshold,
            num_perm=num_perm,
            ngram=ngram,
            seed=seed,
            reference_texts=reference_texts,
        )

    def embed(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        from synthloop.core.embeddings import embed

        return np.asarray(embed(texts, show_progress=show_progress), dtype=np.float32)

    def cross_val_proba(
        self, records: Sequence[Record], task: Task, *, learner: str | None, folds: int, seed: int
    ) -> CrossVal:
        from synthloop.learners.crossval import CrossVal, fold_proba, record_folds

        classes = list(task.label_names)
        proba = np.full((len(records), len(classes)), 1.0 / len(classes))
        judged = np.zeros(len(records), dtype=bool)
        # a pair task's premise stays in one fold: its sibling hypotheses give away no label
        for train_idx, test_idx in record_folds(records, folds, seed, together=task.kept_fields):
            train = [records[i] for i in train_idx]
            held_out = [records[i] for i in test_idx]
            proba[test_idx] = fold_proba(train, held_out, task, learner, classes)
            judged[test_idx] = True
        return CrossVal(classes, proba, judged)

    def predict(self, model: Predictor, inputs: Sequence[Any]) -> list[Any]:
        return list(model.predict(list(inputs)))


LOCAL = LocalCompute()
