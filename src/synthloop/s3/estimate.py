"""What an S3 run will cost: the strategy's seed plan, then every round's extrapolation at
its worst (every real validation record an error), walked as the loop would run them."""

from __future__ import annotations

from synthloop.generate.estimate import Estimate, walk
from synthloop.llm import CachedLLM, Prices
from synthloop.s3.strategy import Strategy


def estimate_s3(
    strategy: Strategy,
    rounds: int,
    *,
    cache: CachedLLM | None = None,
    prices: Prices | None = None,
) -> Estimate:
    est = Estimate(prices=prices, worst_case=rounds > 0)
    walk(strategy.seed(), strategy.task, est, cache=cache)
    errors = strategy.worst_case_errors()
    for r in range(1, rounds + 1):
        walk(strategy.extrapolate(errors, r), strategy.task, est, cache=cache)
    return est
