"""Exact and MinHash near-duplicate removal at scale: synthloop's vectorised MinHash LSH
beside datasketch's MinHashLSH used directly, on 100k and 1M short texts with planted
duplicates (so recall can be reported).

Each (method, size) runs in its own subprocess; peak memory is that process's peak RSS
during deduplication (VmHWM, reset after the texts are generated; it includes the texts).

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/dedup_scale.py
    # writes bench/results/dedup_scale.md

Texts: 10-30 words drawn from a Zipf-distributed vocabulary of 20,000 pseudo-words. Of
every 100 texts, 10 are near copies of an earlier text (one edit, or two for 30%
of them: substitute, insert or delete a word) and 5 are exact copies up to case and punctuation.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
THRESHOLD = 0.7
NUM_PERM = 128
NGRAM = 3


def make_texts(n: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, the kind of each (0 original, 1 near copy, 2 exact copy), and its source."""
    rng = np.random.default_rng(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu", "fe", "bi"]
    vocab = sorted(
        {
            "".join(rng.choice(syllables, size=rng.integers(1, 4))) + str(i % 7)
            for i in range(40_000)
        }
    )[:20_000]
    ranks = np.arange(1, len(vocab) + 1)
    probs = 1.0 / ranks**1.05
    probs /= probs.sum()
    words = rng.choice(len(vocab), size=(n, 30), p=probs)
    lengths = rng.integers(10, 31, size=n)
    kind = np.zeros(n, dtype=np.int8)
    source = np.full(n, -1, dtype=np.int64)
    draw = rng.random(n)
    kind[(draw < 0.10)] = 1
    kind[(draw >= 0.10) & (draw < 0.15)] = 2
    kind[:100] = 0  # the first texts have nothing to copy yet
    texts: list[str] = []
    for i in range(n):
        if kind[i] == 0:
            texts.append(" ".join(vocab[w] for w in words[i, : lengths[i]]))
            continue
        src = int(rng.integers(0, i))
        while kind[src] != 0:
            src = int(rng.integers(0, i))
        source[i] = src
        toks = texts[src].split()
        if kind[i] == 2:
            texts.append(texts[src].upper() + " !")
            continue
        for _ in range(1 if rng.random() < 0.7 else 2):
            op, pos = rng.integers(0, 3), int(rng.integers(0, len(toks)))
            new = vocab[int(rng.integers(0, len(vocab)))]
            if op == 0:
                toks[pos] = new
            elif op == 1:
                toks.insert(pos, new)
            elif len(toks) > 5:
                del toks[pos]
        texts.append(" ".join(toks))
    return texts, kind, source


def cached_texts(n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """make_texts(n), generated once and kept under bench/runs/ (each worker reads it)."""
    path = ROOT / "runs" / "dedup_scale" / f"texts_{n}.pkl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(make_texts(n), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    loaded: tuple[list[str], np.ndarray, np.ndarray] = pickle.loads(path.read_bytes())
    return loaded


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_ours_exact(texts: list[str]) -> np.ndarray:
    from synthloop.curate.dedup import normalise

    seen: set[str] = set()
    drop = np.zeros(len(texts), dtype=bool)
    for i, t in enumerate(texts):
        key = normalise(t)
        if key in seen:
            drop[i] = True
        else:
            seen.add(key)
    return drop


def run_ours_minhash(texts: list[str]) -> np.ndarray:
    from synthloop.compute import minhash

    result = minhash.near_duplicates(texts, threshold=THRESHOLD, num_perm=NUM_PERM, ngram=NGRAM)
    return result.drop


def run_datasketch(texts: list[str]) -> np.ndarray:
    """datasketch as its docs show: MinHash per text, query the LSH, insert if new."""
    from datasketch import MinHash, MinHashLSH

    from synthloop.compute.minhash import word_shingles

    analyze = word_shingles(NGRAM)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    drop = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in analyze(text)])
        if lsh.query(m):
            drop[i] = True
        else:
            lsh.insert(str(i), m)
    return drop


METHODS = {
    "synthloop exact (normalised text)": run_ours_exact,
    "synthloop MinHash LSH": run_ours_minhash,
    "datasketch MinHashLSH": run_datasketch,
}


def jaccard(a: str, b: str) -> float:
    from synthloop.compute.minhash import word_shingles

    analyze = word_shingles(NGRAM)
    sa, sb = set(analyze(a)), set(analyze(b))
    return len(sa & sb) / max(1, len(sa | sb))


def worker(method: str, n: int, sample: int | None) -> dict[str, Any]:
    texts, kind, source = cached_texts(n)
    if sample is not None:
        texts, kind, source = texts[:sample], kind[:sample], source[:sample]
    import datasketch  # noqa: F401 - imports are not part of the timing

    import synthloop.compute.minhash
    import synthloop.curate.dedup  # noqa: F401

    base_mb = _rss_mb("VmRSS")
    _reset_peak()
    start, cpu0 = time.perf_counter(), time.process_time()
    drop = METHODS[method](texts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    peak_mb = _rss_mb("VmHWM")
    near = np.flatnonzero(kind == 1)
    true_j = np.array([jaccard(texts[i], texts[source[i]]) for i in near])
    above = near[true_j >= THRESHOLD]
    high = near[true_j >= 0.8]
    exact = np.flatnonzero(kind == 2)
    planted = kind > 0
    return {
        "method": method,
        "n": len(texts),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "texts_mb": base_mb,
        "peak_mb": peak_mb,
        "dropped": int(drop.sum()),
        "exact_copies": len(exact),
        "exact_recall": float(drop[exact].mean()),
        "near_copies": len(near),
        "near_above_threshold": len(above),
        "near_recall_above": float(drop[above].mean()) if len(above) else float("nan"),
        "near_above_08": len(high),
        "near_recall_08": float(drop[high].mean()) if len(high) else float("nan"),
        "near_recall_all": float(drop[near].mean()),
        "dropped_not_planted": int((drop & ~planted).sum()),
    }


def run_worker(method: str, n: int, sample: int | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", method, "--n", str(n)]
    if sample is not None:
        cmd += ["--sample", str(sample)]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
    }
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{method} on {n}: failed\n{proc.stderr[-2000:]}")
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(row), flush=True)
    return row


def versions() -> str:
    import datasketch
    import scipy
    import sklearn

    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, datasketch {datasketch.__version__}"
    )


def to_markdown(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Near-duplicate removal at scale",
        "",
        "Texts made by the benchmark itself (`make_texts`): 10-30 words from a Zipf "
        "vocabulary of 20,000 pseudo-words; 10% are near copies of an earlier text (one word "
        "substituted, inserted or deleted; two for 30% of them), 5% exact copies up to case "
        "and punctuation. Jaccard threshold "
        f"{THRESHOLD} on word {NGRAM}-gram shingles, {NUM_PERM} permutations, for both MinHash "
        "implementations (datasketch fed the same shingles; its LSH picks bands and rows by the "
        "same rule). Recall counts a planted copy as found when it is dropped; 'near ≥ t' are the "
        "near copies whose true Jaccard to their source is at least the threshold.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with teammates: "
        f"{args.contention} {versions()}. Peak memory: the process's peak RSS during "
        "deduplication, texts included ('texts MB' is the RSS before it began). CPU s: user + "
        "system time of that process, the measure least affected by other jobs.",
        "",
        "Reproduce: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/dedup_scale.py` "
        "(the texts are generated once and kept in bench/runs/dedup_scale/).",
        "",
        "| method | texts | wall s | CPU s | texts MB | peak MB | dropped | exact recall | "
        "near recall (J ≥ t) | near recall (J ≥ 0.8) | near recall (all) | dropped, not planted |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r.get("extrapolated"):
            lines.append(
                f"| {r['method']} (extrapolated from {r['measured_on']:,}) | {r['n']:,} | "
                f"~{r['seconds']:.0f} | ~{r['cpu_seconds']:.0f} | – | not measured | – | – | – "
                "| – | – | – |"
            )
            continue
        lines.append(
            f"| {r['method']} | {r['n']:,} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
            f"{r['texts_mb']:.0f} | "
            f"{r['peak_mb']:.0f} | {r['dropped']:,} | {100 * r['exact_recall']:.1f}% | "
            f"{100 * r['near_recall_above']:.1f}% | {100 * r['near_recall_08']:.1f}% | "
            f"{100 * r['near_recall_all']:.1f}% | {r['dropped_not_planted']:,} |"
        )
    lines += [
        "",
        "Both use the same bands x rows for the threshold (14 x 9 at 0.7). synthloop then "
        "verifies each bucket collision against the threshold with the signatures' Jaccard "
        "estimate and joins verified pairs into clusters; datasketch's `query` returns every "
        "collision unverified, so it drops a few more copies near the threshold (and would drop "
        "more false positives on data with many texts just under it).",
    ]
    if any(r.get("extrapolated") for r in rows):
        lines += [
            "",
            "Rows marked extrapolated: datasketch ran on fewer texts and its time was scaled "
            "linearly (its per-text MinHash and LSH query/insert are per-text Python calls); "
            "their memory and recall were not measured.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--datasketch-max", type=int, default=1_000_000,
        help="above this size datasketch runs on the first N texts and its time is extrapolated",
    )  # fmt: skip
    parser.add_argument("--worker", choices=list(METHODS))
    parser.add_argument("--n", type=int)
    parser.add_argument("--sample", type=int)
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "dedup_scale.md")
    parser.add_argument(
        "--contention",
        default="the run held the team's benchmark lock, so no LLM ran beside it.",
        help="what else ran on the machine, for the results file",
    )
    parser.add_argument("--rows", type=Path, help="rebuild the results from printed rows")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.sample)))
        return
    rows = []
    if args.rows:
        measured = [json.loads(x) for x in args.rows.read_text().splitlines() if x.startswith("{")]
        for n in args.sizes:
            for method in METHODS:
                src = [r for r in measured if r["method"] == method and r["n"] == n]
                if not src and method.startswith("datasketch"):
                    base = next(
                        r
                        for r in measured
                        if r["method"] == method and r["n"] == args.datasketch_max
                    )
                    factor = n / base["n"]
                    src = [
                        {**base, "measured_on": base["n"], "extrapolated": True, "n": n,
                         "seconds": base["seconds"] * factor,
                         "cpu_seconds": base["cpu_seconds"] * factor}
                    ]  # fmt: skip
                rows += src
        args.results.write_text(to_markdown(rows, args), encoding="utf-8")
        print(args.results.read_text(encoding="utf-8"))
        return
    for n in args.sizes:
        cached_texts(n)
        for method in METHODS:
            if method.startswith("datasketch") and n > args.datasketch_max:
                # measured on datasketch_max texts of the same distribution, scaled linearly
                done = [r for r in rows if r["method"] == method and r["n"] == args.datasketch_max]
                row = dict(done[0]) if done else run_worker(method, n, args.datasketch_max)
                row = {**row, "measured_on": row["n"], "extrapolated": True}
                row["seconds"] *= n / row["measured_on"]
                row["cpu_seconds"] *= n / row["measured_on"]
                row["n"] = n
                rows.append(row)
            else:
                rows.append(run_worker(method, n, None))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(to_markdown(rows, args), encoding="utf-8")
    print(args.results.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
