"""One more lever for issue 14: extrapolate every one of the user's real records, not only
the held-out errors.

S3 asks for new examples like the real records its small model gets wrong. With 100 real
labels held-out finds few errors (on sms_spam S3 spent 80 of 200 calls), and the 135M
model's free extrapolations of news errors lose their topic. Here the same extrapolation
prompt is given each of the user's real records once (their gold label, ``parent_id`` =
the record), so the synthetic set stays anchored to real texts. Cross-fitting never lets
an extrapolation of fold k's record help score fold k (``Folds.derived_from``), so the
held-out choice stays honest.

Rows (test %, learner, C and synthetic weight chosen on held-out for each, the same 5
folds as ``bench/s3_real.py``): real alone and real + S3 from the few100 runs' cached
evaluation, real + augmented, real + S3 + augmented.

    # LLM (the shared response cache of bench/s3_real.py; one dataset and seed per call)
    flock /tmp/synthloop-llm.lock .venv/bin/python bench/s3_augment.py generate ag_news --seed 0
    # no LLM: writes bench/results/s3_augment.md
    .venv/bin/python bench/s3_augment.py evaluate
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from benchmark_tasks import TASKS
from embedding_store import EmbeddingStore
from s3_real import RUNS, acc, learners_for, read_records, run_dir, test_records, user_split
from synthloop.core.io import write_json, write_jsonl
from synthloop.evaluate.heldout import Candidate, Folds, choose, fit, grid
from synthloop.generate.extrapolate import extrapolate
from synthloop.llm import LLMConfig, make_llm
from synthloop.prompts import Prompter

ROOT = Path(__file__).resolve().parent
N_REAL = 100
DATASETS = ("sst2", "sms_spam", "ag_news")
#: the S3 runs this compares with: 100 real labels, budget 200 (bench/s3_real.py --variant few100)
S3_VARIANT, BUDGET = "few100", 200


def aug_path(name: str, seed: int) -> Path:
    return RUNS / "augment" / name / f"seed{seed}" / "augmented.jsonl"


async def generate(name: str, seed: int) -> None:
    task = TASKS[name]
    real, _ = user_split(name, N_REAL, seed)
    llm_cfg = LLMConfig(mode="chat", n_threads=1)  # as bench/s3_real.py generate
    llm = make_llm(llm_cfg, RUNS / "cache" / f"{name}-seed{seed}.sqlite")
    t0 = time.perf_counter()
    try:
        # round 4: past S3's three rounds, so no request repeats one of theirs
        gen = await extrapolate(llm, Prompter(task, llm_cfg), real, round=4, seed=seed)
    finally:
        await llm.aclose()
    out = aug_path(name, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl((r.to_row() for r in gen.records), out)
    meta = {"calls": gen.calls, "kept": len(gen.records), "dropped": dict(gen.dropped)}
    write_json({**meta, "seconds": time.perf_counter() - t0}, out.with_name("meta.json"))
    print(name, seed, meta)


def evaluate_one(name: str, seed: int) -> dict[str, Any]:
    task = TASKS[name]
    folder = run_dir(S3_VARIANT, name, seed) / f"b{BUDGET}"
    base = json.loads((folder / f"eval_n{N_REAL}.json").read_text())
    real, _ = user_split(name, N_REAL, seed)
    test = test_records(name)
    folds = Folds.split(real, 5, seed)
    learners = learners_for(task)
    kept = base["kept_round"]
    s3 = [r for r in read_records(folder / "s3.jsonl", task) if (r.round or 0) <= kept]
    aug = read_records(aug_path(name, seed), task)
    meta = json.loads(aug_path(name, seed).with_name("meta.json").read_text())
    rows: dict[str, Any] = {
        k: {"test": base["rows"][k]["test"], "heldout": base["rows"][k]["heldout"]}
        for k in ("real alone", "real + S3", "real + ZeroGen")
    }
    for key, syn in (("real + augmented", aug), ("real + S3 + augmented", s3 + aug)):
        best = choose(grid(learners), real, syn, folds, task).best
        rows[key] = {
            "test": acc(fit(best.candidate, real, syn, task), test, task),
            "heldout": best.scores.accuracy,
            "choice": best.candidate.name,
        }
    # a diagnostic, not a choice: the same data at weight 1 with real alone's learner and
    # C, to tell a held-out that cannot see a gain from data that has none
    alone = choose(grid(learners, weights=(0.0,)), real, [], folds, task).best.candidate
    for key, syn in (("real + augmented", aug), ("real + S3", s3)):
        fixed = Candidate(alone.learner, alone.C, 1.0)
        rows[f"{key}, weight 1"] = {"test": acc(fit(fixed, real, syn, task), test, task)}
    return {
        "dataset": name,
        "seed": seed,
        "s3_calls": base["calls"],
        "s3_kept": len(s3),
        "aug_calls": meta["calls"],
        "aug_kept": meta["kept"],
        "rows": rows,
    }


def mean_std(xs: list[float]) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{100 * statistics.mean(xs):.1f} ± {100 * sd:.1f}"


def render(results: list[dict[str, Any]]) -> str:
    keys = ["real alone", "real + ZeroGen", "real + S3", "real + augmented"]
    keys += ["real + S3 + augmented", "real + S3, weight 1", "real + augmented, weight 1"]
    lines = [
        "# Extrapolating every real record (issue 14 lever)",
        "",
        "Generated by `flock /tmp/synthloop-llm.lock .venv/bin/python bench/s3_augment.py generate "
        "<dataset> --seed <s>`; scored by `.venv/bin/python bench/s3_augment.py evaluate`. "
        f"{N_REAL} real labels, SmolLM2-135M, one extrapolation per real record; S3 and ZeroGen "
        f"rows are bench/s3_real.py's {S3_VARIANT} runs (budget {BUDGET}). Test %, mean ± std over "
        "seeds; every row's learner, C and synthetic weight chosen on 5-fold held-out real data "
        "(the two weight-1 rows excepted: real alone's learner and C, synthetic weight fixed at 1, "
        "a diagnostic). The reading is Update 6 in s3_real.reading.md.",
        "",
        "| dataset (seeds) | calls S3 / aug | kept S3 / aug | " + " | ".join(keys) + " |",
        "| --- | --- | --- | " + " | ".join("---:" for _ in keys) + " |",
    ]
    for name in DATASETS:
        res = [r for r in results if r["dataset"] == name]
        if not res:
            continue
        calls = (
            "/".join(str(r["s3_calls"]) for r in res)
            + " ; "
            + "/".join(str(r["aug_calls"]) for r in res)
        )
        kept = (
            "/".join(str(r["s3_kept"]) for r in res)
            + " ; "
            + "/".join(str(r["aug_kept"]) for r in res)
        )
        cells = [mean_std([r["rows"][k]["test"] for r in res]) for k in keys]
        lines.append(f"| {name} ({len(res)}) | {calls} | {kept} | " + " | ".join(cells) + " |")
    lines += ["", "Paired differences (test points, mean ± std over seeds):", ""]
    pairs = [
        ("real + augmented", "real alone"),
        ("real + augmented", "real + S3"),
        ("real + S3 + augmented", "real alone"),
        ("real + S3 + augmented", "real + S3"),
        ("real + augmented, weight 1", "real alone"),
    ]
    lines += ["| dataset | " + " | ".join(f"{a} − {b}" for a, b in pairs) + " |"]
    lines += ["| --- | " + " | ".join("---:" for _ in pairs) + " |"]
    for name in DATASETS:
        res = [r for r in results if r["dataset"] == name]
        if not res:
            continue
        cells = [
            mean_std([r["rows"][a]["test"] - r["rows"][b]["test"] for r in res]) for a, b in pairs
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Held-out choices per seed (learner, C, weight):", ""]
    for r in results:
        choices = {k: v.get("choice") for k, v in r["rows"].items() if v.get("choice")}
        lines.append(f"- {r['dataset']} seed {r['seed']}: {choices}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    g = sub.add_parser("generate")
    g.add_argument("dataset", choices=DATASETS)
    g.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("evaluate")
    e.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    e.add_argument("--results", type=Path, default=ROOT / "results" / "s3_augment.md")
    args = parser.parse_args()
    if args.step == "generate":
        asyncio.run(generate(args.dataset, args.seed))
        return
    store = EmbeddingStore(RUNS / "embeddings.sqlite")
    store.load()
    results = []
    try:
        for name in DATASETS:
            for seed in args.seeds:
                if not aug_path(name, seed).exists():
                    print(f"skip {name} seed {seed}: not generated")
                    continue
                results.append(evaluate_one(name, seed))
                print(json.dumps(results[-1]["rows"])[:400], flush=True)
                store.save()
    finally:
        store.save()
    write_json(results, args.results.with_suffix(".json"))
    args.results.write_text(render(results), encoding="utf-8")


if __name__ == "__main__":
    main()
