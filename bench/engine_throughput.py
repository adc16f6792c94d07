"""Embedded engine throughput: tokens/s at 1, 4, 8, 16 (and more) requests in flight against
raw single-stream llama-cpp-python (``Llama.create_chat_completion``, one request at a time).

The reference is what a user of llama-cpp-python gets: the shipped model file
(SmolLM2-135M-Instruct Q4_1) with ``Llama``'s defaults. ``raw:WEIGHTS`` rows run the same
single-stream loop on the engine's converted weights with flash attention on, to show how
much of the gain is batching alone. Same chat prompts (restaurant reviews, as zerogen
asks), same max_tokens, same sampling (temperature 0.9, top-p 0.95 and llama-cpp-python's
defaults top-k 40, min-p 0.05). Tokens/s = completion tokens / wall time, prompt
processing included. The engine runs through synthloop's own path (EmbeddedLLM +
complete_many). bench/weights_quality.py measures how close each weight type stays to the
shipped file.

Every measurement runs in a fresh process holding only the model it measures (a process
holding several contexts measured them all slower: see the results' history).
Configurations are interleaved, ``--repeats`` times; the table gives the median. Run it
alone, on a build made by ``make install`` (llama_build.py's flags for this CPU):

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/engine_throughput.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synthloop.llm import LLM

ROOT = Path(__file__).resolve().parents[1]

SUBJECTS = ["a noodle bar", "a pizzeria", "a vegan cafe", "a steakhouse", "a sushi place",
            "a bakery", "a diner", "a taco truck"]  # fmt: skip


def prompts(n: int) -> list[str]:
    return [
        f"Write one {'positive' if i % 2 == 0 else 'negative'} restaurant review about "
        f"{SUBJECTS[i % len(SUBJECTS)]} (review #{i}). Reply with the review only."
        for i in range(n)
    ]


def baseline(
    llama: object, texts: list[str], max_tokens: int, answers: list[str] | None = None
) -> tuple[int, float]:
    tokens = 0
    start = time.perf_counter()
    for i, text in enumerate(texts):
        out = llama.create_chat_completion(  # type: ignore[attr-defined]
            messages=[{"role": "user", "content": text}],
            temperature=0.9,
            top_p=0.95,
            max_tokens=max_tokens,
            seed=i,
        )
        tokens += out["usage"]["completion_tokens"]
        if answers is not None:
            answers.append(out["choices"][0]["message"]["content"])
    return tokens, time.perf_counter() - start


async def engine(
    llm: LLM, texts: list[str], max_tokens: int, answers: list[str] | None = None
) -> tuple[int, float]:
    from synthloop.llm import Request, complete_many

    reqs = [
        Request.chat(t, seed=i, temperature=0.9, top_p=0.95, max_tokens=max_tokens)
        for i, t in enumerate(texts)
    ]
    start = time.perf_counter()
    out = await complete_many(llm, reqs)
    seconds = time.perf_counter() - start
    if answers is not None:
        answers[:] = [r.text for r in out]
    return sum(r.completion_tokens for r in out), seconds


async def measure(kind: str, level: int, n: int, max_tokens: int) -> dict[str, object]:
    """One measurement, in this (fresh) process: ``raw`` with ``level`` threads, or the
    engine on weights ``kind`` with ``level`` requests in flight."""
    from synthloop.llm.embedded import EmbeddedLLM, default_model_path
    from synthloop.llm.weights import ensure_weights

    threads = os.cpu_count() or 1
    answers: list[str] = []
    if kind.startswith("raw"):
        from llama_cpp import Llama

        weights = kind.partition(":")[2] or "original"
        path = str(ensure_weights(default_model_path(), weights))
        raw = Llama(
            model_path=path, n_ctx=2048, n_threads=level, flash_attn=weights != "original",
            verbose=False,
        )  # fmt: skip
        baseline(raw, prompts(1), 4)  # warm up outside the timing, as for the engine
        tok, sec = baseline(raw, prompts(n), max_tokens, answers)
        raw.close()
    else:
        llm = EmbeddedLLM(max_concurrency=level, n_ctx=512, weights=kind, n_threads=threads)
        await engine(llm, prompts(1), 4)  # load (and convert) outside the timing
        tok, sec = await engine(llm, prompts(n), max_tokens, answers)
        await llm.aclose()
    return {"tokens": tok, "seconds": sec, "answers": answers}


def spawn(kind: str, level: int, n: int, max_tokens: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--worker", f"{kind}={level}", "--requests", str(n),
           "--max-tokens", str(max_tokens)]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


LABELS = {"original": "Q4_1 (as shipped)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--grid",
        default="raw=2,1 raw:bf16=2 bf16=1,4,8,16,32,64 q8_0=8,16,32 original=16",
        help="space-separated KIND=LEVELS; raw=THREADS is the baseline (its first level is "
        "the reference), raw:WEIGHTS=THREADS single-stream on converted weights, "
        "WEIGHTS=IN_FLIGHT an engine run",
    )
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--requests", type=int, default=256, help="same prompts for every run")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench/results/engine_throughput.md"))
    args = parser.parse_args()
    if args.worker:
        kind, level = args.worker.split("=")
        result = asyncio.run(measure(kind, int(level), args.requests, args.max_tokens))
        print(json.dumps(result))
        return

    import llama_cpp

    grid = [
        (kind, int(level))
        for item in args.grid.split()
        for kind, levels in [item.split("=")]
        for level in levels.split(",")
    ]
    runs: dict[tuple[str, int], list[float]] = {}
    texts: dict[tuple[str, int], list[str]] = {}
    for rep in range(args.repeats):
        for kind, level in grid:
            r = spawn(kind, level, args.requests, args.max_tokens)
            tps = float(r["tokens"]) / float(r["seconds"])  # type: ignore[arg-type]
            runs.setdefault((kind, level), []).append(tps)
            texts[kind, level] = r["answers"]  # type: ignore[assignment]
            print(f"[{rep}] {kind}={level}: {tps:.1f} tok/s ({r['tokens']} tok)", flush=True)

    ref_key = next(k for k in grid if k[0] == "raw")  # the shipped file, Llama's defaults
    base = statistics.median(runs[ref_key])
    threads = os.cpu_count() or 1
    lines = [
        "| what | threads / requests in flight | weights | tokens/s | × reference | runs |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for kind, level in grid:
        vals = runs[kind, level]
        med = statistics.median(vals)
        if kind.startswith("raw"):
            what = "raw `Llama.create_chat_completion`" + (
                " (reference)" if (kind, level) == ref_key else ""
            )
            where = f"{level} thread{'s' * (level > 1)}"
            converted = kind.partition(":")[2]
            weights = f"{converted.upper()} + flash attention" if converted else LABELS["original"]
        else:
            what, where = "synthloop engine", f"{level} in flight"  # flash attention when > 1
            weights = LABELS.get(kind, f"{kind.upper()} (converted once)")
        lines.append(
            f"| {what} | {where} | {weights} | {med:.1f} | {med / base:.2f}× | "
            + ", ".join(f"{x:.1f}" for x in vals)
            + " |"
        )
    lines += ["", "Same request, different batches (determinism across batch compositions):", ""]
    for kind in dict.fromkeys(k for k, _ in grid if not k.startswith("raw")):
        # one in flight runs unfused attention (the high-level API's answers), so compare
        # batches with each other
        levels = sorted(c for k, c in grid if k == kind and c > 1)
        if len(levels) < 2:
            continue
        ref = texts[kind, levels[0]]
        for c in levels[1:]:
            same = sum(a == b for a, b in zip(ref, texts[kind, c], strict=False))
            lines.append(
                f"- {kind}: {same} of {len(ref)} answers at {c} in flight are identical to "
                f"those at {levels[0]} in flight"
            )
    lines += [
        "",
        f"{args.requests} chat requests per run, max_tokens {args.max_tokens}, temperature 0.9, "
        f"top-p 0.95; each run in a fresh process; median of {args.repeats} interleaved runs.",
        "",
        f"Command: `flock /tmp/synthloop-llm.lock python bench/engine_throughput.py "
        f"--grid '{args.grid}' --requests {args.requests} --max-tokens {args.max_tokens} "
        f"--repeats {args.repeats}`",
        "",
        f"Versions: llama-cpp-python {llama_cpp.__version__}, Python "
        f"{platform.python_version()}. Machine: {platform.machine()}, {threads} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}.",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
