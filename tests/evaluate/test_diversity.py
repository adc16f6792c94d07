"""Each diversity metric against a value worked out by hand on a tiny input."""

import gzip
import math

import numpy as np
import pytest

from synthloop.evaluate.diversity import (
    compression_ratio,
    distinct_n,
    lexical_diversity,
    mean_pairwise_cosine,
    ngram_entropy,
    sample_indices,
    self_bleu,
    vendi_score,
    vocabulary_size,
)
from synthloop.evaluate.text import tokenize

TOKENS = [["a", "b", "a"], ["a", "c"]]


def test_tokenize_lowercases_and_splits_punctuation() -> None:
    assert tokenize("Great film, GREAT cast!") == ["great", "film", ",", "great", "cast", "!"]


def test_vocabulary_and_distinct_n() -> None:
    assert vocabulary_size(TOKENS) == 3  # a, b, c
    assert distinct_n(TOKENS, 1) == pytest.approx(3 / 5)  # a b a a c: 3 unique of 5
    assert distinct_n(TOKENS, 2) == pytest.approx(3 / 3)  # (a b) (b a) (a c)
    assert distinct_n(TOKENS, 3) == pytest.approx(1 / 1)  # (a b a)
    assert distinct_n([["a"]], 2) == 0.0  # no bigrams at all


def test_ngram_entropy_in_bits() -> None:
    # unigrams a:3 b:1 c:1 of 5 -> -(0.6 log2 0.6 + 2 * 0.2 log2 0.2)
    expected = -(0.6 * math.log2(0.6) + 2 * 0.2 * math.log2(0.2))
    assert ngram_entropy(TOKENS, 1) == pytest.approx(expected)
    assert ngram_entropy(TOKENS, 2) == pytest.approx(math.log2(3))  # three equally likely
    assert ngram_entropy([["same"], ["same"]], 1) == 0.0


def test_compression_ratio_is_raw_over_gzipped_bytes() -> None:
    texts = ["the cat sat"] * 50
    raw = "\n".join(texts).encode()
    assert compression_ratio(texts) == pytest.approx(len(raw) / len(gzip.compress(raw, mtime=0)))
    assert compression_ratio(texts) > 10 > compression_ratio(["qz", "xv"])


def test_self_bleu_identical_and_disjoint_texts() -> None:
    # two identical texts score 1 against each other; a disjoint one has no unigram match -> 0
    texts = [["a", "b", "c", "d"], ["a", "b", "c", "d"], ["w", "x", "y", "z"]]
    assert self_bleu(texts) == pytest.approx((1 + 1 + 0) / 3)


def test_self_bleu_smoothing() -> None:
    # "a b c" vs "a b d": p1 = 2/3, p2 = 1/2, p3 = 0 -> 0.1/1, p4 (no 4-grams) -> 0.1/1;
    # equal lengths, so no brevity penalty; both directions are symmetric.
    expected = (2 / 3 * 1 / 2 * 0.1 * 0.1) ** 0.25
    assert self_bleu([["a", "b", "c"], ["a", "b", "d"]]) == pytest.approx(expected)


def test_self_bleu_brevity_penalty() -> None:
    short, long = ["a", "b"], ["a", "b", "c", "d"]
    # short vs long: p = 1, 1, 0.1/1, 0.1/1; BP = exp(1 - 4/2)
    short_score = math.exp(1 - 4 / 2) * (1 * 1 * 0.1 * 0.1) ** 0.25
    # long vs short: p1 = 2/4, p2 = 1/3, p3 = 0.1/2, p4 = 0.1/1; longer than its reference: BP 1
    long_score = (2 / 4 * 1 / 3 * 0.1 / 2 * 0.1) ** 0.25
    assert self_bleu([short, long]) == pytest.approx((short_score + long_score) / 2)


def test_self_bleu_clips_against_the_best_other_text() -> None:
    # "a a" vs others ["a", "a a"... ] : the other "a a" holds two a's, so both count
    texts = [["a", "a"], ["a", "a"], ["a"]]
    # text 0: refs "a a" and "a": p1 = 2/2, p2 = 1/1, p3 = 0.1, p4 = 0.1; closest length 2
    first = (1 * 1 * 0.1 * 0.1) ** 0.25
    # text 2 "a": p1 = 1/1, p2..p4 = 0.1 each (no n-grams); closest other length 2 -> BP e^(1-2)
    last = math.exp(1 - 2) * (1 * 0.1 * 0.1 * 0.1) ** 0.25
    assert self_bleu(texts) == pytest.approx((2 * first + last) / 3)


def test_mean_pairwise_cosine() -> None:
    v = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    # pairs: (0,1) = 0, (0,2) = 1, (1,2) = 0 -> 1/3
    assert mean_pairwise_cosine(v) == pytest.approx(1 / 3)


def test_vendi_score() -> None:
    assert vendi_score(np.array([[1.0, 0.0], [1.0, 0.0]])) == pytest.approx(1.0)
    assert vendi_score(np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(2.0)
    # K/n = [[1,0,1],[0,1,0],[1,0,1]] / 3 has eigenvalues 2/3, 1/3, 0
    expected = math.exp(-(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)))
    three = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert vendi_score(three) == pytest.approx(expected)


def test_lexical_diversity_states_its_self_bleu_sample() -> None:
    texts = [f"text number {i}" for i in range(30)]
    out = lexical_diversity(texts, [tokenize(t) for t in texts], bleu_sample=10, seed=3)
    assert out["self_bleu_sample"] == {"size": 10, "seed": 3}
    assert out["vocabulary_size"] == 32 and out["texts"] == 30
    assert sample_indices(30, 10, 3) == sample_indices(30, 10, 3) != sample_indices(30, 10, 4)
