"""What an S3 run will cost: the strategy's seed plan, then every round's extrapolation at
its worst (every real validation record an error), walked as the loop would run them.
Rounds past :data:`~synthloop.generate.estimate.WALK_LIMIT` calls are priced like the last
walked round (each round at its worst asks for the same calls) once a round finds nothing
cached, so an estimate of any number of rounds is quick."""

from __future__ import annotations

from synthloop.generate.estimate import WALK_LIMIT, Estimate, walk
from synthloop.llm import CachedLLM, Prices
from synthloop.s3.strategy import Strategy


def estimate_s3(
    strategy: Strategy,
    rounds: int,
    *,
    cache: CachedLLM | None = None,
    prices: Prices | None = None,
    limit: int = WALK_LIMIT,
) -> Estimate:
    est = Estimate(prices=prices, worst_case=rounds > 0)
    walk(strategy.seed(), strategy.task, est, cache=cache, limit=limit)
    errors = strategy.worst_case_errors()
    for r in range(1, rounds + 1):
        before, cached = est.tally(), est.cached
        walk(strategy.extrapolate(errors, r), strategy.task, est, cache=cache, limit=limit)
        # a round with cached answers was run before, and so may the next have been
        if est.calls >= limit and r < rounds and est.cached == cached:
            est.extend_like(before, (est.calls - before[0]) * (rounds - r))
            break
    return est
