"""Vectorised MinHash + LSH for near-duplicate detection at scale (numpy, no per-text objects).

The pipeline, each stage a plain function so it can be sharded (e.g. with Ray Data):

1. :func:`shingle_matrix` — word n-gram shingles, hashed by scikit-learn's
   ``HashingVectorizer`` (MurmurHash3 in C) into a sparse binary matrix;
2. :func:`signatures` — per text, the minimum of ``num_perm`` hash functions over its
   shingles: ``(n, num_perm)`` uint32. Rows depend only on their own text, so signatures
   of shards can be computed apart and stacked;
3. :func:`lsh_params` — bands x rows for a declared Jaccard threshold, chosen as datasketch
   does (minimise the false positive + false negative areas of the S-curve);
4. :func:`candidate_pairs` — texts whose signatures agree on a whole band;
5. :func:`estimated_jaccard` — the share of equal signature positions, which verifies each
   candidate against the threshold;
6. :func:`near_duplicates` / :func:`near_duplicates_from_signatures` — verified pairs joined
   into clusters (connected components); in each cluster the first text is kept (or, when
   reference texts are given, e.g. a test set, every text joined to a reference is marked).

The hash family is multiply-add-shift, ``h(x) = (a*x + b) >> 32`` with random odd 64-bit
``a`` (Dietzfelbinger's 2-universal family), computed in wrapping uint64 arithmetic.
Clusters are transitive: A~B and B~C put A and C together even if A and C are below the
threshold, as in datatrove's and most web-scale dedup pipelines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import HashingVectorizer

_TOKEN = re.compile(r"\w+")
_N_FEATURES = 2**31 - 1
# Shingles hashed per block: bounds the (shingles x num_perm) uint64 work buffer (~32 MB).
_BLOCK_SHINGLES = 32_768
# The largest band bucket expanded into all its pairs; bigger buckets are joined as a star.
_MAX_BUCKET_PAIRS = 32


def word_shingles(ngram: int) -> Callable[[str], list[str]]:
    """An analyzer: lower-cased word n-grams; a text shorter than n words is one shingle."""

    def analyze(text: str) -> list[str]:
        tokens = _TOKEN.findall(text.lower())
        if len(tokens) <= ngram:
            return [" ".join(tokens)] if tokens else []
        return [" ".join(tokens[i : i + ngram]) for i in range(len(tokens) - ngram + 1)]

    return analyze


def shingle_matrix(texts: Sequence[str], *, ngram: int = 3) -> sparse.csr_matrix:
    """Hashed shingles as a binary CSR matrix: row i holds the shingle ids of text i."""
    vectorizer = HashingVectorizer(
        analyzer=word_shingles(ngram),
        n_features=_N_FEATURES,
        alternate_sign=False,
        norm=None,
        binary=True,
        dtype=np.float32,
    )
    matrix = vectorizer.transform(list(texts)).tocsr()
    matrix.sum_duplicates()
    return matrix


def hash_params(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` (odd) and ``b`` uint64 coefficients of the ``num_perm`` hash functions."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**64 - 1, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
    b = rng.integers(0, 2**64 - 1, size=num_perm, dtype=np.uint64, endpoint=True)
    return a, b


def signatures_from_shingles(
    matrix: sparse.csr_matrix, *, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """MinHash signatures ``(rows, num_perm)`` uint32 of a hashed-shingle CSR matrix.

    A text with no shingle (empty, or no word character) gets all-ones (``2**32-1``)
    signatures; :func:`near_duplicates_from_signatures` never pairs such rows.
    """
    n = matrix.shape[0]
    a, b = hash_params(num_perm, seed)
    out = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    indptr = matrix.indptr.astype(np.int64)
    ids = matrix.indices.astype(np.uint64)
    lengths = np.diff(indptr)
    row = 0
    while row < n:
        # a block of whole rows holding about _BLOCK_SHINGLES shingles (at least one row)
        stop = int(np.searchsorted(indptr, indptr[row] + _BLOCK_SHINGLES, side="right")) - 1
        stop = min(max(stop, row + 1), n)
        lo, hi = indptr[row], indptr[stop]
        if hi > lo:
            work = np.multiply(ids[lo:hi, None], a[None, :])  # wraps mod 2**64, as intended
            work += b[None, :]
            work >>= np.uint64(32)
            block_lengths = lengths[row:stop]
            nonempty = np.flatnonzero(block_lengths)
            starts = (indptr[row:stop] - lo)[nonempty]
            mins = np.minimum.reduceat(work, starts, axis=0)
            out[row + nonempty] = mins.astype(np.uint32)
        row = stop
    return out


def signatures(
    texts: Sequence[str], *, num_perm: int = 128, ngram: int = 3, seed: int = 1
) -> np.ndarray:
    """MinHash signatures of ``texts``: ``(len(texts), num_perm)`` uint32."""
    if num_perm < 2:
        raise ValueError("num_perm must be at least 2")
    matrix = shingle_matrix(texts, ngram=ngram)
    return signatures_from_shingles(matrix, num_perm=num_perm, seed=seed)


@functools.lru_cache(maxsize=64)
def lsh_params(
    threshold: float, num_perm: int, *, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """(bands, rows) with bands*rows <= num_perm that best separate pairs at ``threshold``.

    Minimises ``fp_weight * P(candidate | J < t) + fn_weight * P(not candidate | J >= t)``,
    each the area under the LSH S-curve ``1 - (1 - J**r)**b`` (as datasketch does).
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    best, best_err = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            lo = np.linspace(0.0, threshold, 200)
            hi = np.linspace(threshold, 1.0, 200)
            fp = np.trapezoid(1 - (1 - lo**rows) ** bands, lo)
            fn = np.trapezoid((1 - hi**rows) ** bands, hi)
            err = float(fp_weight * fp + fn_weight * fn)
            if err < best_err:
                best, best_err = (bands, rows), err
    return best


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (text, band): equal keys mean equal band slices (up to 2**-64)."""
    n = sigs.shape[0]
    keys = np.empty((n, bands), dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    for band in range(bands):
        h = np.full(n, 0xCBF29CE484222325, dtype=np.uint64)
        for col in sigs[:, band * rows : (band + 1) * rows].T:
            h ^= col.astype(np.uint64)
            h *= mult
        keys[:, band] = h
    return keys


def candidate_pairs(
    sigs: np.ndarray, bands: int, rows: int, *, priority: np.ndarray | None = None
) -> np.ndarray:
    """Unique index pairs ``(k, 2)``, ``i < j``, of texts sharing at least one band.

    A bucket of up to ``_MAX_BUCKET_PAIRS`` texts gives all its pairs; a bigger one (many
    copies of one text) is joined as a star on its first member. ``priority`` (lower first)
    decides which member is the star's centre, e.g. reference texts before candidates.
    """
    n = sigs.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    empty = (sigs == np.iinfo(np.uint32).max).all(axis=1)
    keys = band_keys(sigs, bands, rows)
    order_key = np.zeros(n, dtype=np.int64) if priority is None else priority.astype(np.int64)
    found: list[np.ndarray] = []
    index = np.arange(n, dtype=np.int64)
    for band in range(bands):
        k = keys[:, band]
        order = np.lexsort((index, order_key, k))
        sk = k[order]
        new = np.ones(n, dtype=bool)
        new[1:] = sk[1:] != sk[:-1]
        starts = np.flatnonzero(new)
        sizes = np.diff(np.append(starts, n))
        for size in np.unique(sizes[sizes > 1]):
            group_starts = starts[sizes == size]
            members = order[group_starts[:, None] + np.arange(size)[None, :]]
            if size <= _MAX_BUCKET_PAIRS:
                iu, ju = np.triu_indices(int(size), k=1)
                found.append(np.stack([members[:, iu].ravel(), members[:, ju].ravel()], axis=1))
            else:
                centre = np.repeat(members[:, :1], size - 1, axis=1)
                found.append(np.stack([centre.ravel(), members[:, 1:].ravel()], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[~(empty[pairs[:, 0]] | empty[pairs[:, 1]])]
    flat = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([flat // n, flat % n], axis=1)


def estimated_jaccard(sigs: np.ndarray, pairs: np.ndarray, *, chunk: int = 200_000) -> np.ndarray:
    """The MinHash estimate of the Jaccard similarity of each pair."""
    out = np.empty(len(pairs), dtype=np.float32)
    for lo in range(0, len(pairs), chunk):
        p = pairs[lo : lo + chunk]
        out[lo : lo + chunk] = (sigs[p[:, 0]] == sigs[p[:, 1]]).mean(axis=1)
    return out


@dataclass(frozen=True)
class NearDuplicates:
    """Which texts to drop, and why.

    ``duplicate_of[i]``: -1 to keep text i, else the index of the kept text of its cluster;
    ``reference_of[i]``: -1, or the index of a reference text in its cluster (a leak);
    ``similarity[i]``: the highest verified estimated Jaccard of text i to any other text.
    """

    duplicate_of: np.ndarray
    reference_of: np.ndarray
    similarity: np.ndarray
    pairs: np.ndarray  # verified pairs (indices into texts + references, references last)

    @property
    def drop(self) -> np.ndarray:
        return (self.duplicate_of >= 0) | (self.reference_of >= 0)


def near_duplicates_from_signatures(
    sigs: np.ndarray, threshold: float, *, n_reference: int = 0
) -> NearDuplicates:
    """Clusters of near duplicates among signature rows; the last ``n_reference`` rows are
    reference texts (never dropped; any text clustered with one is marked as a leak)."""
    total = sigs.shape[0]
    n = total - n_reference
    bands, rows = lsh_params(threshold, sigs.shape[1])
    priority = np.zeros(total, dtype=np.int64)
    priority[n:] = -1  # references centre the big buckets
    pairs = candidate_pairs(sigs, bands, rows, priority=priority)
    sims = estimated_jaccard(sigs, pairs)
    keep = sims >= threshold
    pairs, sims = pairs[keep], sims[keep]
    best = np.zeros(total, dtype=np.float32)
    if len(pairs):
        np.maximum.at(best, pairs[:, 0], sims)
        np.maximum.at(best, pairs[:, 1], sims)
    duplicate_of, reference_of = clusters(pairs, total, n_reference=n_reference)
    return NearDuplicates(
        duplicate_of=duplicate_of, reference_of=reference_of, similarity=best[:n], pairs=pairs
    )


def clusters(
    pairs: np.ndarray, total: int, *, n_reference: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Join ``pairs`` of similar items into clusters (connected components).

    The last ``n_reference`` items are references. Returns, for each non-reference item,
    ``duplicate_of`` (-1 for the first non-reference member of its cluster, which is kept,
    else that member's index) and ``reference_of`` (-1, or the lowest reference index in its
    cluster, offset so 0 is the first reference).
    """
    n = total - n_reference
    if n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(total, total)
    )
    _, labels = connected_components(graph, directed=False)
    none = np.iinfo(np.int64).max
    first = np.full(labels.max() + 1, none, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    np.minimum.at(first, labels[:n], idx)
    ref_of_label = np.full(labels.max() + 1, none, dtype=np.int64)
    np.minimum.at(ref_of_label, labels[n:], np.arange(n_reference, dtype=np.int64))
    ref_of_label[ref_of_label == none] = -1
    duplicate_of = first[labels[:n]]
    duplicate_of = np.where(duplicate_of == idx, -1, duplicate_of)
    return duplicate_of, ref_of_label[labels[:n]]


def near_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 3,
    seed: int = 1,
    reference_texts: Sequence[str] = (),
) -> NearDuplicates:
    """Near duplicates among ``texts`` (estimated Jaccard of word n-gram shingles >=
    ``threshold``), and texts near any of ``reference_texts`` (e.g. validation/test)."""
    sigs = signatures([*texts, *reference_texts], num_perm=num_perm, ngram=ngram, seed=seed)
    return near_duplicates_from_signatures(sigs, threshold, n_reference=len(reference_texts))
