"""Curation and evaluation on Ray Data give the single-process answers."""

from __future__ import annotations

import numpy as np
import pytest

from synthloop.compute import minhash
from synthloop.compute import ray_data as data
from synthloop.core.embeddings import embed
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate.base import CurateContext
from synthloop.curate.crossval import cross_val_proba
from synthloop.evaluate import fit_on, score
from tests.conftest import labelled_rows
from tests.task_fakes import pair_task, premise_pairs

pytestmark = pytest.mark.usefixtures("local_ray")


def corpus(n: int, seed: int = 0) -> list[str]:
    """Random sentences, with near copies (one word changed) planted far apart."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(400)]
    texts = [" ".join(rng.choice(vocab, size=int(rng.integers(12, 20)))) for _ in range(n)]
    for k in range(0, n // 2, 7):
        words = texts[k].split()
        words[-1] = "changed"
        texts[n - 1 - k] = " ".join(words)  # same text in another shard, one word off
        texts[k + 1] = texts[k]  # an exact copy in the same shard
    texts[3] = ""  # no shingles: pairs with nothing
    texts[5] = ""
    return texts


def test_near_duplicates_across_shards_match_the_single_process_path() -> None:
    texts = corpus(600)
    # reference texts (a test set): one copied 40 times (a bucket too big for all its
    # pairs, whose star must be centred on the reference), one near copy
    references = [texts[100], "a reference text that nothing in the corpus resembles at all"]
    texts[200:240] = [texts[100]] * 40
    words = texts[300].split()
    references.append(" ".join([*words[:-1], "other"]))
    local = minhash.near_duplicates(texts, threshold=0.7, num_perm=64, reference_texts=references)
    sharded = data.near_duplicates(
        texts, threshold=0.7, num_perm=64, reference_texts=references, shards=4
    )
    assert local.drop.sum() > 60  # the planted copies are found...
    np.testing.assert_array_equal(sharded.duplicate_of, local.duplicate_of)  # ...by both
    np.testing.assert_array_equal(sharded.reference_of, local.reference_of)
    np.testing.assert_array_equal(sharded.pairs, local.pairs)
    np.testing.assert_allclose(sharded.similarity, local.similarity)
    assert (local.reference_of[200:240] == 0).all() and local.reference_of[300] == 2
    assert not sharded.drop[3] and not sharded.drop[5]


def records(task: Task, n: int) -> list[Record]:
    return [
        Record(id=f"r{i}", inputs={"text": row["text"]}, label=row["label"])
        for i, row in enumerate(labelled_rows(n))
    ]


def test_confidence_and_evaluation_match_the_single_process_path(task: Task) -> None:
    recs = records(task, 40)
    ctx = CurateContext(task, seed=3)
    local = cross_val_proba(recs, ctx, folds=4)
    remote = data.cross_val_confidence(recs, task, folds=4, seed=3)
    np.testing.assert_allclose(remote.proba, local.proba)
    assert remote.classes == local.classes
    np.testing.assert_array_equal(remote.judged_mask(), local.judged_mask())

    model = fit_on(recs[:30], task)
    assert data.score(model, recs[30:], task, shards=3) == score(model, recs[30:], task)


def test_confidence_on_a_pair_task_keeps_a_premise_in_one_fold_as_locally() -> None:
    task = pair_task()
    recs = premise_pairs(task, lambda _label, rng: f"Note {rng.randrange(10**6)}.")
    local = cross_val_proba(recs, CurateContext(task, seed=3), folds=4)
    remote = data.cross_val_confidence(recs, task, folds=4, seed=3)
    np.testing.assert_allclose(remote.proba, local.proba)
    # a premise's sibling hypotheses were in no fold's training part: no opinion
    np.testing.assert_allclose(remote.given([r.label for r in recs]), 0.5)


def test_embeddings_on_ray_data_match_local_ones() -> None:
    texts = [f"the soup was {w} and the bread {v}" for w in ("cold", "hot") for v in "abcde"]
    np.testing.assert_allclose(data.embed(texts, batch_size=4), embed(texts), atol=1e-5)
