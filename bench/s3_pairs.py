"""S3 on sentence-pair tasks (RTE, QNLI) against zero-shot hypothesis generation.

Both methods keep real premises (RTE) or passage sentences (QNLI) from a small labelled
validation sample of the train split and have the LLM write the hypothesis (question) for
a target label. S3 seeds from rationales, then extrapolates the small model's validation
errors (same premise, new hypothesis, gold label); zero-shot gets exactly as many LLM
requests as S3 made. The small model is the pair classifier on MiniLM sentence embeddings
(embed_lr, features [u, v, |u-v|, u*v]); each training set is scored on the real test
split, next to the same model trained on the real validation sample and on the full real
train split.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/s3_pairs.py --calls 200

Run directories and response caches go to bench/runs/s3_pairs/ (git-ignored): a rerun
with the same flags is served from the caches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark_tasks import SHARED, stratified_sample, tasks
from synthloop.core.io import DataSpec, load_records, write_jsonl
from synthloop.evaluate import train_and_score
from synthloop.generate import seed_anchors, zerogen
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.prompts import Prompter
from synthloop.run.config import DataConfig, RunConfig
from synthloop.run.s3 import run_s3
from synthloop.s3.config import S3Config

ROOT = Path(__file__).resolve().parent
LEARNER = "embed_lr"

TASKS = tasks("rte", "qnli")
# Real splits: (file the small validation sample is drawn from, real test file)
SPLITS = {"rte": ("train", "validation"), "qnli": ("train", "test")}


def validation_sample(name: str, out: Path, size: int) -> Path:
    """A stratified sample of the train split: the only labelled data S3 sees."""
    task = TASKS[name]
    train = load_records(SHARED / name / f"{SPLITS[name][0]}.jsonl", task, split_name="train")
    picked = stratified_sample(train, size)
    path = out / name / "validation_sample.jsonl"
    write_jsonl(({**r.inputs, "label": r.label} for r in picked), path)
    return path


@dataclass
class Row:
    dataset: str
    method: str
    train_size: int
    requests: int
    seconds: float
    accuracy: float
    macro_f1: float


def plan(calls: int, rounds: int) -> tuple[int, int]:
    """Split a per-method call budget: 2 rationale calls, a quarter per extrapolation round
    (as an error cap; rounds with fewer errors spend less), the rest on the seed set."""
    per_round = (calls - 2) // 4
    return calls - 2 - rounds * per_round, per_round


async def bench_one(name: str, args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    task = TASKS[name]
    out = args.out / name
    val_path = validation_sample(name, args.out, args.val_size)
    test_path = SHARED / name / f"{SPLITS[name][1]}.jsonl"
    seed_size, per_round = plan(args.calls, args.rounds)
    config = RunConfig(
        task=task,
        data=DataConfig(
            validation=DataSpec(path=str(val_path)), test=DataSpec(path=str(test_path))
        ),
        llm=LLMConfig(max_tokens=args.max_tokens),
        s3=S3Config(
            seed_size=seed_size,
            rationale_calls_per_label=1,
            rounds=args.rounds,
            max_errors_per_round=per_round,
        ),
        learner=LEARNER,
        seed=args.seed,
    )
    s3 = await run_s3(config, out / "s3", force=True)
    validation, test = s3.validation, s3.test
    assert test is not None
    budget = s3.usage.calls + s3.usage.cache_hits

    llm = make_llm(config.llm, out / "zeroshot.cache.sqlite")
    assert isinstance(llm, CachedLLM)
    start = time.perf_counter()
    anchors = seed_anchors(task, validation, budget, seed=args.seed)
    zs = await zerogen(llm, Prompter(task, config.llm), budget, seed=args.seed, anchors=anchors)
    zs_seconds = time.perf_counter() - start
    await llm.aclose()
    write_jsonl((r.to_row() for r in zs.records), out / "zeroshot.jsonl")

    seconds = {"s3": s3.seconds, "zeroshot": zs_seconds}
    timing = out / "paid_seconds.json"  # wall time of the run that paid for the calls
    if s3.usage.cache_hits == 0 and llm.usage.cache_hits == 0:
        timing.write_text(json.dumps(seconds))
    elif timing.exists():
        seconds = json.loads(timing.read_text())

    train_real = load_records(SHARED / name / f"{SPLITS[name][0]}.jsonl", task, split_name="train")
    dataset = s3.result.dataset
    rows = []
    for method, train, requests, secs in (
        ("(a) zero-shot hypotheses", zs.records, budget, seconds["zeroshot"]),
        ("(b) S3", dataset, budget, seconds["s3"]),
        ("(c) real validation sample only", validation, 0, 0.0),
        ("(d) real validation sample + S3", [*validation, *dataset], budget, seconds["s3"]),
        ("(e) full real train split", train_real, 0, 0.0),
    ):
        scores = train_and_score(train, test, task, LEARNER)
        rows.append(Row(name, method, len(train), requests, secs, scores.accuracy, scores.macro_f1))
    labels = {lab: sum(r.label == lab for r in dataset) for lab in task.label_names}
    detail = {
        "validation": len(validation),
        "test": len(test),
        "test_file": test_path.name,
        "seed_size": seed_size,
        "errors_cap": per_round,
        "s3_rounds": [
            (r.round, r.train_size, len(r.errors), r.test.accuracy if r.test else None)
            for r in s3.result.rounds
        ],
        "s3_labels": labels,
        "s3_dropped": {r.round: r.generation.get("dropped", {}) for r in s3.result.rounds},
        "zeroshot_dropped": dict(zs.dropped),
        "cache_hits": {"s3": s3.usage.cache_hits, "zeroshot": llm.usage.cache_hits},
        "examples": {
            "s3": [r.to_row() for r in dataset[:2] + dataset[-2:]],
            "zeroshot": [r.to_row() for r in zs.records[:2]],
        },
    }
    return rows, detail


def to_markdown(rows: list[Row], details: dict[str, dict[str, Any]], args: Any) -> str:
    lines = [
        "# S3 vs zero-shot hypothesis generation on sentence-pair tasks (RTE, QNLI)",
        "",
        f"Embedded LLM: SmolLM2-135M-Instruct (Q4_1, llama.cpp, {platform.machine()}, "
        f"2 shared cores), temperature 0.9, top-p 0.95, max {args.max_tokens} tokens. "
        "Small model: `embed_lr` (all-MiniLM-L6-v2 sentence embeddings, pair features "
        "[u, v, |u-v|, u*v], logistic regression). "
        f"Seed {args.seed}. Labelled data S3 sees: a stratified sample of {args.val_size} from "
        "each train split (seed 0). Test: RTE's validation split (GLUE RTE has no labelled "
        "test), QNLI's test file. Both methods keep the real premise (RTE) or sentence (QNLI) "
        "of validation-sample records and generate only the hypothesis (question) for a "
        "target label; zero-shot gets exactly as many LLM requests as S3 made (rationales "
        "+ seed + extrapolation).",
        "",
        f"Reproduce: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/s3_pairs.py "
        f"--calls {args.calls} --rounds {args.rounds} --val-size {args.val_size} "
        f"--seed {args.seed}` (reruns hit the caches in bench/runs/s3_pairs/).",
        "",
        "| dataset | training data | train size | LLM requests | wall s | test acc % | "
        "test macro-F1 % |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.dataset} | {r.method} | {r.train_size} | {r.requests} | {r.seconds:.0f} | "
            f"{100 * r.accuracy:.1f} | {100 * r.macro_f1:.1f} |"
        )
    lines += ["", "## S3 per round", ""]
    for name, d in details.items():
        parts = [
            f"round {rnd}: {size} examples, {errs} val errors, test {100 * (acc or 0):.1f}%"
            for rnd, size, errs, acc in d["s3_rounds"]
        ]
        lines.append(
            f"- **{name}** (validation sample {d['validation']}, test {d['test']} from "
            f"{d['test_file']}; seed set {d['seed_size']} calls, at most {d['errors_cap']} "
            "errors extrapolated per round): " + "; ".join(parts)
        )
        lines.append(
            f"  - S3 labels {d['s3_labels']}; dropped at parsing: S3 {d['s3_dropped']}, "
            f"zero-shot {d['zeroshot_dropped']}; cache hits this run: {d['cache_hits']}"
        )
    lines += ["", "## A few generated records", ""]
    for name, d in details.items():
        for method, recs in d["examples"].items():
            for rec in recs:
                fields = {k: rec[k] for k in TASKS[name].inputs}
                lines.append(
                    f"- {name} {method} ({rec['method']}, {rec['label']}): "
                    + json.dumps(fields, ensure_ascii=False)
                )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["rte", "qnli"], choices=list(TASKS))
    parser.add_argument(
        "--calls", type=int, default=200, help="LLM-call budget per method and dataset"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--val-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "s3_pairs")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "s3_pairs.md")
    args = parser.parse_args()
    rows: list[Row] = []
    details = {}
    for name in args.datasets:
        r, d = asyncio.run(bench_one(name, args))
        rows += r
        details[name] = d
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(to_markdown(rows, details, args), encoding="utf-8")
    print(args.results.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
