"""QA and Self-Instruct with the embedded LLM, on small DEMO inputs (not benchmarks).

- Extractive QA: S3 vs zero-shot question generation at the same call budget on the
  bundled DEMO QA set (fictional passages written by the synthloop authors; 12 validation
  and 18 test questions on disjoint passages). Small model: span_lr. Also span_lr trained on
  the 12 real validation questions. Exact match and token F1 on the 18 test questions.
- Self-Instruct from examples/task-types/seeds.jsonl (6 seeds): kept/dropped counts,
  ROUGE-L novelty and distinct-2, and a few generated instructions.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/task_types_demo.py

Caches go to bench/runs/task_types_demo/ (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
from pathlib import Path
from typing import Any

from synthloop.core.io import DataSpec
from synthloop.core.tasks import Task
from synthloop.evaluate import train_and_score
from synthloop.generate import seed_anchors, zerogen
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.prompts import Prompter
from synthloop.run.config import DataConfig, RunConfig
from synthloop.run.generate import run_generate
from synthloop.run.instruct import load_instruct_config
from synthloop.run.s3 import run_s3
from synthloop.s3.config import S3Config

ROOT = Path(__file__).resolve().parent
QA_DIR = ROOT.parent / "src" / "synthloop" / "demo" / "qa"
EXAMPLES = ROOT.parent / "examples" / "task-types"


async def qa_demo(args: argparse.Namespace) -> dict[str, Any]:
    task = Task(name="demo-qa", type="qa", domain="local history", example_noun="question")

    def spec(split: str) -> DataSpec:
        return DataSpec(path=str(QA_DIR / f"{split}.jsonl"), columns={"label": "answer"})

    config = RunConfig(
        task=task,
        data=DataConfig(validation=spec("validation"), test=spec("test")),
        llm=LLMConfig(max_tokens=40),
        s3=S3Config(seed_size=args.qa_seed_size, rounds=args.qa_rounds, max_errors_per_round=12),
        seed=args.seed,
    )
    out = args.out / "qa"
    s3 = await run_s3(config, out / "s3", force=True)
    assert s3.test is not None
    budget = s3.usage.calls + s3.usage.cache_hits
    llm = make_llm(config.llm, out / "zeroshot.cache.sqlite")
    assert isinstance(llm, CachedLLM)
    anchors = seed_anchors(task, s3.validation, budget, seed=args.seed)
    zs = await zerogen(llm, Prompter(task, config.llm), budget, seed=args.seed, anchors=anchors)
    await llm.aclose()
    rows = []
    for name, train in (
        ("zero-shot questions", zs.records),
        ("S3", s3.result.dataset),
        ("real validation (12 questions)", s3.validation),
        ("real validation + S3", [*s3.validation, *s3.result.dataset]),
    ):
        sc = train_and_score(train, s3.test, task)
        rows.append((name, len(train), budget if "real validation (" not in name else 0, sc))
    return {
        "rows": rows,
        "rounds": [(r.round, r.train_size, len(r.errors)) for r in s3.result.rounds],
        "dropped": {
            "s3": {r.round: r.generation.get("dropped", {}) for r in s3.result.rounds},
            "zeroshot": dict(zs.dropped),
        },
        "examples": [(r.method, r.label, r.inputs["question"]) for r in s3.result.dataset[:3]]
        + [(r.method, r.label, r.inputs["question"]) for r in zs.records[:3]],
        "test": len(s3.test),
    }


async def instruct_demo(args: argparse.Namespace) -> dict[str, Any]:
    cfg = load_instruct_config(EXAMPLES / "instruct.yaml")
    settings = cfg.self_instruct.model_copy(
        update={"n": args.instruct_n, "max_calls": args.instruct_calls}
    )
    cfg = cfg.model_copy(update={"self_instruct": settings, "seed": args.seed})
    out = args.out / "instructions.jsonl"
    gen, _ = await run_generate(cfg, "self-instruct", cfg.self_instruct.n, out)
    return {
        "stats": json.loads(out.with_suffix(".stats.json").read_text(encoding="utf-8")),
        "examples": [
            (r.inputs["instruction"], r.inputs["input"], r.label[:160]) for r in gen.records[:5]
        ],
    }


def to_markdown(qa: dict[str, Any], ins: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        "# Task types on DEMO inputs: extractive QA and Self-Instruct",
        "",
        f"Embedded LLM: SmolLM2-135M-Instruct (llama.cpp, {platform.machine()}, 2 shared "
        f"cores), temperature 0.9. Seed {args.seed}. These are demonstrations on tiny "
        "inputs, not benchmarks: no extractive-QA or instruction data ships in "
        "../shared/data.",
        "",
        "Reproduce: `flock /tmp/synthloop-llm.lock .venv/bin/python bench/task_types_demo.py "
        f"--qa-seed-size {args.qa_seed_size} --qa-rounds {args.qa_rounds} "
        f"--instruct-n {args.instruct_n} --instruct-calls {args.instruct_calls}`",
        "",
        "## Extractive QA (DEMO set, span_lr, 18 test questions: one question = 5.6 EM points)",
        "",
        "| training data | train size | LLM requests | exact match % | token F1 % |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, size, calls, sc in qa["rows"]:
        lines.append(
            f"| {name} | {size} | {calls} | {100 * sc.accuracy:.1f} | {100 * sc.macro_f1:.1f} |"
        )
    lines += [
        "",
        f"S3 rounds (round, train size, validation errors): {qa['rounds']}; dropped at "
        f"parsing: {json.dumps(qa['dropped'])}",
        "",
        "Generated questions (method, answer, question):",
        "",
    ]
    lines += [f"- {m} · `{a}` · {q}" for m, a, q in qa["examples"]]
    st = ins["stats"]
    lines += [
        "",
        "## Self-Instruct (6 seeds from examples/task-types/seeds.jsonl)",
        "",
        f"- kept {st['kept']} instructions from {st['calls']} LLM calls in {st['rounds']} "
        f"rounds; dropped: {st['dropped']}",
        f"- ROUGE-L to the nearest other instruction in the pool: mean "
        f"{st['rouge_l_nearest_mean']}, max {st['rouge_l_nearest_max']} (threshold "
        f"{st['rouge_threshold']}); distinct-2 of instructions {st['distinct_2_instructions']}; "
        f"{st['with_input']} with an input; mean response {st['mean_output_words']} words",
        "- there is no small model or real test set for open-ended instructions here, so no "
        "task score is claimed; quality needs human or LLM-judge review",
        "",
        "First generated examples (instruction · input · response, cut at 160 characters):",
        "",
    ]
    lines += [f"- {i} · {inp or '—'} · {out}" for i, inp, out in ins["examples"]]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--qa-seed-size", type=int, default=24)
    parser.add_argument("--qa-rounds", type=int, default=1)
    parser.add_argument("--instruct-n", type=int, default=20)
    parser.add_argument("--instruct-calls", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "task_types_demo")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "task_types_demo.md")
    args = parser.parse_args()
    qa = asyncio.run(qa_demo(args))
    ins = asyncio.run(instruct_demo(args))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(to_markdown(qa, ins, args), encoding="utf-8")
    print(args.results.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
