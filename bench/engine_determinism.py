"""Is an embedded answer a function of its request? The same requests (same prompts, same
seeds) sent on different schedules, answers compared.

Schedules, all in one process per engine setting, through synthloop's own path
(``EmbeddedLLM.complete``, as ``complete_many`` calls it):

- ``in order``: all requests at once, in order, on a freshly loaded engine;
- ``in order again``: the same, on the now warm engine (its slots hold the cells of the
  last requests, which a new prompt's shared prefix reuses);
- ``reversed``: all at once, in reverse order (other requests share each one's steps);
- ``one at a time``: each request sent after the previous one answered.

Engine settings: the default (16 in flight, converted Q8_0 weights, fused attention);
``max_concurrency: 1`` (one sequence, the shipped weights, unfused attention: the answers of
``Llama.create_chat_completion``); and, as a diagnosis, the default with prompt-prefix
reuse turned off (its worker, run with ``--no-reuse``, patches the engine's prefix matcher
to find none, so every prompt is prefilled whole).

Requests look like synthloop's: a long shared instruction, then a per-request part.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/engine_determinism.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEDULES = ["in order", "in order again", "reversed", "one at a time"]
SETTINGS = {
    "default (16 in flight, Q8_0, fused attention)": ["--concurrency", "16"],
    "max_concurrency: 1": ["--concurrency", "1"],
    "16 in flight, no prompt-prefix reuse (diagnosis)": ["--concurrency", "16", "--no-reuse"],
}
INTRO = (
    "You write realistic customer reviews for a dataset about restaurants, cafes and food "
    "delivery. Each review is one or two sentences, in the customer's voice, with concrete "
    "details about the food, the service or the place. "
)
TOPICS = ["pizza", "sushi", "coffee", "burger", "pasta", "salad", "tacos", "ramen", "curry",
          "steak", "dumplings", "pho"]  # fmt: skip


def requests(n: int, max_tokens: int) -> list:
    from synthloop.llm import Message, Request

    return [
        Request(
            messages=[
                Message(
                    role="user",
                    content=INTRO + f"Reason {i % 7}: the {TOPICS[i % len(TOPICS)]}. Write one "
                    f"{'positive' if i % 2 else 'negative'} review. Reply with the review only.",
                )
            ],
            max_tokens=max_tokens,
            temperature=0.9,
            top_p=0.95,
            seed=5000 + i,
        )
        for i in range(n)
    ]


async def answers(concurrency: int, n: int, max_tokens: int) -> dict[str, list[str]]:
    from synthloop.llm.embedded import EmbeddedLLM

    llm = EmbeddedLLM(max_concurrency=concurrency)
    reqs = requests(n, max_tokens)

    async def at_once(order: list[int]) -> list[str]:
        got = await asyncio.gather(*(llm.complete(reqs[i]) for i in order))
        by_index = dict(zip(order, (r.text for r in got), strict=True))
        return [by_index[i] for i in range(n)]

    out: dict[str, list[str]] = {}
    try:
        out["in order"] = await at_once(list(range(n)))
        out["in order again"] = await at_once(list(range(n)))
        out["reversed"] = await at_once(list(reversed(range(n))))
        out["one at a time"] = [(await llm.complete(r)).text for r in reqs]
    finally:
        await llm.aclose()
    return out


def spawn(flags: list[str], n: int, max_tokens: int) -> dict[str, list[str]]:
    cmd = [sys.executable, __file__, "--worker", *flags, "-n", str(n)]
    cmd += ["--max-tokens", str(max_tokens)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=64, help="requests per schedule")
    parser.add_argument("--max-tokens", type=int, default=72)
    parser.add_argument("--out", default=str(ROOT / "bench/results/engine_determinism.md"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=16, help=argparse.SUPPRESS)
    parser.add_argument("--no-reuse", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.no_reuse:
            import synthloop.llm.engine as engine

            engine._shared_prefix = lambda a, b: 0  # diagnosis only: no prefix is ever shared
        print(json.dumps(asyncio.run(answers(args.concurrency, args.n, args.max_tokens))))
        return

    start = time.perf_counter()
    lines = [
        "# Is an embedded answer a function of its request?",
        "",
        f"{args.n} chat requests (one shared instruction of ~50 tokens, then a per-request "
        f"part; seeds fixed), max_tokens {args.max_tokens}, temperature 0.9, top-p 0.95. Each "
        "cell: how many of the answers on the column's schedule are identical to those on "
        "`in order` (a fresh engine, all requests at once). One process per engine setting.",
        "",
        "| engine setting | " + " | ".join(SCHEDULES[1:]) + " |",
        "| --- |" + " ---: |" * (len(SCHEDULES) - 1),
    ]
    for name, flags in SETTINGS.items():
        got = spawn(flags, args.n, args.max_tokens)
        ref = got["in order"]
        cells = [
            f"{sum(a == b for a, b in zip(ref, got[s], strict=True))} / {args.n}"
            for s in SCHEDULES[1:]
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    import llama_cpp

    lines += [
        "",
        "Command: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/engine_determinism.py "
        f"-n {args.n} --max-tokens {args.max_tokens}`",
        "",
        f"Versions: llama-cpp-python {llama_cpp.__version__}, Python "
        f"{platform.python_version()}. Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{time.perf_counter() - start:.0f} s in all.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
