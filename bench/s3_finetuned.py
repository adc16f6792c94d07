"""Does a fine-tuned learner get more out of synthetic data? minilm_ft on the issue-14 runs.

The held-out benchmark (``bench/s3_real.py``) chooses among tfidf_lr and embed_lr (frozen
MiniLM vectors + logistic regression): with those, S3 data adds little on top of the user's
own labels. The published S3 and ZeroGen results fine-tune a small transformer, which may
use extra examples better. This scores ``minilm_ft`` (all-MiniLM-L6-v2, every layer
fine-tuned, its default settings) with a fixed synthetic weight of 1 on the runs
``s3_real.py`` generated and evaluated (same real records, same S3 rounds kept, ZeroGen at
the same calls), beside that benchmark's tuned rows. Nothing is chosen here, so the test
split is only read; a held-out choice among three learners would cost 5 fine-tunings per
candidate, which is why this is measured first.

    .venv/bin/python bench/s3_finetuned.py --datasets sst2 sms_spam ag_news --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.progress import track

from s3_real import TASKS, acc, read_records, run_dir, test_records, user_split, zerogen_prefix
from synthloop.core.io import write_json
from synthloop.evaluate.heldout import Candidate, Folds, choose, fit

ROOT = Path(__file__).resolve().parent
TUNED_ROWS = ("real alone", "real + S3", "real + ZeroGen")
FT_ROWS = ("real alone", "real + S3", "real + ZeroGen", "S3 alone", "ZeroGen alone")


def score_run(variant: str, name: str, seed: int, n_real: int) -> dict[str, Any]:
    folder = run_dir(variant, name, seed) / "b200"
    cached = folder / f"finetuned_n{n_real}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    task = TASKS[name]
    ev = json.loads((folder / f"eval_n{n_real}.json").read_text())
    real, _ = user_split(name, n_real, seed)
    test = test_records(name)
    s3_all = read_records(folder / "s3.jsonl", task)
    s3_kept = [r for r in s3_all if (r.round or 0) <= ev["kept_round"]]
    s3_paid = [r for r in s3_all if (r.round or 0) <= ev["stopped_after"]]
    zg = zerogen_prefix(read_records(folder / "zerogen.jsonl", task), ev["calls"])
    plan: dict[str, tuple[Candidate, Sequence[Any]]] = {
        "real alone": (Candidate("minilm_ft", None, 0.0), []),
        "real + S3": (Candidate("minilm_ft", None, 1.0), s3_kept),
        "real + ZeroGen": (Candidate("minilm_ft", None, 1.0), zg),
        "S3 alone": (Candidate("minilm_ft", None, 1.0, use_real=False), s3_paid),
        "ZeroGen alone": (Candidate("minilm_ft", None, 1.0, use_real=False), zg),
    }
    out: dict[str, Any] = {"dataset": name, "seed": seed, "n_real": len(real), "rows": {}}
    start = time.time()
    for key, (cand, syn) in plan.items():
        out["rows"][key] = acc(fit(cand, real, syn, task), test, task)
    out["seconds"] = round(time.time() - start, 1)
    out["tuned"] = {k: ev["rows"][k]["test"] for k in TUNED_ROWS}
    out["tuned_choice"] = {k: ev["rows"][k]["choice"] for k in TUNED_ROWS}
    write_json(out, cached)
    return out


def with_heldout(res: dict[str, Any], variant: str, n_real: int) -> dict[str, Any]:
    """Add minilm_ft's cross-fitted held-out accuracy (the folds and data s3_real chose
    on) and the choice among all three learners it makes: minilm_ft wins a row only when
    its held-out accuracy beats the tfidf_lr/embed_lr grid's best (ties keep the grid)."""
    if "heldout" in res:
        return res
    name, seed = res["dataset"], res["seed"]
    task = TASKS[name]
    folder = run_dir(variant, name, seed) / "b200"
    ev = json.loads((folder / f"eval_n{n_real}.json").read_text())
    real, _ = user_split(name, n_real, seed)
    folds = Folds.split(real, 5, seed)
    s3_all = read_records(folder / "s3.jsonl", task)
    s3_kept = [r for r in s3_all if (r.round or 0) <= ev["kept_round"]]
    zg = zerogen_prefix(read_records(folder / "zerogen.jsonl", task), ev["calls"])
    alone = Candidate("minilm_ft", None, 0.0)
    mixed = Candidate("minilm_ft", None, 1.0)
    held: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for key, syn in (("real alone", []), ("real + S3", s3_kept), ("real + ZeroGen", zg)):
        sel = choose([alone, mixed] if syn else [alone], real, syn, folds, task)
        ft_key = "real alone" if sel.best.candidate.weight == 0 else key
        held[key] = {"accuracy": sel.best.scores.accuracy, "weight": sel.best.candidate.weight}
        grid_held = ev["rows"][key]["heldout"]
        wins = sel.best.scores.accuracy > grid_held + 1e-12
        chosen[key] = {
            "learner": "minilm_ft" if wins else ev["rows"][key]["choice"],
            "test": res["rows"][ft_key] if wins else ev["rows"][key]["test"],
            "heldout": max(sel.best.scores.accuracy, grid_held),
        }
    res = {**res, "heldout": held, "three_learners": chosen}
    write_json(res, folder / f"finetuned_n{n_real}.json")
    return res


def pm(values: Sequence[float]) -> str:
    mean = 100 * statistics.mean(values)
    sd = 100 * statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:.1f} ± {sd:.1f}"


def render(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# minilm_ft on the issue-14 runs: does fine-tuning use synthetic data better?",
        "",
        f"`.venv/bin/python bench/s3_finetuned.py --variant {args.variant} --n-real "
        f"{args.n_real} --datasets {' '.join(args.datasets)} --seeds "
        f"{' '.join(map(str, args.seeds))}{' --heldout' if args.heldout else ''}` "
        "(reads the generations and held-out choices "
        "`bench/s3_real.py` cached; see the module docstring). Test accuracy %, mean ± std "
        f"over {len(args.seeds)} seeds, {args.n_real} real labels. *Tuned* = s3_real's rows "
        "(tfidf_lr or embed_lr, C and synthetic weight chosen on held-out); *minilm_ft* = "
        "fine-tuned MiniLM, default settings, synthetic weight 1, nothing chosen.",
        "",
        "| dataset | tuned: real alone | tuned: real + S3 | tuned: real + ZeroGen | minilm_ft: "
        "real alone | minilm_ft: real + S3 | minilm_ft: real + ZeroGen | minilm_ft: S3 alone "
        "| minilm_ft: ZeroGen alone | minilm_ft: real + S3 − real alone | minilm_ft real + S3 "
        "− tuned real alone |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in args.datasets:
        runs = [r for r in results if r["dataset"] == name]
        if not runs:
            continue
        cells = [pm([r["tuned"][k] for r in runs]) for k in TUNED_ROWS]
        cells += [pm([r["rows"][k] for r in runs]) for k in FT_ROWS]
        for base in (
            [r["rows"]["real alone"] for r in runs],
            [r["tuned"]["real alone"] for r in runs],
        ):
            gain = [r["rows"]["real + S3"] - b for r, b in zip(runs, base, strict=True)]
            cells.append(("+" if statistics.mean(gain) >= 0 else "") + pm(gain))
        lines.append(f"| {name} ({len(runs)}) | " + " | ".join(cells) + " |")
    lines += [
        "",
        "**The learner chosen on held-out among tfidf_lr, embed_lr and minilm_ft** (minilm_ft "
        "at synthetic weight 0 or 1, scored on the same 5 folds of the real records as the "
        "grid; it wins a row only with a strictly better held-out accuracy). Test %, mean ± "
        "std; in brackets the runs where minilm_ft was chosen.",
        "",
        "| dataset | real alone | real + S3 | real + ZeroGen | real + S3 − real alone | real + "
        "S3 − real + ZeroGen |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in args.datasets:
        runs = [r for r in results if r["dataset"] == name and "three_learners" in r]
        if not runs:
            continue
        cells = []
        for k in TUNED_ROWS:
            picked = sum(r["three_learners"][k]["learner"] == "minilm_ft" for r in runs)
            cells.append(f"{pm([r['three_learners'][k]['test'] for r in runs])} ({picked})")
        for other in ("real alone", "real + ZeroGen"):
            gain = [
                r["three_learners"]["real + S3"]["test"] - r["three_learners"][other]["test"]
                for r in runs
            ]
            cells.append(("+" if statistics.mean(gain) >= 0 else "") + pm(gain))
        lines.append(f"| {name} ({len(runs)}) | " + " | ".join(cells) + " |")
    secs = [r["seconds"] for r in results]
    lines += [
        "",
        f"Five fine-tunings and test scorings per run took {min(secs):.0f}–{max(secs):.0f} s "
        "(2 shared cores, nice 19, other work beside it: contended).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", default="few100")
    ap.add_argument("--n-real", type=int, default=100)
    ap.add_argument("--datasets", nargs="+", default=["sst2", "sms_spam", "ag_news"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument(
        "--heldout",
        action="store_true",
        help="also cross-fit minilm_ft on held-out folds and choose among the three learners",
    )
    ap.add_argument("--results", type=Path, default=ROOT / "results" / "s3_finetuned.md")
    args = ap.parse_args()
    plan = [(name, seed) for name in args.datasets for seed in args.seeds]
    results = []
    for name, seed in track(plan, description="runs"):
        res = score_run(args.variant, name, seed, args.n_real)
        if args.heldout:
            res = with_heldout(res, args.variant, args.n_real)
        print(f"{name} seed {seed}: {json.dumps(res['rows'])}", flush=True)
        results.append(res)
    args.results.write_text(render(results, args), encoding="utf-8")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
