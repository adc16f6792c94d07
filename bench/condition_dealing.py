"""Dealing n conditions with exclusions: `ConditionScopes.deal`'s wall time as n grows.

A condition the exclusions rule out swaps a value with another condition's. That swap
used to shuffle a list of all n conditions for every excluded one (O(n²) dealing); it now
samples up to 1,000 partners. Three scopes (4 x 3 x 2 values, weighted), one exclusion
rule that rules out 1 combination in 8, one seed per size.

    .venv/bin/python bench/condition_dealing.py [--src OTHER_CHECKOUT/src ...]
    # writes bench/results/condition_dealing.md; each --src is timed beside this checkout's

No LLM is loaded. Each (source tree, n) runs in its own subprocess.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SIZES = (1_000, 10_000, 30_000, 100_000)
CHILD = """
import json, random, sys, time
from synthloop.generate.conditions import ConditionScopes
scopes = ConditionScopes(
    {"topic": {"food": 4, "service": 3, "price": 2, "place": 1},
     "length": ["short", "medium", "long"], "tone": ["calm", "angry"]},
    exclude=[{"topic": ["food", "service"], "length": "long", "tone": "calm"}],
)
n = int(sys.argv[1])
start = time.perf_counter()
dealt = scopes.deal(n, random.Random(0))
seconds = time.perf_counter() - start
assert len(dealt) == n and not any(scopes.excluded(c) for c in dealt)
print(json.dumps({"seconds": seconds}))
"""


def timed(src: Path, n: int, limit: float) -> float | None:
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n)],
            env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, check=True, timeout=limit,
        ).stdout  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    return float(json.loads(out)["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, nargs="*", default=[], help="other source trees")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--results", type=Path, default=ROOT / "results" / "condition_dealing.md")
    args = ap.parse_args()
    trees = [ROOT.parent / "src", *args.src]
    rows = []
    for n in SIZES:
        cells = []
        for src in trees:
            s = timed(src, n, args.limit)
            cells.append(f"{s:.2f}" if s is not None else f"> {args.limit:.0f}")
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    head = " | ".join(["this checkout", *(str(s) for s in args.src)])
    text = "\n".join([
        "# Dealing n conditions with exclusions (seconds, one run each)", "",
        f"`{' '.join(['.venv/bin/python bench/condition_dealing.py', *sys.argv[1:]])}` on "
        f"{platform.machine()}, {platform.python_version()}; see the module docstring.", "",
        f"| n | {head} |", "| ---: | " + " | ".join("---:" for _ in trees) + " |", *rows, "",
    ])  # fmt: skip
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
