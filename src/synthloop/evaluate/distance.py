"""How far the synthetic data is from the real data: lengths, labels, vocabulary, and the
distance between the two clouds of sentence embeddings (RBF-kernel MMD, Fréchet)."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import linalg
from scipy.stats import wasserstein_distance


def length_histograms(
    synthetic: Sequence[int], real: Sequence[int], *, bins: int = 16
) -> dict[str, list[float]]:
    """Both length distributions on the same integer bins, as shares of each set.

    ``edges`` holds each bin's first length and, last, one past the final bin's end.
    """
    both = [*synthetic, *real]
    if not both:
        return {"edges": [], "synthetic": [], "real": []}
    low, high = min(both), max(both)
    width = max(1, math.ceil((high - low + 1) / bins))
    edges = list(range(low, high + width + 1, width))
    out: dict[str, list[float]] = {"edges": [float(e) for e in edges]}
    for name, values in (("synthetic", synthetic), ("real", real)):
        counts, _ = np.histogram(np.asarray(values, dtype=float), bins=np.asarray(edges) - 0.5)
        out[name] = [float(c) / max(1, len(values)) for c in counts]
    return out


def length_summary(lengths: Sequence[int]) -> dict[str, float]:
    if not lengths:
        return {"mean": 0.0, "median": 0.0, "p10": 0.0, "p90": 0.0}
    a = np.asarray(lengths, dtype=float)
    return {
        "mean": float(a.mean()),
        "median": float(np.median(a)),
        "p10": float(np.percentile(a, 10)),
        "p90": float(np.percentile(a, 90)),
    }


def label_balance(labels: Sequence[str], label_names: Sequence[str]) -> dict[str, float]:
    """Share of each label (every task label listed, absent ones as 0)."""
    counts = Counter(labels)
    n = max(1, len(labels))
    return {name: counts.get(name, 0) / n for name in label_names}


def total_variation(p: dict[str, float], q: dict[str, float]) -> float:
    """Half the L1 distance between two distributions: 0 same, 1 disjoint."""
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in {*p, *q})


def vocabulary_overlap(
    synthetic: Sequence[Sequence[str]], real: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Jaccard of the two vocabularies, and the share of real token occurrences whose word
    the synthetic data uses at all (what a model trained on it has at least seen)."""
    syn_vocab = {t for tokens in synthetic for t in tokens}
    real_counts = Counter(t for tokens in real for t in tokens)
    union = syn_vocab | real_counts.keys()
    covered = sum(c for t, c in real_counts.items() if t in syn_vocab)
    return {
        "jaccard": len(syn_vocab & real_counts.keys()) / len(union) if union else 0.0,
        "real_token_coverage": covered / max(1, sum(real_counts.values())),
    }


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(d, 0.0)


def median_bandwidth(x: np.ndarray, y: np.ndarray) -> float:
    """The median heuristic: the median distance between distinct points of both sets."""
    z = np.vstack([x, y])
    d = np.sqrt(_sq_dists(z, z))[np.triu_indices(len(z), k=1)]
    positive = d[d > 0]
    return float(np.median(positive)) if positive.size else 1.0


def mmd_rbf(x: np.ndarray, y: np.ndarray, sigma: float | None = None) -> float:
    """Unbiased squared MMD (Gretton et al., 2012) with k(a, b) = exp(-|a-b|² / 2σ²);
    σ defaults to the median heuristic. About 0 when both come from one distribution."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("MMD needs at least two points on each side")
    s = median_bandwidth(x, y) if sigma is None else sigma
    gamma = 1.0 / (2 * s * s)
    kxx = np.exp(-gamma * _sq_dists(x, x))
    kyy = np.exp(-gamma * _sq_dists(y, y))
    kxy = np.exp(-gamma * _sq_dists(x, y))
    m, n = len(x), len(y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2 * kxy.mean()
    )


def frechet_distance(x: np.ndarray, y: np.ndarray) -> float:
    """|μx - μy|² + Tr(Σx + Σy - 2 (Σx Σy)^½) between Gaussians fitted to each set (as FID)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("the Fréchet distance needs at least two points on each side")
    mu_x, mu_y = x.mean(0), y.mean(0)
    cov_x = np.atleast_2d(np.cov(x, rowvar=False))
    cov_y = np.atleast_2d(np.cov(y, rowvar=False))
    with warnings.catch_warnings():
        # fewer texts than dimensions make the covariances singular: expected, not an error
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_x @ cov_y)
        if not np.isfinite(covmean).all():  # nudge both, as FID code does
            eps = np.eye(len(cov_x)) * 1e-6
            covmean = linalg.sqrtm((cov_x + eps) @ (cov_y + eps))
    covmean = np.real(covmean)
    diff = mu_x - mu_y
    return float(diff @ diff + np.trace(cov_x) + np.trace(cov_y) - 2 * np.trace(covmean))


def distribution_distance(
    syn_tokens: Sequence[Sequence[str]],
    real_tokens: Sequence[Sequence[str]],
    syn_labels: Sequence[str],
    real_labels: Sequence[str],
    label_names: Sequence[str],
    syn_vectors: np.ndarray | None,
    real_vectors: np.ndarray | None,
    *,
    mmd_sample: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    syn_len = [len(t) for t in syn_tokens]
    real_len = [len(t) for t in real_tokens]
    syn_bal = label_balance(syn_labels, label_names)
    real_bal = label_balance(real_labels, label_names)
    out: dict[str, Any] = {
        "length": {
            "synthetic": length_summary(syn_len),
            "real": length_summary(real_len),
            "wasserstein": float(wasserstein_distance(syn_len, real_len))
            if syn_len and real_len
            else None,
            "histogram": length_histograms(syn_len, real_len),
        },
        "labels": {
            "synthetic": syn_bal,
            "real": real_bal,
            # no class labels (QA answers, responses): no mix to compare, not a perfect one
            "total_variation": total_variation(syn_bal, real_bal) if label_names else None,
        },
        "vocabulary": vocabulary_overlap(syn_tokens, real_tokens),
    }
    if syn_vectors is not None and real_vectors is not None:
        rng = np.random.default_rng(seed)
        xs = syn_vectors[rng.permutation(len(syn_vectors))[:mmd_sample]]
        ys = real_vectors[rng.permutation(len(real_vectors))[:mmd_sample]]
        ok = len(xs) > 1 and len(ys) > 1
        out["embedding"] = {
            "mmd_rbf": mmd_rbf(xs, ys) if ok else None,
            "mmd_sample": {"size": min(mmd_sample, len(xs)), "seed": seed},
            "frechet": frechet_distance(syn_vectors, real_vectors) if ok else None,
            "centroid_cosine": float(_unit(syn_vectors.mean(0)) @ _unit(real_vectors.mean(0))),
        }
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
