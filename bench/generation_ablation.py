"""The generation toolbox, one technique at a time, at the same LLM call budget.

On each dataset, with the embedded LLM, five configurations, each adding one technique to
the one before (every configuration gets exactly ``--calls`` LLM requests, the concept
tree's expansion calls included):

    A plain zero-shot          the label-conditioned ZeroGen prompt
    B + conditions             sampled condition scopes (aspect/style/length …)
    C + concept tree           B, plus a topic from the leaves of an LLM-expanded tree
    D + retrieved demos        C, plus k real examples most similar (MiniLM) to the condition
    E + dataset-wise rounds    D, in rounds planned from what the data so far lacks

The small model (TF-IDF + LR) is trained on each synthetic set and scored on the real test
split (a seeded random subsample of --test-size); diversity is distinct-2 and the mean
pairwise cosine of MiniLM embeddings (lower = more diverse). References: the same small
model trained on the real training split, and on the real pool the demonstrations come from.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/generation_ablation.py
    # writes bench/results/generation_ablation.md; LLM answers are cached under
    # bench/runs/generation_ablation/, so a rerun makes no LLM calls

sst2's pool is its real validation split; ag_news has none, so a seeded sample of its
train split (--pool-size) stands in.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import platform
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark_tasks import SHARED, tasks
from synthloop.core.embeddings import embed
from synthloop.core.io import DataSpec, load_records
from synthloop.core.records import Record
from synthloop.evaluate import train_and_score
from synthloop.generate import zerogen
from synthloop.generate.common import Generation
from synthloop.generate.concept_tree import load_or_expand_tree
from synthloop.generate.conditional import ConditionPlan, conditional
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.dataset_wise import dataset_wise
from synthloop.generate.demos import DemoPool, DemoSelector
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.prompts import Prompter, token_counter

ROOT = Path(__file__).resolve().parent

TASKS = tasks("sst2", "ag_news")

SCOPES: dict[str, dict[str, Any]] = {
    "sst2": {
        "aspect": ["the acting", "the plot", "the directing", "the dialogue", "the visuals",
                   "the pacing", "the ending", "the music"],
        "style": ["casual", "witty", "blunt", "thoughtful"],
        "length": {"one short sentence": 2, "two sentences": 1},
    },
    "ag_news": {
        "region": ["the United States", "Europe", "Asia", "the Middle East", "Africa",
                   "Latin America"],
        "style": ["a wire report", "a headline and a summary", "a short analysis"],
        "length": {"one sentence": 1, "two sentences": 2},
    },
}  # fmt: skip

TREES = {  # root, depth, branching, per label
    "sst2": ("movies", 2, 4, False),
    "ag_news": ("news", 1, 6, True),
}

CONFIGS = (
    "A plain zero-shot",
    "B + conditions",
    "C + concept tree",
    "D + retrieved demos",
    "E + dataset-wise rounds",
)


def subsample(records: list[Record], n: int, seed: int) -> list[Record]:
    if len(records) <= n:
        return records
    return random.Random(seed).sample(records, n)


def distinct_2(texts: Sequence[str]) -> float:
    grams: list[tuple[str, str]] = []
    for t in texts:
        words = re.findall(r"[a-z0-9']+", t.lower())
        grams += list(itertools.pairwise(words))
    return len(set(grams)) / len(grams) if grams else 0.0


def mean_pairwise_cosine(texts: Sequence[str]) -> float:
    if len(texts) < 2:
        return float("nan")
    v = embed(texts)
    sims = v @ v.T
    n = len(texts)
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


@dataclass
class Row:
    dataset: str
    config: str
    calls: int
    kept: int
    dropped: dict[str, int]
    labels: dict[str, int]
    accuracy: float
    macro_f1: float
    distinct2: float
    cosine: float
    seconds: float
    extra: dict[str, Any]


def timed(path: Path, seconds: float, paid_calls: int) -> float:
    """The wall time of the run that paid for the calls, kept beside the cache."""
    if paid_calls > 0 or not path.exists():
        path.write_text(json.dumps({"seconds": seconds}))
        return seconds
    return float(json.loads(path.read_text())["seconds"])


async def bench_dataset(name: str, args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    task = TASKS[name]
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    test = subsample(
        load_records(SHARED / name / "test.jsonl", task, split_name="test"), args.test_size, 0
    )
    train = load_records(SHARED / name / "train.jsonl", task, split_name="train")
    own_val = SHARED / name / "validation.jsonl"
    pool_records = (
        load_records(DataSpec(path=str(own_val)), task, split_name="validation")
        if own_val.exists()
        else subsample(train, args.pool_size, 1)
    )
    llm_cfg = LLMConfig(max_tokens=args.max_tokens)
    llm = make_llm(llm_cfg, out / "cache.sqlite")
    assert isinstance(llm, CachedLLM)
    prompter = Prompter(task, llm_cfg, count_tokens=token_counter(llm))
    root, depth, branching, per_label = TREES[name]
    scopes = ConditionScopes(SCOPES[name])
    pool = DemoPool(pool_records, task)
    demos = DemoSelector(pool, k=args.demos, select="similar", max_prompt_tokens=args.prompt_budget)
    rows: list[Row] = []
    tree_info: dict[str, Any] = {}
    for config in CONFIGS:
        key = config[0]
        paid_before = llm.usage.calls
        start = time.perf_counter()
        tree_calls = 0
        plan = ConditionPlan(scopes=scopes)
        if key in "CDE":
            tree, tree_calls = await load_or_expand_tree(
                llm,
                prompter,
                root,
                path=out / "concept_tree.yaml",
                depth=depth,
                branching=branching,
                seed=args.seed,
                first_level=task.label_names if per_label else None,
            )
            # the tree's calls count against every configuration that uses it
            cost = out / "concept_tree_calls.json"
            if tree_calls:
                cost.write_text(json.dumps({"calls": tree_calls}))
            tree_calls = int(json.loads(cost.read_text())["calls"])
            plan = ConditionPlan(scopes=scopes, tree=tree, per_label=per_label)
            tree_info = {
                "calls": tree_calls,
                "leaves": [plan.topic(leaf) for leaf in plan.leaves],
                "leaf_labels": [leaf[1] for leaf in plan.leaves] if per_label else None,
            }
        n = args.calls - tree_calls
        gen: Generation
        extra: dict[str, Any] = {}
        if key == "A":
            gen = await zerogen(llm, prompter, n, seed=args.seed)
        elif key in "BCD":
            gen = await conditional(
                llm, prompter, n, plan=plan, demos=demos if key == "D" else None, seed=args.seed
            )
        else:
            result = await dataset_wise(
                llm, prompter, n, rounds=args.rounds, plan=plan, demos=demos, seed=args.seed
            )
            gen = result.generation
            extra["rounds"] = result.rounds
        gen.calls += tree_calls
        seconds = timed(
            out / f"seconds_{key}.json", time.perf_counter() - start, llm.usage.calls - paid_before
        )
        texts = [task.joined_text(r) for r in gen.records]
        scores = train_and_score(gen.records, test, task)
        if any("demos_dropped" in r.extra for r in gen.records):
            extra["demos_dropped"] = sum(r.extra.get("demos_dropped", 0) for r in gen.records)
        rows.append(
            Row(
                dataset=name,
                config=config,
                calls=gen.calls,
                kept=len(gen.records),
                dropped=dict(gen.dropped),
                labels=dict(Counter(r.label for r in gen.records)),
                accuracy=scores.accuracy,
                macro_f1=scores.macro_f1,
                distinct2=distinct_2(texts),
                cosine=mean_pairwise_cosine(texts),
                seconds=seconds,
                extra=extra,
            )
        )
        write_jsonl(gen.records, out / f"{key}.jsonl")
    await llm.aclose()
    ref_train = train_and_score(train, test, task)
    ref_pool = train_and_score(pool_records, test, task)
    refs = {
        "test_size": len(test),
        "train_size": len(train),
        "pool_size": len(pool_records),
        "train": ref_train.as_dict(),
        "pool": ref_pool.as_dict(),
        "pool_distinct2": distinct_2([task.joined_text(r) for r in pool_records]),
        "pool_cosine": mean_pairwise_cosine(
            [task.joined_text(r) for r in subsample(pool_records, 300, 2)]
        ),
        "tree": tree_info,
        "usage": llm.usage.as_dict(),
    }
    return rows, refs


def write_jsonl(records: Sequence[Record], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_row(), ensure_ascii=False) + "\n")


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def report(rows: list[Row], refs: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    import llama_cpp
    import sklearn

    lines = [
        "# Generation toolbox ablation: zero-shot → conditions → concept tree → "
        "retrieved demos → dataset-wise rounds",
        "",
        "Reproduce (the LLM answers are cached under `bench/runs/generation_ablation/`, so a "
        "rerun makes no LLM calls):",
        "",
        "```bash",
        "flock /tmp/synthloop-llm.lock .venv/bin/python bench/generation_ablation.py "
        + " ".join(args.argv),
        "```",
        "",
        f"- LLM: embedded SmolLM2-135M-Instruct (synthloop's batched engine with its "
        f"defaults: the shipped Q4_1 GGUF converted to Q8_0, 8 requests in flight; "
        f"llama-cpp-python {llama_cpp.__version__}), chat mode, temperature 0.9, top_p 0.95, "
        f"max_tokens {args.max_tokens}, seed {args.seed}.",
        f"- Budget: **{args.calls} LLM requests per configuration** (the concept tree's "
        "expansion calls are counted in C, D and E even though the cache pays them once).",
        f"- Small model: TF-IDF (1–2 grams) + logistic regression (scikit-learn "
        f"{sklearn.__version__}), trained on the synthetic records only, scored on a seeded "
        f"random subsample of {args.test_size} examples of the real test split (seed 0).",
        "- Diversity: distinct-2 (distinct word bigrams / all bigrams, higher = more varied) "
        "and the mean pairwise cosine of all-MiniLM-L6-v2 embeddings (lower = more varied).",
        f"- Demonstrations (D, E): k = {args.demos} real examples of the target label, most "
        f"similar to the condition, prompt budget {args.prompt_budget} tokens (SmolLM2 "
        "tokenizer); copies of a demonstration are dropped. E: "
        f"{args.rounds} dataset-wise rounds over the same budget.",
        f"- Machine: {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}, 2 CPU cores shared with 5 teammates' work (the LLM "
        "ran under the team's flock, so no other llama.cpp ran at the same time, but tests "
        "and builds did): wall times are indicative only.",
        "",
    ]
    for name in dict.fromkeys(r.dataset for r in rows):
        ref = refs[name]
        lines += [
            f"## {name}",
            "",
            "| configuration | calls | kept | test acc % | test macro-F1 % | distinct-2 | "
            "mean cosine | labels kept | dropped | wall s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
        ]
        for r in (r for r in rows if r.dataset == name):
            dropped = ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items())) or "–"
            labels = ", ".join(f"{k} {v}" for k, v in r.labels.items())
            lines.append(
                f"| {r.config} | {r.calls} | {r.kept} | {pct(r.accuracy)} | {pct(r.macro_f1)} | "
                f"{r.distinct2:.3f} | {r.cosine:.3f} | {labels} | {dropped} | {r.seconds:.0f} |"
            )
        lines += [
            f"| *ref: real train split ({ref['train_size']:,})* | 0 | {ref['train_size']} | "
            f"{pct(ref['train']['accuracy'])} | {pct(ref['train']['macro_f1'])} | | | | | |",
            f"| *ref: real demo pool ({ref['pool_size']})* | 0 | {ref['pool_size']} | "
            f"{pct(ref['pool']['accuracy'])} | {pct(ref['pool']['macro_f1'])} | "
            f"{ref['pool_distinct2']:.3f} | {ref['pool_cosine']:.3f} | | | |",
            "",
            f"Test subsample: {ref['test_size']} examples. LLM usage for this dataset (all "
            f"configurations, this run): {ref['usage']}.",
            "",
        ]
        tree = ref.get("tree") or {}
        if tree:
            leaves = tree["leaves"]
            if tree.get("leaf_labels"):
                leaves = [
                    f"{lab}: {leaf}" for lab, leaf in zip(tree["leaf_labels"], leaves, strict=True)
                ]
            lines += [
                f"Concept tree ({tree['calls']} calls, {len(leaves)} leaves, as the LLM wrote "
                f"them): " + "; ".join(leaves),
                "",
            ]
        for r in (r for r in rows if r.dataset == name and r.extra.get("rounds")):
            lines.append("Dataset-wise rounds (E): ")
            lines.append("")
            for rd in r.extra["rounds"]:
                lines.append(f"- {json.dumps(rd)}")
            lines.append("")
        for r in (r for r in rows if r.dataset == name and "demos_dropped" in r.extra):
            lines.append(
                f"{r.config}: {r.extra['demos_dropped']} demonstrations dropped by the prompt "
                "budget."
            )
        lines.append("")
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["sst2", "ag_news"], choices=TASKS)
    parser.add_argument("--calls", type=int, default=100, help="LLM requests per configuration")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demos", type=int, default=2)
    parser.add_argument("--prompt-budget", type=int, default=320)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--pool-size", type=int, default=500)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "generation_ablation")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "generation_ablation.md")
    args = parser.parse_args()
    import sys

    args.argv = sys.argv[1:]
    rows: list[Row] = []
    refs: dict[str, dict[str, Any]] = {}
    for name in args.datasets:
        r, ref = await bench_dataset(name, args)
        rows += r
        refs[name] = ref
        args.results.parent.mkdir(parents=True, exist_ok=True)
        notes = args.results.with_suffix(".reading.md")  # the hand-written reading, kept
        text = report(rows, refs, args)
        if notes.exists():
            text += "\n" + notes.read_text(encoding="utf-8")
        args.results.write_text(text, encoding="utf-8")
        (args.out / "rows.json").write_text(
            json.dumps([r.__dict__ for r in rows], indent=1, default=str)
        )
    print(args.results.read_text(encoding="utf-8"))


if __name__ == "__main__":
    asyncio.run(main())
