"""Confidence intervals for proportions and means."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A proportion or mean with its 95% interval, and how many observations it rests on."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def wilson_interval(successes: int, n: int, z: float = Z95) -> Estimate:
    """The Wilson score interval for a binomial proportion (good even at small n or p near
    0 or 1, where the normal interval breaks)."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def bootstrap_mean(values: Sequence[float], *, resamples: int = 2000, seed: int = 0) -> Estimate:
    """Mean with a percentile-bootstrap 95% interval."""
    a = np.asarray(values, dtype=float)
    if a.size == 0:
        return Estimate(None, None, None, 0)
    rng = np.random.default_rng(seed)
    means = a[rng.integers(0, a.size, size=(resamples, a.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Estimate(float(a.mean()), float(low), float(high), int(a.size))
