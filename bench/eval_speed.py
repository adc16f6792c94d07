"""Speed and peak memory of every direct metric on 10k and 100k benchmark-made records,
and self-BLEU checked against nltk's sentence_bleu on the same sample.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/eval_speed.py \
        --nltk-python /tmp/bleu-venv/bin/python      # writes bench/results/eval_speed.md

Records are made by the benchmark: each text joins the first half of one SST-2 training
sentence to the second half of another (seeded), so the vocabulary and lengths are real
but every text is new. The real side is SST-2 validation (872). Each size runs in a fresh
process, so its peak RSS (VmHWM) is its own; the MiniLM model's load is timed apart.

Embeddings: all N texts are embedded for 10k. For 100k, a stated subsample is embedded
(--embed-cap, default 10,000) and its rate is reported; the vector metrics (mean cosine,
Vendi, MMD, Fréchet) then run on 100k unit vectors drawn at random, whose cost depends only
on the shape (n x 384), not on the values.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parent.parent / "shared" / "data" / "sst2"
NLTK_SAMPLE = 400


def vm(key: str) -> float:
    """VmHWM (peak) or VmRSS of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_records(n: int, seed: int) -> tuple[list[str], list[str]]:
    rows = [json.loads(x) for x in (SHARED / "train.jsonl").read_text().splitlines()]
    rows = [r for r in rows if len(r["text"].split()) >= 4]
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        a, b = rng.choice(rows), rng.choice(rows)
        wa, wb = a["text"].split(), b["text"].split()
        texts.append(" ".join(wa[: len(wa) // 2] + wb[len(wb) // 2 :]))
        labels.append(a["label"])
    return texts, labels


def worker(n: int, embed_cap: int, bleu_sample: int, seed: int) -> dict[str, Any]:
    import numpy as np
    import torch

    torch.set_num_threads(2)
    from synthloop.evaluate import distance as ds
    from synthloop.evaluate import diversity as dv
    from synthloop.evaluate.text import tokenize

    steps: list[dict[str, Any]] = []

    def step(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        out = fn()
        steps.append(
            {"step": name, "seconds": round(time.perf_counter() - t0, 3), "peak_mib": vm("VmHWM")}
        )
        return out

    texts, labels = step("make records", lambda: make_records(n, seed))
    real_rows = [json.loads(x) for x in (SHARED / "validation.jsonl").read_text().splitlines()]
    real_texts = [r["text"] for r in real_rows]
    real_labels = [r["label"] for r in real_rows]
    toks = step("tokenize", lambda: [tokenize(t) for t in texts])
    real_toks = [tokenize(t) for t in real_texts]
    step("vocabulary size", lambda: dv.vocabulary_size(toks))
    for k in (1, 2, 3):
        step(f"distinct-{k}", lambda k=k: dv.distinct_n(toks, k))
    for k in (1, 2, 3):
        step(f"entropy-{k}", lambda k=k: dv.ngram_entropy(toks, k))
    step("compression ratio", lambda: dv.compression_ratio(texts))
    picked = dv.sample_indices(n, bleu_sample, seed)
    bleu = step(
        f"self-BLEU (sample {len(picked)}, seed {seed})",
        lambda: dv.self_bleu([toks[i] for i in picked]),
    )
    step("self-BLEU (all texts)", lambda: dv.self_bleu(toks))
    step("length histograms + W1", lambda: (
        ds.length_histograms([len(t) for t in toks], [len(t) for t in real_toks]),
        ds.wasserstein_distance([len(t) for t in toks], [len(t) for t in real_toks]),
    ))  # fmt: skip
    step("label balance + TV", lambda: ds.total_variation(
        ds.label_balance(labels, ["negative", "positive"]),
        ds.label_balance(real_labels, ["negative", "positive"]),
    ))  # fmt: skip
    step("vocabulary overlap", lambda: ds.vocabulary_overlap(toks, real_toks))

    from synthloop.core.embeddings import Embedder

    emb = Embedder(batch_size=128)
    step("load MiniLM", lambda: emb.encode(["warm up"]))
    embedded = min(n, embed_cap)
    vec = step(f"embed {embedded:,} texts", lambda: emb.encode(texts[:embedded]))
    real_vec = emb.encode(real_texts)
    if embedded < n:  # stand-ins of the right shape: vector metrics cost O(n d) or O(d^3)
        rng = np.random.default_rng(seed)
        vec = rng.standard_normal((n, vec.shape[1])).astype(np.float32)
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    step("mean pairwise cosine", lambda: dv.mean_pairwise_cosine(vec))
    step("Vendi score", lambda: dv.vendi_score(vec))
    sub = np.random.default_rng(seed).permutation(n)[:2000]
    step("MMD² RBF (2,000 per side)", lambda: ds.mmd_rbf(vec[sub], real_vec))
    step("Fréchet distance", lambda: ds.frechet_distance(vec, real_vec))
    embed_step = next(s for s in steps if s["step"].startswith("embed"))
    return {
        "n": n,
        "embedded": embedded,
        "embed_rate": embedded / embed_step["seconds"],
        "self_bleu": bleu,
        "bleu_sample": [toks[i] for i in picked[:NLTK_SAMPLE]],
        "steps": steps,
        "peak_mib": vm("VmHWM"),
    }


NLTK_SCRIPT = r"""
import json, sys, time
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
texts = json.load(open(sys.argv[1]))
smooth = SmoothingFunction().method1
t0 = time.perf_counter()
scores = [sentence_bleu(texts[:i] + texts[i + 1:], h, smoothing_function=smooth)
          for i, h in enumerate(texts)]
import nltk
print(json.dumps({"self_bleu": sum(scores) / len(scores), "seconds": time.perf_counter() - t0,
                  "version": nltk.__version__}))
"""


def nltk_check(sample: list[list[str]], python: str, tmp: Path) -> dict[str, Any]:
    from synthloop.evaluate.diversity import self_bleu

    path = tmp / "bleu_sample.json"
    path.write_text(json.dumps(sample))
    script = tmp / "nltk_self_bleu.py"
    script.write_text(NLTK_SCRIPT)
    theirs = json.loads(subprocess.run(
        [python, str(script), str(path)], capture_output=True, text=True, check=True
    ).stdout)  # fmt: skip
    t0 = time.perf_counter()
    ours = self_bleu(sample)
    return {"n": len(sample), "ours": ours, "ours_s": time.perf_counter() - t0, **theirs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--embed-cap", type=int, default=10_000)
    ap.add_argument("--bleu-sample", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nltk-python", default="/tmp/bleu-venv/bin/python")
    ap.add_argument("--worker", type=int)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "eval_speed.md")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.embed_cap, args.bleu_sample, args.seed)))
        return
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"size {n:,} ...", file=sys.stderr, flush=True)
        wall = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", str(n), "--embed-cap", str(args.embed_cap),
             "--bleu-sample", str(args.bleu_sample), "--seed", str(args.seed)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        res["wall"] = time.perf_counter() - wall
        results.append(res)
    check = nltk_check(results[0]["bleu_sample"], args.nltk_python, Path("/tmp"))
    write_markdown(args, results, check)
    print(f"written {args.out}", file=sys.stderr)


def write_markdown(args: Any, results: list[dict[str, Any]], check: dict[str, Any]) -> None:
    import numpy
    import sentence_transformers
    import torch

    names = [s["step"] for s in results[0]["steps"]]
    lines = [
        "# Direct evaluation metrics: time and peak memory",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with five teammates' "
        "jobs; this ran under the team's LLM lock, but unlocked work such as test suites may "
        f"have run beside it), Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"torch {torch.__version__} (2 threads), sentence-transformers "
        f"{sentence_transformers.__version__}, embeddings all-MiniLM-L6-v2 (batch 128).",
        "",
        "Reproduce: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/eval_speed.py "
        "--nltk-python /tmp/bleu-venv/bin/python` (the nltk venv: `python3.11 -m venv "
        "/tmp/bleu-venv && /tmp/bleu-venv/bin/pip install nltk==3.9.2`).",
        "",
        "Records are made by the benchmark (first half of one SST-2 train sentence + second "
        "half of another, seed 0); the real side is SST-2 validation (872 texts). Peak memory "
        "is the worker process's VmHWM after each step (it only grows), so the step where it "
        "jumps is the one that needed the memory.",
        "",
    ]
    for res in results:
        if res["embedded"] < res["n"]:
            lines.append(
                f"**{res['n']:,} records**: {res['embedded']:,} texts embedded (a stated "
                f"subsample) at {res['embed_rate']:.0f} texts/s, so all {res['n']:,} would "
                f"take about {res['n'] / res['embed_rate']:.0f} s; the vector metrics ran on "
                f"{res['n']:,} random unit vectors of the same shape."
            )
        else:
            lines.append(
                f"**{res['n']:,} records**: all embedded, at {res['embed_rate']:.0f} texts/s."
            )
        lines.append("")
    header = "| step | " + " | ".join(f"{r['n']:,}: s | {r['n']:,}: peak MiB" for r in results)
    lines += [header + " |", "| --- |" + " ---: | ---: |" * len(results)]
    for i, name in enumerate(names):
        cells = []
        for r in results:
            s = r["steps"][i]
            cells += [f"{s['seconds']:.2f}", f"{s['peak_mib']:.0f}"]
        label = name if not name.startswith("embed") else "embed (see above)"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    totals = []
    for r in results:
        totals += [f"{sum(s['seconds'] for s in r['steps']):.1f}", f"{r['peak_mib']:.0f}"]
    lines.append("| **all steps** | " + " | ".join(totals) + " |")
    lines += [
        "",
        "## Self-BLEU against nltk",
        "",
        f"On the first {check['n']} texts of the 10k run's self-BLEU sample (tokens as "
        "synthloop splits them), each text against all others, BLEU-4, "
        f"`SmoothingFunction().method1`, nltk {check['version']}:",
        "",
        "| implementation | self-BLEU | seconds |",
        "| --- | ---: | ---: |",
        f"| nltk `sentence_bleu` (quadratic) | {check['self_bleu']:.10f} "
        f"| {check['seconds']:.2f} |",
        f"| synthloop `self_bleu` (linear) | {check['ours']:.10f} | {check['ours_s']:.3f} |",
        "",
        f"Absolute difference: {abs(check['self_bleu'] - check['ours']):.2e}. synthloop keeps, "
        "for each n-gram, its highest and second-highest count in any one text, so the "
        'clipping count against "all texts but this one" costs one lookup: the 1,000-text '
        "sample and the whole set above run in linear time.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
