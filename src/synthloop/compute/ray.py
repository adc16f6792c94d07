"""`--runner ray` for curation, evaluation and the S3 rounds: the :class:`~synthloop.compute.local.
Compute` seam answered by Ray Data (:mod:`synthloop.compute.ray_data`), on the run's cluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from synthloop.compute import ray_data as data
from synthloop.distributed.cluster import RayCluster

if TYPE_CHECKING:
    from synthloop.compute.minhash import NearDuplicates
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task
    from synthloop.learners import Predictor
    from synthloop.learners.crossval import CrossVal


class RayCompute:
    """Near duplicates, embeddings, cross-validation folds and predictions on Ray; the
    cluster is joined on first use."""

    name = "ray"

    def __init__(self, cluster: RayCluster | None = None, *, shards: int | None = None) -> None:
        self.cluster = cluster or RayCluster()
        self.shards = shards

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
        self.cluster.connect()
        return data.near_duplicates(
            texts,
            threshold=threshold,
            num_perm=num_perm,
            ngram=ngram,
            seed=seed,
            reference_texts=reference_texts,
            shards=self.shards,
        )

    def embed(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        self.cluster.connect()
        return data.embed(texts)

    def cross_val_proba(
        self, records: Sequence[Record], task: Task, *, learner: str | None, folds: int, seed: int
    ) -> CrossVal:
        self.cluster.connect()
        return data.cross_val_confidence(records, task, learner=learner, folds=folds, seed=seed)

    def predict(self, model: Predictor, inputs: Sequence[Any]) -> list[Any]:
        self.cluster.connect()
        return data.predict(model, inputs, shards=self.shards)
