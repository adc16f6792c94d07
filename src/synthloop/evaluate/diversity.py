"""Diversity of a set of texts: lexical (vocabulary, distinct-n, n-gram entropy, compression,
self-BLEU) and semantic (mean pairwise cosine, Vendi score) on sentence embeddings.

Every function takes plain token lists or vectors, so each is testable on a tiny input.
"""

from __future__ import annotations

import bisect
import gzip
import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from synthloop.evaluate.text import all_ngrams, ngrams

BLEU_MAX_N = 4
BLEU_EPSILON = 0.1  # nltk's SmoothingFunction().method1, as in Texygen's self-BLEU


def vocabulary_size(token_lists: Sequence[Sequence[str]]) -> int:
    return len({t for tokens in token_lists for t in tokens})


def distinct_n(token_lists: Sequence[Sequence[str]], n: int) -> float:
    """Unique n-grams / all n-grams over the whole set (Li et al., 2016); 0 for no n-grams."""
    counts = Counter(all_ngrams(token_lists, n))
    total = sum(counts.values())
    return len(counts) / total if total else 0.0


def ngram_entropy(token_lists: Sequence[Sequence[str]], n: int) -> float:
    """Shannon entropy, in bits, of the set's n-gram frequency distribution."""
    counts = np.fromiter(Counter(all_ngrams(token_lists, n)).values(), dtype=float)
    if counts.size == 0:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def compression_ratio(texts: Sequence[str]) -> float:
    """Bytes of the texts (one per line) / bytes gzipped: higher means more repetition."""
    raw = "\n".join(texts).encode("utf-8")
    if not raw:
        return 0.0
    return len(raw) / len(gzip.compress(raw, compresslevel=9, mtime=0))


class _TopTwo:
    """For each n-gram: its highest count in any one text, who holds it, and the runner-up.

    The clipping count for text h against "all other texts" is the top count unless h holds
    it, then the runner-up: self-BLEU in time linear in the data, not quadratic.
    """

    def __init__(self, per_text: Sequence[Counter[tuple[str, ...]]]) -> None:
        self.best: dict[tuple[str, ...], tuple[int, int]] = {}
        self.second: dict[tuple[str, ...], int] = {}
        for i, counts in enumerate(per_text):
            for gram, c in counts.items():
                top = self.best.get(gram)
                if top is None:
                    self.best[gram] = (c, i)
                elif c > top[0]:
                    self.second[gram] = top[0]
                    self.best[gram] = (c, i)
                elif c > self.second.get(gram, 0):
                    self.second[gram] = c

    def max_other(self, gram: tuple[str, ...], holder: int) -> int:
        top = self.best.get(gram)
        if top is None:
            return 0
        return top[0] if top[1] != holder else self.second.get(gram, 0)


def _closest_other_length(sorted_lengths: list[int], counts: Counter[int], own: int) -> int:
    """nltk's closest reference length (ties go to the shorter), over all texts but one."""
    if counts[own] > 1:
        return own
    i = bisect.bisect_left(sorted_lengths, own)
    candidates = []
    if i > 0:
        candidates.append(sorted_lengths[i - 1])
    j = i + 1 if i < len(sorted_lengths) and sorted_lengths[i] == own else i
    if j < len(sorted_lengths):
        candidates.append(sorted_lengths[j])
    return min(candidates, key=lambda r: (abs(r - own), r))


def self_bleu(token_lists: Sequence[Sequence[str]], max_n: int = BLEU_MAX_N) -> float:
    """Mean sentence BLEU-``max_n`` of each text against all the others as references.

    Matches nltk's ``sentence_bleu(others, text, smoothing_function=method1)`` averaged over
    the set (Texygen's self-BLEU; bench/eval_speed.py checks it), computed in linear time.
    Higher means the texts repeat each other.
    """
    texts = [list(t) for t in token_lists]
    if len(texts) < 2:
        raise ValueError("self-BLEU needs at least two texts")
    per_n = [[Counter(ngrams(t, n)) for t in texts] for n in range(1, max_n + 1)]
    tops = [_TopTwo(counts) for counts in per_n]
    lengths = [len(t) for t in texts]
    unique_lengths = sorted(set(lengths))
    length_counts = Counter(lengths)
    weight = 1.0 / max_n
    total = 0.0
    for h, hyp_len in enumerate(lengths):
        precisions = []
        for k in range(max_n):
            counts = per_n[k][h]
            matched = sum(min(c, tops[k].max_other(g, h)) for g, c in counts.items())
            precisions.append((matched, max(1, sum(counts.values()))))
        if precisions[0][0] == 0:
            continue  # nltk: no unigram in common -> BLEU 0
        ref_len = _closest_other_length(unique_lengths, length_counts, hyp_len)
        bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
        log_p = sum(weight * math.log((m if m else BLEU_EPSILON) / d) for m, d in precisions)
        total += bp * math.exp(log_p)
    return total / len(texts)


def sample_indices(n: int, size: int, seed: int) -> list[int]:
    """A seeded sample of ``size`` positions out of ``n`` (all of them when n <= size)."""
    if n <= size:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), size))


def mean_pairwise_cosine(vectors: np.ndarray) -> float:
    """Mean cosine over all pairs i != j of unit vectors, in O(n d) via the vector sum."""
    n = len(vectors)
    if n < 2:
        raise ValueError("a pairwise mean needs at least two vectors")
    x = np.asarray(vectors, dtype=np.float64)
    total = x.sum(axis=0)
    return float((total @ total - np.einsum("ij,ij->", x, x)) / (n * (n - 1)))


def vendi_score(vectors: np.ndarray) -> float:
    """Vendi score (Friedman & Dieng, 2023) with the cosine kernel on unit vectors.

    exp of the Shannon entropy of the eigenvalues of K/n, K = X Xᵀ; those equal the
    eigenvalues of XᵀX/n (d x d), so 100k texts cost no more than a 384 x 384 matrix.
    Reads as "the effective number of distinct texts": 1 = all the same, n = all orthogonal.
    """
    x = np.asarray(vectors, dtype=np.float64)
    if len(x) == 0:
        raise ValueError("the Vendi score needs at least one vector")
    eig = np.linalg.eigvalsh(x.T @ x / len(x))
    eig = eig[eig > 1e-12]
    eig = eig / eig.sum()  # unit vectors: trace is already 1; this guards rounding
    return float(np.exp(-(eig * np.log(eig)).sum()))


def lexical_diversity(
    texts: Sequence[str],
    token_lists: Sequence[Sequence[str]],
    *,
    bleu_sample: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    picked = sample_indices(len(token_lists), bleu_sample, seed)
    return {
        "texts": len(texts),
        "tokens": sum(len(t) for t in token_lists),
        "vocabulary_size": vocabulary_size(token_lists),
        "distinct_1": distinct_n(token_lists, 1),
        "distinct_2": distinct_n(token_lists, 2),
        "distinct_3": distinct_n(token_lists, 3),
        "entropy_1": ngram_entropy(token_lists, 1),
        "entropy_2": ngram_entropy(token_lists, 2),
        "entropy_3": ngram_entropy(token_lists, 3),
        "compression_ratio": compression_ratio(texts),
        "self_bleu": self_bleu([token_lists[i] for i in picked]) if len(picked) > 1 else None,
        "self_bleu_sample": {"size": len(picked), "seed": seed},
    }


def semantic_diversity(vectors: np.ndarray) -> dict[str, Any]:
    return {
        "mean_pairwise_cosine": mean_pairwise_cosine(vectors) if len(vectors) > 1 else None,
        "vendi_score": vendi_score(vectors) if len(vectors) else None,
    }
