"""How often the curation step ``placeholder`` fires on real texts (it must not) and on the
synthetic records of the S3 benchmark runs (what it is for).

    .venv/bin/python bench/placeholder_rate.py     # writes bench/results/placeholder_rate.md

Real: every split of the five shared datasets (../shared/data), all text fields joined.
Synthetic: every JSONL under bench/runs/s3_real/ (git-ignored; the runs of bench/s3_real.py
and bench/s3_augment.py), where present.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from benchmark_tasks import SHARED
from synthloop.curate.heuristics import SLOT

ROOT = Path(__file__).resolve().parent
DATASETS = ("sst2", "sms_spam", "ag_news", "rte", "qnli")


def texts_of(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else None
        if isinstance(row, dict):
            out.append(" ".join(str(v) for k, v in row.items() if k != "label" and v))
    return out


def rate(texts: list[str]) -> tuple[int, Counter[str]]:
    hits: Counter[str] = Counter()
    for t in texts:
        m = SLOT.search(t)
        if m:
            hits[m.group(0)] += 1
    return sum(hits.values()), hits


def main() -> None:
    lines = [
        "# The `placeholder` curation step: real texts against synthetic ones",
        "",
        "`.venv/bin/python bench/placeholder_rate.py`. A text counts when the step's pattern",
        "(`synthloop.curate.heuristics.SLOT`) finds an unfilled template slot in it.",
        "",
        "| texts | n | with a slot | share | most common slots |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name in DATASETS:
        texts = [t for p in sorted((SHARED / name).glob("*.jsonl")) for t in texts_of(p)]
        n, hits = rate(texts)
        common = ", ".join(f"`{s}` {c}" for s, c in hits.most_common(3)) or "—"
        lines.append(f"| real {name} | {len(texts)} | {n} | {n / len(texts):.2%} | {common} |")
    runs = sorted((ROOT / "runs" / "s3_real").rglob("*.jsonl"))
    if runs:
        texts = [t for p in runs for t in texts_of(p)]
        n, hits = rate(texts)
        common = ", ".join(f"`{s}` {c}" for s, c in hits.most_common(5))
        lines.append(
            f"| synthetic, bench/runs/s3_real ({len(runs)} files) | {len(texts)} | {n} | "
            f"{n / len(texts):.2%} | {common} |"
        )
    out = ROOT / "results" / "placeholder_rate.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text())


if __name__ == "__main__":
    main()
