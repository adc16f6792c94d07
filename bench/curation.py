"""Curation on LLM-generated data: what each filter, re-weighting and relabelling does to
the small model's accuracy on real test data.

Data: bench/curation_data.py (the embedded SmolLM2-135M; s3-seed + ZeroGen examples for
sst2 and sms_spam, cached under bench/runs/curation/). For each condition the curated set
trains TF-IDF + LR, scored on the real test split. The "best combination" is chosen among
a few fixed combinations by accuracy on real validation data (sst2's validation split;
for sms_spam, which has none, a stratified sample of 300 from its train split), never by
test accuracy. Changed labels (cross-partition relabelling) are written to
bench/results/curation_changed_labels.jsonl; a person's judgement of each is kept in
bench/results/curation_label_judgements.jsonl and counted here.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/curation_data.py   # once, ~15 min
    flock /tmp/synthloop-llm.lock .venv/bin/python bench/curation.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import time
from pathlib import Path
from typing import Any

from benchmark_tasks import SHARED, stratified_sample
from curation_data import LLM_CONFIG, RUNS, TASKS, generated_path
from synthloop.core.io import load_dataset_file, load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import CurateContext, Pipeline, make_step
from synthloop.evaluate import fit_on, score
from synthloop.llm import CachedLLM, make_llm
from synthloop.prompts import Prompter

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
JUDGEMENTS = RESULTS / "curation_label_judgements.jsonl"
CHANGED = RESULTS / "curation_changed_labels.jsonl"

SINGLE: dict[str, list[Any]] = {
    "exact_dedup": ["exact_dedup"],
    "minhash_dedup (J ≥ 0.7)": [{"minhash_dedup": {"threshold": 0.7}}],
    "embed_dedup (cos ≥ 0.95)": ["embed_dedup"],
    "length (3–120 words)": [{"length": {"min_words": 3, "max_words": 120}}],
    "repetition": ["repetition"],
    "non_text": ["non_text"],
    "language": ["language"],
    "prompt_leftover": ["prompt_leftover"],
    "refusal": ["refusal"],
    "confidence (CV p < 0.2: drop)": [{"confidence": {"threshold": 0.2}}],
    "llm_agreement (drop)": ["llm_agreement"],
    "confidence_weight": ["confidence_weight"],
    "sungen_weight": ["sungen_weight"],
    "relabel (aux tfidf_lr, p ≥ 0.8)": [{"relabel": {"min_confidence": 0.8}}],
    "relabel (aux embed_lr, p ≥ 0.8)": [
        {"relabel": {"min_confidence": 0.8, "learner": "embed_lr"}}
    ],
}
# Relabelling variants whose changed labels are collected for judging (the looser one
# only for that: it changes more records, so there is more to check by hand).
JUDGED_RELABELS: dict[str, list[Any]] = {
    "relabel (aux tfidf_lr, p ≥ 0.8)": SINGLE["relabel (aux tfidf_lr, p ≥ 0.8)"],
    "relabel (aux embed_lr, p ≥ 0.8)": SINGLE["relabel (aux embed_lr, p ≥ 0.8)"],
    "relabel (aux embed_lr, p ≥ 0.6)": [
        {"relabel": {"min_confidence": 0.6, "learner": "embed_lr"}}
    ],
}
CHEAP = [
    "exact_dedup",
    {"minhash_dedup": {"threshold": 0.7}},
    {"length": {"min_words": 3, "max_words": 120}},
    "repetition",
    "non_text",
    "language",
    "prompt_leftover",
    "refusal",
]
COMBOS: dict[str, list[Any]] = {
    "heuristics + dedup": CHEAP,
    "heuristics + dedup + confidence_weight": [*CHEAP, "confidence_weight"],
    "heuristics + dedup + sungen_weight": [*CHEAP, "sungen_weight"],
    "heuristics + dedup + relabel (embed_lr)": [
        *CHEAP,
        {"relabel": {"min_confidence": 0.8, "learner": "embed_lr"}},
    ],
    "heuristics + dedup + relabel (embed_lr) + confidence_weight": [
        *CHEAP,
        {"relabel": {"min_confidence": 0.8, "learner": "embed_lr"}},
        "confidence_weight",
    ],
    "heuristics + dedup + llm_agreement": [*CHEAP, "llm_agreement"],
}


def real_splits(name: str, task: Task) -> tuple[list[Record], list[Record]]:
    test = load_records(SHARED / name / "test.jsonl", task, split_name="test")
    own = SHARED / name / "validation.jsonl"
    if own.exists():
        return load_records(own, task, split_name="validation"), test
    train = load_records(SHARED / name / "train.jsonl", task, split_name="train")
    picked = stratified_sample(train, 300)
    return picked, test


async def curate(
    steps: list[Any], records: list[Record], ctx: CurateContext
) -> tuple[list[Record], dict[str, Any], float]:
    start = time.perf_counter()
    result = await Pipeline([make_step(s) for s in steps]).arun(records, ctx)
    return result.kept, result.summary(), time.perf_counter() - start


async def bench_dataset(name: str) -> dict[str, Any]:
    task = TASKS[name]
    records = load_dataset_file(generated_path(name), task)
    validation, test = real_splits(name, task)
    llm = make_llm(LLM_CONFIG, RUNS / name / "cache.sqlite")
    assert isinstance(llm, CachedLLM)
    ctx = CurateContext(
        task=task,
        references={"validation": validation, "test": test},
        llm=llm,
        prompter=Prompter(task, LLM_CONFIG),
    )
    rows = []
    changed: list[tuple[str, Record]] = []

    def evaluate(label: str, kept: list[Record], summary: dict[str, Any], secs: float) -> None:
        model = fit_on(kept, task)
        rows.append(
            {
                "condition": label,
                "kept": len(kept),
                "dropped": summary["dropped"],
                "relabelled": summary["relabelled"],
                "weighted": summary["weighted"],
                "test": score(model, test, task).as_dict(),
                "validation": score(model, validation, task).as_dict(),
                "seconds": round(secs, 1),
                "by_step": summary["by_step"],
            }
        )

    try:
        evaluate(
            "no curation",
            records,
            {"dropped": 0, "relabelled": 0, "weighted": False, "by_step": []},
            0.0,
        )
        for label, steps in SINGLE.items():
            kept, summary, secs = await curate(steps, records, ctx)
            evaluate(label, kept, summary, secs)
        for label, steps in JUDGED_RELABELS.items():
            kept, _, _ = await curate(steps, records, ctx)
            changed += [(label, r) for r in kept if r.extra.get("label_history")]
        for label, steps in COMBOS.items():
            kept, summary, secs = await curate(steps, records, ctx)
            evaluate("combo: " + label, kept, summary, secs)
        usage = llm.usage.as_dict()
    finally:
        await llm.aclose()
    combos = [r for r in rows if r["condition"].startswith("combo: ")]
    best = max(combos, key=lambda r: r["validation"]["accuracy"])
    gen_stats = RUNS / name / "generation.json"
    return {
        "dataset": name,
        "generation": json.loads(gen_stats.read_text()) if gen_stats.exists() else {},
        "generated": len(records),
        "validation_size": len(validation),
        "test_size": len(test),
        "rows": rows,
        "best_combo": best["condition"],
        "llm_usage": usage,
        "changed": [
            {
                "dataset": name,
                "condition": cond,
                "id": r.id,
                "text": task.joined_text(r),
                "old_label": r.extra["label_history"][-1]["label"],
                "new_label": r.label,
                "confidence": r.extra["label_history"][-1]["score"],
            }
            for cond, r in changed
        ],
    }


READING = """## Reading (written by hand for this run)

- SmolLM2-135M's data is rarely duplicated or garbled, so dedup and the text heuristics
  drop 0–4% each and move test accuracy little (the largest, non_text +3.0 on sms_spam, comes
  from 3 records and is noise-sized); their value here is the audit (prompt leftovers and
  looping text are real and named; refusals had already been dropped by the parser).
- LLM agreement with the same 135M model is harmful: it disagrees with 18% (sst2) and 35%
  (sms_spam) of the labels, and on sms_spam it calls nearly every message spam, so dropping
  disagreements leaves a spam-only set (test accuracy 13.6%). A labeller must be stronger
  than the generator for this filter to help.
- Cross-partition relabelling at p ≥ 0.8 changes few labels (0–5 per dataset); of the 5
  distinct sst2 changes, 3 were right by hand and 2 were texts with no clear sentiment, none
  wrong; on sms_spam 1 of 5 was right and 4 were fragments no label fits. At p ≥ 0.6 it
  changes more and gets more wrong (sst2: 7 right, 3 wrong, 7 unclear).
  On sms_spam most changed records are template fragments or assistant chatter ("Hi [Your
  Name],") that no label fits: dropping them (prompt_leftover, length) is the better fix.
- SunGen weighting is unstable at this size: alone it helps sst2 (+2.0) and hurts sms_spam
  (−6.8); after the cheap filters it swings the other way (sst2 −3.6, sms_spam +29.4, where
  the weighted model predicts the 87%-ham majority far more often — note macro-F1 69 vs 51).
  Selection by validation picked it for sms_spam; treat that as luck of one seed, not a
  result. Confidence weighting is small but never harmful here (+0.1 to +2.6).
- The changed-label list was produced with the JUDGED_RELABELS steps below on the same
  generated data, after the accuracy run (bench/curation.py now collects it in the run).
"""


def changed_labels(dataset: str) -> list[dict[str, Any]]:
    rows = [json.loads(x) for x in CHANGED.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if r["dataset"] == dataset]


def judged() -> dict[tuple[str, str], dict[str, Any]]:
    if not JUDGEMENTS.exists():
        return {}
    rows = [json.loads(x) for x in JUDGEMENTS.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {(r["dataset"], r["id"]): r for r in rows}


def to_markdown(results: list[dict[str, Any]], seconds: float) -> str:
    lines = [
        "# Curation on LLM-generated data",
        "",
        "Generated data: bench/curation_data.py — SmolLM2-135M-Instruct (embedded, llama.cpp), "
        "per dataset, S3 rationales then half the calls for S3 seed examples, half for ZeroGen, "
        "temperature 0.9, top-p 0.95, max 72 tokens, seed 0; what parses is kept. Small model: "
        "TF-IDF (1–2 grams) + logistic regression, trained on the (curated) synthetic set only, "
        "scored on the real test split. Auxiliary models: `tfidf_lr`, or `embed_lr` "
        "(all-MiniLM-L6-v2 + LR), 5-fold cross-partition. LLM agreement asks the same "
        "SmolLM2 to label each text (greedy, cached). The best combination is picked by "
        "accuracy on real validation data, not on test.",
        "",
        "With a few hundred training records and ~1–2k test records, differences of 1–2 "
        "points are within noise (one generation seed).",
        "",
        f"Machine: {platform.machine()}, 2 cores shared with teammates (the run held the "
        "team's LLM lock; other CPU work may have run beside it). Curation and scoring took "
        f"{seconds:.0f} s in all (LLM answers for llm_agreement came from the cache on reruns).",
        "",
        "Reproduce: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/curation_data.py && "
        "flock /tmp/synthloop-llm.lock .venv/bin/python bench/curation.py`",
        "",
    ]
    judgements = judged()
    for res in results:
        base = res["rows"][0]["test"]["accuracy"]
        lines += [
            f"## {res['dataset']}",
            "",
            f"{res['generated']} generated records from {res['generation'].get('calls', '?')} LLM "
            f"calls ({res['generation'].get('seconds', '?')} s; dropped at parsing: "
            f"{res['generation'].get('dropped', {})}); real validation {res['validation_size']}, "
            f"real test {res['test_size']}. Best combination by validation: "
            f"**{res['best_combo'].removeprefix('combo: ')}**.",
            "",
            "| condition | kept | dropped % | relabelled % | weighted | val acc % | test acc % | "
            "Δ test | test macro-F1 % |",
            "| --- | ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: |",
        ]
        n = res["generated"]
        for r in res["rows"]:
            name = r["condition"]
            if name == res["best_combo"]:
                name = f"**{name} (best by validation)**"
            t = r["test"]
            lines.append(
                f"| {name} | {r['kept']} | {100 * r['dropped'] / n:.1f} | "
                f"{100 * r['relabelled'] / n:.1f} | {'yes' if r['weighted'] else ''} | "
                f"{100 * r['validation']['accuracy']:.1f} | {100 * t['accuracy']:.1f} | "
                f"{100 * (t['accuracy'] - base):+.1f} | {100 * t['macro_f1']:.1f} |"
            )
        lines += ["", "Drops by step and reason (each filter alone):", ""]
        for r in res["rows"][1:]:
            if r["condition"].startswith("combo: "):
                continue
            parts = [
                f"{s['reason']} {s['records']}" for s in r["by_step"] if s["action"] != "weight"
            ]
            if parts:
                lines.append(f"- {r['condition']}: " + ", ".join(parts))
        lines += [
            "",
            "Changed labels, each judged by hand (bench/results/curation_label_judgements.jsonl):",
            "",
        ]
        by_cond: dict[str, list[str]] = {}
        for c in changed_labels(res["dataset"]):
            j = judgements.get((c["dataset"], c["id"]))
            by_cond.setdefault(c["condition"], []).append(j["verdict"] if j else "not judged")
        for cond, verdicts in by_cond.items():
            lines.append(
                f"- {cond}: {len(verdicts)} changed; new label right {verdicts.count('new')}, "
                f"old label was right {verdicts.count('old')}, "
                f"neither/unclear {verdicts.count('unclear')}"
                + (
                    f", not judged {verdicts.count('not judged')}"
                    if "not judged" in verdicts
                    else ""
                )
            )
        lines.append("")
    lines.append(READING)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--results", type=Path, default=RESULTS / "curation.md")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the markdown from curation.json (e.g. after judging changed labels)",
    )
    args = parser.parse_args()
    raw = RESULTS / "curation.json"
    if args.report_only:
        saved = json.loads(raw.read_text(encoding="utf-8"))
        results, seconds = saved["results"], saved["seconds"]
    else:
        start = time.perf_counter()
        results = [asyncio.run(bench_dataset(name)) for name in args.datasets]
        seconds = time.perf_counter() - start
        RESULTS.mkdir(parents=True, exist_ok=True)
        raw.write_text(json.dumps({"results": results, "seconds": seconds}, indent=1) + "\n")
        CHANGED.write_text(
            "".join(
                json.dumps(c, ensure_ascii=False) + "\n" for r in results for c in r["changed"]
            ),
            encoding="utf-8",
        )
    args.results.write_text(to_markdown(results, seconds), encoding="utf-8")
    print(args.results.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
