"""Embedded engine throughput: tokens/s at 1, 4, 8 and 16 requests in flight against raw
single-stream llama-cpp-python (``Llama.create_chat_completion``, one request at a time).

Same model file as shipped (SmolLM2-135M-Instruct Q4_1) for the baseline, same chat
prompts (restaurant reviews, as zerogen asks), same max_tokens, same sampling settings
(temperature 0.9, top-p 0.95 and llama-cpp-python's defaults top-k 40, min-p 0.05), same
threads (all cores). Tokens/s = completion tokens / wall time, prompt processing included.
The engine runs through synthloop's own path (EmbeddedLLM + complete_many). Baseline and
engine are measured in one process, interleaved, ``--repeats`` times; the table gives the
median. Run it under the team's lock so no other llama.cpp process shares the cores:

    flock /tmp/synthloop-llm.lock python bench/engine_throughput.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SUBJECTS = ["a noodle bar", "a pizzeria", "a vegan cafe", "a steakhouse", "a sushi place",
            "a bakery", "a diner", "a taco truck"]  # fmt: skip


def prompts(n: int) -> list[str]:
    return [
        f"Write one {'positive' if i % 2 == 0 else 'negative'} restaurant review about "
        f"{SUBJECTS[i % len(SUBJECTS)]} (review #{i}). Reply with the review only."
        for i in range(n)
    ]


def baseline(llama: object, texts: list[str], max_tokens: int) -> tuple[int, float]:
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
    return tokens, time.perf_counter() - start


async def engine(
    llm: object, texts: list[str], max_tokens: int, answers: list[str] | None = None
) -> tuple[int, float]:
    from synthloop.llm import Request, complete_many

    reqs = [
        Request.chat(t, seed=i, temperature=0.9, top_p=0.95, max_tokens=max_tokens)
        for i, t in enumerate(texts)
    ]
    start = time.perf_counter()
    out = await complete_many(llm, reqs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    if answers is not None:
        answers[:] = [r.text for r in out]
    return sum(r.completion_tokens for r in out), seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--grid",
        default="q8_0=1,4,8,16 original=1,16",
        help="engine runs: WEIGHTS=LEVELS, space-separated (LEVELS: requests in flight)",
    )
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--baseline-requests", type=int, default=8)
    parser.add_argument("--requests-per-slot", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "bench/results/engine_throughput.md"))
    args = parser.parse_args()

    import llama_cpp
    from llama_cpp import Llama

    from synthloop.llm.embedded import EmbeddedLLM, default_model_path

    threads = os.cpu_count() or 1
    grid = [
        (w, int(c))
        for item in args.grid.split()
        for w, levels in [item.split("=")]
        for c in levels.split(",")
    ]
    raw = Llama(model_path=str(default_model_path()), n_ctx=2048, n_threads=threads, verbose=False)
    engines = {}
    for w, c in grid:
        llm = EmbeddedLLM(max_concurrency=c, n_ctx=512, weights=w, n_threads=threads)
        await engine(llm, prompts(1), 4)  # load and convert outside the timings
        engines[w, c] = llm
    baseline(raw, prompts(1), 4)

    runs: dict[str, list[float]] = {}
    texts: dict[tuple[str, int], list[str]] = {}
    for rep in range(args.repeats):
        tok, sec = baseline(raw, prompts(args.baseline_requests), args.max_tokens)
        runs.setdefault("baseline", []).append(tok / sec)
        print(f"[{rep}] baseline: {tok / sec:.1f} tok/s ({tok} tokens, {sec:.1f} s)", flush=True)
        for (w, c), llm in engines.items():
            n = max(args.baseline_requests, c * args.requests_per_slot)
            answers: list[str] = []
            tok, sec = await engine(llm, prompts(n), args.max_tokens, answers)
            texts[w, c] = answers
            runs.setdefault(f"{w}:{c}", []).append(tok / sec)
            print(f"[{rep}] engine {w} x{c}: {tok / sec:.1f} tok/s ({tok} tok, {sec:.1f} s)")
    for llm in engines.values():
        await llm.aclose()
    raw.close()

    base = statistics.median(runs["baseline"])
    lines = [
        "# Embedded engine throughput (SmolLM2-135M-Instruct, llama.cpp, CPU)",
        "",
        f"Completion tokens/s, max_tokens {args.max_tokens}, temperature 0.9, top-p 0.95, "
        f"{threads} threads; median of {args.repeats} interleaved runs (all runs listed).",
        "",
        "| what | requests in flight | weights | tokens/s | × single-stream | runs |",
        "| --- | ---: | --- | ---: | ---: | --- |",
        f"| raw `Llama.create_chat_completion` | 1 | Q4_1 (as shipped) | {base:.1f} | 1.00× | "
        + ", ".join(f"{x:.1f}" for x in runs["baseline"])
        + " |",
    ]
    for w, c in grid:
        vals = runs[f"{w}:{c}"]
        med = statistics.median(vals)
        label = "Q4_1 (as shipped)" if w == "original" else f"{w.upper()} (converted once)"
        lines.append(
            f"| synthloop engine | {c} | {label} | {med:.1f} | {med / base:.2f}× | "
            + ", ".join(f"{x:.1f}" for x in vals)
            + " |"
        )
    lines += ["", "Same request, different batches (determinism across batch compositions):", ""]
    for w in dict.fromkeys(w for w, _ in grid):
        levels = sorted(c for ww, c in grid if ww == w)
        ref = texts[w, levels[0]]
        for c in levels[1:]:
            same = sum(a == b for a, b in zip(ref, texts[w, c], strict=False))
            lines.append(
                f"- {w}: {same} of {len(ref)} answers at {c} in flight are identical to "
                f"those at {levels[0]} in flight"
            )
    lines += [
        "",
        f"Command: `flock /tmp/synthloop-llm.lock python bench/engine_throughput.py "
        f"--grid '{args.grid}' --max-tokens {args.max_tokens} --repeats {args.repeats}`",
        "",
        f"Versions: llama-cpp-python {llama_cpp.__version__}, Python "
        f"{platform.python_version()}. Machine: {platform.machine()}, {threads} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (teammates share the machine; "
        "llama.cpp runs were serialised by the lock, other work was not).",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
