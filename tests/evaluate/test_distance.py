"""Distance-to-real metrics against values worked out by hand."""

import math

import numpy as np
import pytest

from synthloop.evaluate.distance import (
    distribution_distance,
    frechet_distance,
    label_balance,
    length_histograms,
    mmd_rbf,
    total_variation,
    vocabulary_overlap,
)


def test_label_balance_and_total_variation() -> None:
    p = label_balance(["pos", "pos", "pos", "neg"], ["pos", "neg", "neutral"])
    assert p == {"pos": 0.75, "neg": 0.25, "neutral": 0.0}
    assert total_variation(p, {"pos": 0.5, "neg": 0.5, "neutral": 0.0}) == pytest.approx(0.25)


def test_vocabulary_overlap() -> None:
    out = vocabulary_overlap([["a", "b"]], [["b", "c", "c"]])
    assert out["jaccard"] == pytest.approx(1 / 3)  # {b} of {a, b, c}
    assert out["real_token_coverage"] == pytest.approx(1 / 3)  # b of b c c


def test_length_histograms_share_integer_bins() -> None:
    out = length_histograms([1, 2, 2], [3])
    assert out["edges"] == [1.0, 2.0, 3.0, 4.0]
    assert out["synthetic"] == pytest.approx([1 / 3, 2 / 3, 0])
    assert out["real"] == pytest.approx([0, 0, 1])


def test_mmd_rbf_by_hand() -> None:
    x, y = np.array([[0.0], [0.0]]), np.array([[1.0], [1.0]])
    # k(x,x') = k(y,y') = 1, k(x,y) = exp(-1/2): 1 + 1 - 2 exp(-1/2)
    assert mmd_rbf(x, y, sigma=1.0) == pytest.approx(2 - 2 * math.exp(-0.5))
    assert mmd_rbf(x, x + 0.0, sigma=1.0) == pytest.approx(0.0)


def test_frechet_distance_by_hand() -> None:
    x = np.array([[0.0], [2.0]])  # mean 1, variance 2
    y = np.array([[1.0], [5.0]])  # mean 3, variance 8
    # (1 - 3)^2 + 2 + 8 - 2 sqrt(2 * 8) = 4 + 10 - 8
    assert frechet_distance(x, y) == pytest.approx(6.0)
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)


def test_distribution_distance_collects_everything() -> None:
    syn = [["a", "b"], ["a"], ["c", "c", "c"]]
    real = [["a", "b"], ["b"]]
    vec = np.eye(3)
    out = distribution_distance(
        syn, real, ["p", "p", "n"], ["p", "n"], ["p", "n"], vec, vec[:2], mmd_sample=10
    )
    assert out["length"]["synthetic"]["mean"] == pytest.approx(2.0)
    assert out["length"]["wasserstein"] == pytest.approx(0.5)  # {1,2,3} vs {1,2}
    assert out["labels"]["total_variation"] == pytest.approx(abs(2 / 3 - 1 / 2))
    assert set(out["embedding"]) >= {"mmd_rbf", "frechet", "centroid_cosine", "mmd_sample"}
    # centroids (1/3, 1/3, 1/3) and (1/2, 1/2, 0): cosine (1/3) / (sqrt(1/3) sqrt(1/2))
    expected = (1 / 3) / (math.sqrt(1 / 3) * math.sqrt(1 / 2))
    assert out["embedding"]["centroid_cosine"] == pytest.approx(expected)
