"""MinHash signatures estimate Jaccard similarity; LSH finds planted near duplicates."""

import random

import numpy as np
import pytest

from synthloop.compute import minhash


def jaccard(a: str, b: str, ngram: int = 3) -> float:
    sa, sb = set(minhash.word_shingles(ngram)(a)), set(minhash.word_shingles(ngram)(b))
    return len(sa & sb) / len(sa | sb)


def test_signature_agreement_estimates_jaccard() -> None:
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(500)]
    errors = []
    for _ in range(100):
        a = [rng.choice(vocab) for _ in range(30)]
        b = list(a)
        for _ in range(rng.randint(0, 12)):
            b[rng.randrange(30)] = rng.choice(vocab)
        sigs = minhash.signatures([" ".join(a), " ".join(b)], num_perm=128)
        errors.append((sigs[0] == sigs[1]).mean() - jaccard(" ".join(a), " ".join(b)))
    assert abs(np.mean(errors)) < 0.02  # unbiased
    assert np.std(errors) < 0.06  # ~ sqrt(J(1-J)/128)


def test_signatures_are_deterministic_per_seed_and_rowwise() -> None:
    texts = ["one two three four", "five six seven eight nine", "ten"]
    a = minhash.signatures(texts, seed=3)
    assert a.shape == (3, 128) and a.dtype == np.uint32
    assert np.array_equal(a, minhash.signatures(texts, seed=3))
    assert not np.array_equal(a, minhash.signatures(texts, seed=4))
    # a row depends only on its own text, so shards can be hashed apart and stacked
    assert np.array_equal(a[1:], minhash.signatures(texts[1:], seed=3))


def test_lsh_params_fit_the_budget_and_move_with_the_threshold() -> None:
    b_hi, r_hi = minhash.lsh_params(0.9, 128)
    b_lo, r_lo = minhash.lsh_params(0.3, 128)
    assert b_hi * r_hi <= 128 and b_lo * r_lo <= 128
    assert r_hi > r_lo  # a stricter threshold needs longer bands
    with pytest.raises(ValueError):
        minhash.lsh_params(1.5, 128)


def test_near_duplicates_finds_planted_copies_and_keeps_the_first() -> None:
    rng = random.Random(1)
    vocab = [f"tok{i}" for i in range(3000)]
    base = [[rng.choice(vocab) for _ in range(20)] for _ in range(300)]
    texts = [" ".join(t) for t in base]
    planted: dict[int, int] = {}
    # one changed word in 20: Jaccard of the 3-gram sets is 0.71-0.9, well above 0.5
    for i in range(0, 300, 10):
        copy = list(base[i])
        copy[rng.randrange(20)] = "changed"
        planted[len(texts)] = i
        texts.append(" ".join(copy))
    result = minhash.near_duplicates(texts, threshold=0.5)
    dropped = set(np.flatnonzero(result.drop))
    assert dropped == set(planted)
    for dup, original in planted.items():
        assert result.duplicate_of[dup] == original
        assert result.similarity[dup] >= 0.5


def test_reference_texts_mark_leaks_and_are_never_dropped() -> None:
    texts = [
        "an utterly charming film with a wonderful cast and a clever script",
        "the soup was cold and the waiter never came back to our table",
        "",
    ]
    test_set = ["an utterly charming film with a wonderful cast and a clever script ."]
    result = minhash.near_duplicates(texts, threshold=0.7, reference_texts=test_set)
    assert result.reference_of.tolist() == [0, -1, -1]
    assert result.duplicate_of.tolist() == [-1, -1, -1]
    assert result.drop.tolist() == [True, False, False]  # empty text is never a duplicate


def test_big_buckets_of_identical_texts_collapse_to_one() -> None:
    texts = ["same words in the same order every time"] * 100 + ["something else entirely here"]
    result = minhash.near_duplicates(texts, threshold=0.8)
    assert result.drop.sum() == 99 and not result.drop[0] and not result.drop[-1]
