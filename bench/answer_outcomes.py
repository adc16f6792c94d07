"""Does a parser or filter change move the S3 benchmark? Judge answers already paid for.

Every example answer in the s3_real response caches (bench/runs/s3_real/cache/, one per
dataset and seed; rationale answers are parsed elsewhere and left out) goes through
``record_outcome``, the step that turns an answer into a record or a drop reason, as the
synthloop on the import path judges it. So does every real text of the datasets, judged as
if an LLM had written it: a rule that drops a real text is a false reject. Run it once per
checkout and compare, with no LLM and no training:

    git worktree add /tmp/old <commit>
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/answer_outcomes.py judge --out old.jsonl
    PYTHONPATH=src .venv/bin/python bench/answer_outcomes.py judge --out new.jsonl
    .venv/bin/python bench/answer_outcomes.py compare old.jsonl new.jsonl

Classification datasets only: a pair or QA job keeps real inputs (``fixed``) that the cached
request does not give back. Extrapolation jobs are judged without their ``source`` (the
error they imitate), so the copy-of-source drop is not exercised; it is the same rule in
any two checkouts that share ``parse_example``'s source check.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from rich.progress import track

from benchmark_tasks import SHARED, TASKS
from synthloop.generate.common import Job, record_outcome
from synthloop.llm.base import Request

CACHE = Path(__file__).resolve().parent / "runs" / "s3_real" / "cache"
DATASETS = ("sst2", "sms_spam", "ag_news")


def outcome(name: str, text: str, request: Request | None) -> str:
    """The record's text, or "DROP:<reason>"."""
    task = TASKS[name]
    job = Job(request=request or Request.chat(""), label=next(iter(task.labels)))
    row, reason = record_outcome("m", task, job, 0, text, method="judged", round=0)
    return f"DROP:{reason}" if row is None else str(row[task.generated_field])


def judge(args: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    for name in args.datasets:
        for seed in args.seeds:
            path = args.cache / f"{name}-seed{seed}.sqlite"
            if not path.is_file():
                raise SystemExit(f"error: no response cache {path} (run s3_real.py generate)")
            with sqlite3.connect(path) as db:
                cached = db.execute("SELECT key, request, response FROM responses ORDER BY key")
                for key, req, resp in cached.fetchall():
                    request = Request.model_validate_json(req)
                    if "reasons why" in request.text:  # a rationale request
                        continue
                    text = json.loads(resp)["text"]
                    rows.append({"kind": "answer", "dataset": name, "seed": seed, "key": key,
                                 "outcome": outcome(name, text, request)})  # fmt: skip
        for split in ("train", "validation", "test"):
            path = SHARED / name / f"{split}.jsonl"
            if not path.is_file():
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(track(lines, description=f"{name} {split} (real)")):
                text = json.loads(line)["text"]
                rows.append({"kind": "real", "dataset": name, "key": f"{split}-{i}",
                             "outcome": outcome(name, text, None)})  # fmt: skip
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    drops = Counter((r["kind"], r["outcome"]) for r in rows if r["outcome"].startswith("DROP:"))
    print(f"{len(rows)} judged -> {args.out}; drops: {dict(drops)}")


def compare(args: argparse.Namespace) -> None:
    def load(path: Path) -> dict[tuple[str, str, str], str]:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return {(r["kind"], r["dataset"], r["key"]): r["outcome"] for r in rows}

    a, b = load(args.a), load(args.b)
    shared = sorted(a.keys() & b.keys())
    changed = [k for k in shared if a[k] != b[k]]
    print("| kind | judged in both | changed |\n| --- | ---: | ---: |")
    for kind in ("answer", "real"):
        n = sum(k[0] == kind for k in shared)
        print(f"| {kind} | {n:,} | {sum(k[0] == kind for k in changed)} |")
    for k in changed:
        print(f"- {k[0]} {k[1]} {k[2]}: {a[k][:90]!r} -> {b[k][:90]!r}")
    if a.keys() != b.keys():
        print(f"(only in one file: {len(a.keys() ^ b.keys())} items)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    j = sub.add_parser("judge", help="judge cached answers and real texts with this checkout")
    j.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    j.add_argument("--seeds", type=int, nargs="+", default=[0])
    j.add_argument("--out", type=Path, required=True)
    j.add_argument("--cache", type=Path, default=CACHE, help="folder of the response caches")
    c = sub.add_parser("compare", help="what differs between two judge outputs")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    judge(args) if args.cmd == "judge" else compare(args)


if __name__ == "__main__":
    main()
