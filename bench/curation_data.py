"""Generate the synthetic sets bench/curation.py curates: embedded LLM, cached, run once.

For sst2 and sms_spam: S3 rationales, then s3-seed examples and ZeroGen examples (half
each). Answers are cached in bench/runs/curation/NAME/cache.sqlite, so a rerun is free.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/curation_data.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from benchmark_tasks import tasks
from synthloop.core.io import write_records
from synthloop.generate import generate_rationales, s3_seed, zerogen
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.prompts import Prompter

ROOT = Path(__file__).resolve().parent
RUNS = ROOT / "runs" / "curation"

TASKS = tasks("sst2", "sms_spam")
# One llama.cpp thread: on shared, busy cores two threads spin-wait on each other.
LLM_CONFIG = LLMConfig(max_tokens=72, n_threads=1)


def generated_path(name: str) -> Path:
    return RUNS / name / "generated.jsonl"


async def generate(name: str, n: int, seed: int) -> dict[str, object]:
    task = TASKS[name]
    folder = RUNS / name
    llm = make_llm(LLM_CONFIG, folder / "cache.sqlite")
    assert isinstance(llm, CachedLLM)
    prompter = Prompter(task, LLM_CONFIG)
    start = time.perf_counter()
    try:
        rationales = await generate_rationales(llm, prompter, seed=seed)
        seeded = await s3_seed(llm, prompter, rationales, n - n // 2, seed=seed)
        zero = await zerogen(llm, prompter, n // 2, seed=seed)
    finally:
        await llm.aclose()
    records = [*seeded.records, *zero.records]
    write_records(records, generated_path(name))
    stats = {
        "records": len(records),
        "calls": llm.usage.calls + llm.usage.cache_hits,
        "paid_calls": llm.usage.calls,
        "seconds": round(time.perf_counter() - start, 1),
        "dropped": {"s3-seed": dict(seeded.dropped), "zerogen": dict(zero.dropped)},
    }
    stats_path = folder / "generation.json"
    if llm.usage.cache_hits == 0 or not stats_path.exists():
        stats_path.write_text(json.dumps(stats, indent=2))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("-n", type=int, default=300, help="LLM calls for examples per dataset")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name in args.datasets:
        print(name, asyncio.run(generate(name, args.n, args.seed)))


if __name__ == "__main__":
    main()
