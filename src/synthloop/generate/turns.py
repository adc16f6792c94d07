"""Values dealt by their weights: each gets its share of n turns within one, rather than
whatever a random draw by the weights happens to give a small round."""

from __future__ import annotations

import random
from collections.abc import Sequence


class WeightedTurns:
    """Values in turn, each as often as its weight says (smooth weighted round-robin): of n
    turns, value j gets n * w_j / sum(w) within one. A random draw by the weights would leave
    a value of a small round without a single example; equal weights go strictly in turn."""

    def __init__(self, weights: Sequence[float]) -> None:
        self.weights = [max(float(w), 0.0) for w in weights]
        if sum(self.weights) <= 0:
            self.weights = [1.0] * len(self.weights)
        self.credit = [0.0] * len(self.weights)

    def next(self) -> int:
        for j, w in enumerate(self.weights):
            self.credit[j] += w
        best = max(range(len(self.credit)), key=self.credit.__getitem__)  # first of ties
        self.credit[best] -= sum(self.weights)
        return best


def dealt(weights: Sequence[float], n: int, rng: random.Random) -> list[int]:
    """``n`` value indices with :class:`WeightedTurns`' counts, in a random order: several
    scopes dealt this way each keep their shares, and their values still meet at random."""
    turns = WeightedTurns(weights)
    order = [turns.next() for _ in range(n)]
    rng.shuffle(order)
    return order
