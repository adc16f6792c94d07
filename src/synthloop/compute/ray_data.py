"""Curation and evaluation over sharded data with Ray Data.

Each function gives the same answer as its single-process counterpart (tests check it);
what runs where:

* **near duplicates** (``synthloop.compute.minhash``), within the texts and against
  reference texts (leaks): shingling, MinHash signatures and LSH band keys are computed per
  shard (``map_batches``); band keys are hash-shuffled across
  shards (``repartition(keys=...)``) so that every bucket lands whole in one partition,
  which emits its candidate pairs. Only the candidate pairs, and the signatures of the
  texts in them, come back to the driver, which verifies them (estimated Jaccard) and
  joins them into clusters: a graph over the duplicates, not over the corpus.
* **embeddings** (``synthloop.core.embeddings``): an actor pool, one MiniLM per actor.
* **confidence**: the k cross-validation folds are trained in parallel Ray tasks, each
  scoring its held-out part (as ``curate.crossval.cross_val_proba`` does in one process).
* **evaluation** (and the S3 rounds' scoring): a fitted small model travels with the map
  function; shards of real data are predicted in ``map_batches``; the driver only counts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from synthloop.compute import minhash
from synthloop.core.records import Record
from synthloop.core.tasks import LearnerInput, Task
from synthloop.core.tasktype import Scores
from synthloop.distributed.cluster import import_ray
from synthloop.learners import Predictor
from synthloop.learners.crossval import CrossVal, fold_proba, record_folds

_EMPTY = np.iinfo(np.uint32).max
# Band keys from different bands must never meet in one bucket.
_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)


def _shards(n: int, shards: int | None) -> int:
    ray = import_ray()
    # Ray Data narrates every execution at INFO on stderr; our callers have their own output.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return max(1, min(n, shards or 2 * cpus))


def _text_dataset(texts: Sequence[str], shards: int) -> Any:
    import pyarrow as pa

    ray = import_ray()
    table = pa.table({"idx": np.arange(len(texts), dtype=np.int64), "text": list(texts)})
    step = -(-len(texts) // shards)
    return ray.data.from_arrow([table.slice(i, step) for i in range(0, len(texts), step)])


def _signature_batch(
    batch: dict[str, np.ndarray], *, num_perm: int, ngram: int, seed: int
) -> dict[str, np.ndarray]:
    sigs = minhash.signatures(list(batch["text"]), num_perm=num_perm, ngram=ngram, seed=seed)
    return {"idx": batch["idx"], "sig": sigs}


def _band_batch(batch: dict[str, np.ndarray], *, bands: int, rows: int) -> dict[str, np.ndarray]:
    sigs = np.asarray(batch["sig"], dtype=np.uint32)
    keep = ~(sigs == _EMPTY).all(axis=1)  # a text with no shingle pairs with nothing
    keys = minhash.band_keys(sigs[keep], bands, rows)
    keys ^= np.arange(bands, dtype=np.uint64)[None, :] * _BAND_SALT
    idx = np.repeat(np.asarray(batch["idx"])[keep], bands)
    return {"key": keys.ravel(), "idx": idx}


def _bucket_pairs(batch: dict[str, np.ndarray], *, first_reference: int) -> dict[str, np.ndarray]:
    """Candidate pairs of one partition's buckets: all pairs of a small bucket, a star for
    a big one, centred on a reference text if it holds one, else on its lowest index (as
    ``minhash.candidate_pairs`` does)."""
    keys, idx = np.asarray(batch["key"]), np.asarray(batch["idx"], dtype=np.int64)
    if len(keys) < 2:
        return {"i": np.zeros(0, np.int64), "j": np.zeros(0, np.int64)}
    priority = np.where(idx >= first_reference, -1, 0)
    order = np.lexsort((idx, priority, keys))
    sk, si = keys[order], idx[order]
    new = np.ones(len(sk), dtype=bool)
    new[1:] = sk[1:] != sk[:-1]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(sk)))
    found = [np.zeros((0, 2), np.int64)]
    for size in np.unique(sizes[sizes > 1]):
        members = si[starts[sizes == size][:, None] + np.arange(size)[None, :]]
        if size <= minhash._MAX_BUCKET_PAIRS:
            iu, ju = np.triu_indices(int(size), k=1)
            found.append(np.stack([members[:, iu].ravel(), members[:, ju].ravel()], axis=1))
        else:
            centre = np.repeat(members[:, :1], size - 1, axis=1)
            found.append(np.stack([centre.ravel(), members[:, 1:].ravel()], axis=1))
    pairs = np.sort(np.concatenate(found), axis=1)
    return {"i": pairs[:, 0], "j": pairs[:, 1]}


def _only(batch: dict[str, np.ndarray], *, members: np.ndarray) -> dict[str, np.ndarray]:
    keep = np.isin(np.asarray(batch["idx"]), members)
    return {"idx": batch["idx"][keep], "sig": batch["sig"][keep]}


def near_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 3,
    seed: int = 1,
    reference_texts: Sequence[str] = (),
    shards: int | None = None,
) -> minhash.NearDuplicates:
    """:func:`synthloop.compute.minhash.near_duplicates` across Ray Data shards: the texts
    and the reference texts (e.g. validation and test, for leaks) are sharded together."""
    n_texts = len(texts)
    n_reference = len(reference_texts)
    n = n_texts + n_reference
    bands, rows = minhash.lsh_params(threshold, num_perm)
    if n_texts == 0:
        return minhash.near_duplicates_from_signatures(
            np.zeros((0, num_perm), np.uint32), threshold
        )
    parts = _shards(n, shards)
    sigs_ds = (
        _text_dataset([*texts, *reference_texts], parts)
        .map_batches(
            _signature_batch,
            batch_format="numpy",
            batch_size=None,
            fn_kwargs={"num_perm": num_perm, "ngram": ngram, "seed": seed},
        )
        .materialize()
    )
    pairs_ds = (
        sigs_ds.map_batches(
            _band_batch,
            batch_format="numpy",
            batch_size=None,
            fn_kwargs={"bands": bands, "rows": rows},
        )
        .repartition(parts, keys=["key"])
        .map_batches(
            _bucket_pairs,
            batch_format="numpy",
            batch_size=None,
            fn_kwargs={"first_reference": n_texts},
        )
    )
    found = [
        np.stack([b["i"], b["j"]], axis=1) for b in pairs_ds.iter_batches(batch_format="numpy")
    ]
    pairs = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
    if len(pairs):
        flat = np.unique(pairs[:, 0] * n + pairs[:, 1])
        pairs = np.stack([flat // n, flat % n], axis=1)
    # Signatures come back only for texts in a candidate pair, picked where they lie.
    members = np.unique(pairs)
    sigs = np.zeros((n, num_perm), dtype=np.uint32)
    if len(members):
        ray = import_ray()
        pick = ray.remote(_only)
        wanted = ray.put(members)
        picked = [pick.remote(block, members=wanted) for block in sigs_ds.to_numpy_refs()]
        for batch in ray.get(picked):
            sigs[np.asarray(batch["idx"], dtype=np.int64)] = batch["sig"]
    sims = minhash.estimated_jaccard(sigs, pairs)
    keep = sims >= threshold
    pairs, sims = pairs[keep], sims[keep]
    best = np.zeros(n, dtype=np.float32)
    if len(pairs):
        np.maximum.at(best, pairs[:, 0], sims)
        np.maximum.at(best, pairs[:, 1], sims)
    duplicate_of, reference_of = minhash.clusters(pairs, n, n_reference=n_reference)
    return minhash.NearDuplicates(
        duplicate_of=duplicate_of,
        reference_of=reference_of,
        similarity=best[:n_texts],
        pairs=pairs,
    )


class _Embedder:
    """A Ray Data actor holding one sentence-embedding model."""

    def __init__(self) -> None:
        from synthloop.core.embeddings import Embedder

        self.embedder = Embedder()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"idx": batch["idx"], "vec": self.embedder.encode(list(batch["text"]))}


def embed(texts: Sequence[str], *, batch_size: int = 256, workers: int | None = None) -> np.ndarray:
    """:func:`synthloop.core.embeddings.embed` across Ray Data shards: ``(n, 384)`` float32.

    ``workers`` model-holding actors (default: one per 4 CPUs of the cluster, at least one:
    each model's matrix products use several cores)."""
    from synthloop.core.embeddings import DIM

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    ray = import_ray()
    parts = _shards(len(texts), None)
    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // 4)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    ds = _text_dataset(texts, parts).map_batches(
        _Embedder,
        batch_format="numpy",
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
    )
    for batch in ds.iter_batches(batch_format="numpy"):
        out[np.asarray(batch["idx"], dtype=np.int64)] = batch["vec"]
    return out


def cross_val_confidence(
    records: Sequence[Record],
    task: Task,
    *,
    learner: str | None = "tfidf_lr",
    folds: int = 5,
    seed: int = 0,
) -> CrossVal:
    """``curate.crossval.cross_val_proba`` with its folds trained in parallel on Ray."""
    ray = import_ray()
    classes = list(task.label_names)
    proba = np.full((len(records), len(classes)), 1.0 / len(classes))
    remote = ray.remote(fold_proba)
    task_ref = ray.put(task)
    jobs = []
    for train_idx, test_idx in record_folds(records, folds, seed, together=task.kept_fields):
        train = [records[i] for i in train_idx]
        held_out = [records[i] for i in test_idx]
        jobs.append((test_idx, remote.remote(train, held_out, task_ref, learner, classes)))
    judged = np.zeros(len(records), dtype=bool)
    for test_idx, ref in jobs:
        proba[test_idx] = ray.get(ref)
        judged[test_idx] = True
    return CrossVal(classes, proba, judged)


def _predict_batch(batch: dict[str, np.ndarray], *, model: Predictor) -> dict[str, np.ndarray]:
    inputs = [x if isinstance(x, str) else tuple(x) for x in batch["input"]]
    pred = np.empty(len(inputs), dtype=object)
    pred[:] = list(model.predict(inputs))
    return {"idx": batch["idx"], "pred": pred}


def predict(
    model: Predictor, inputs: Sequence[LearnerInput], *, shards: int | None = None
) -> list[Any]:
    """``model.predict(inputs)``, the model broadcast once and the inputs sharded."""
    import pyarrow as pa

    if not inputs:
        return []
    ray = import_ray()
    column = list(inputs) if all(isinstance(x, str) for x in inputs) else [list(x) for x in inputs]
    table = pa.table({"idx": np.arange(len(inputs), dtype=np.int64), "input": column})
    parts = _shards(len(inputs), shards)
    step = -(-len(inputs) // parts)
    ds = ray.data.from_arrow([table.slice(i, step) for i in range(0, len(inputs), step)])
    preds: list[Any] = [None] * len(inputs)
    scored = ds.map_batches(
        _predict_batch,
        batch_format="numpy",
        batch_size=None,
        fn_kwargs={"model": model},
    )
    for batch in scored.iter_batches(batch_format="numpy"):
        for i, p in zip(np.asarray(batch["idx"], dtype=np.int64), batch["pred"], strict=True):
            preds[int(i)] = p
    return preds


def score(
    model: Predictor, records: Sequence[Record], task: Task, *, shards: int | None = None
) -> Scores:
    """:func:`synthloop.evaluate.score` with predictions made across Ray Data shards."""
    pred = predict(model, [task.learner_input(r) for r in records], shards=shards)
    return task.spec.score(pred, records, task)
