"""The estimate printed before a run (``--estimate``, or on stderr): the calls, tokens and
cost of the plans the run will walk, built by the same code from the same inputs.

``synthloop s3``: the strategy's seed plan and each round's extrapolation at its worst,
every validation record an error (so the count is an upper bound). ``synthloop generate``:
the registered generator's plan. Answers already in the run's cache are used as they are
(those calls are free, and later stages are planned from them); elsewhere stand-in answers
plan the later stages (see :mod:`synthloop.generate.estimate`).
"""

from __future__ import annotations

from pathlib import Path

from synthloop.generate.estimate import Estimate, walk
from synthloop.generate.registry import generator
from synthloop.llm import CachedLLM, LLMConfig, make_llm, prices_of
from synthloop.run.config import RunConfig
from synthloop.run.generate import generator_inputs
from synthloop.run.instruct import InstructConfig
from synthloop.run.s3 import s3_job
from synthloop.s3.estimate import estimate_s3


def _open_cache(config: LLMConfig, cache_path: str | Path | None) -> CachedLLM | None:
    if cache_path is None or not Path(cache_path).exists():
        return None
    llm = make_llm(config, cache_path)
    return llm if isinstance(llm, CachedLLM) else None


def estimate_run(
    config: RunConfig | InstructConfig,
    *,
    method: str | None = None,
    n: int = 0,
    out: str | Path | None = None,
    errors_path: str | Path | None = None,
    errors_label_map: dict[str, str] | None = None,
    errors_columns: dict[str, str] | None = None,
    cache_path: str | Path | None = None,
) -> Estimate:
    """``synthloop s3`` when ``method`` is None, else ``synthloop generate``. Reads no more
    than the run would read first, and writes nothing."""
    if method is None:
        job = s3_job(config, out if out is not None else "estimate")
        strategy = job.strategy(None)
        cache = _open_cache(config.llm, job.cache_path if out is not None else None)
        try:
            return estimate_s3(
                strategy, config.s3.rounds, cache=cache, prices=prices_of(config.llm)
            )
        finally:
            if cache is not None:
                cache.close()
    target = Path(out) if out is not None else Path("estimate.jsonl")
    inputs = generator_inputs(
        config,
        method,
        n,
        target,
        errors_path=errors_path,
        errors_label_map=errors_label_map,
        errors_columns=errors_columns,
        save_tree=False,
    )
    if cache_path is None and out is not None:
        cache_path = target.with_suffix(".cache.sqlite")
    cache = _open_cache(config.llm, cache_path)
    est = Estimate(prices=prices_of(config.llm))
    try:
        walk(generator(method).plan(inputs), inputs.task, est, cache=cache)
    finally:
        if cache is not None:
            cache.close()
    return est
