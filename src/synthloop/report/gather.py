"""Read what a run directory holds into plain data for the report: config, per-round
metrics, the final dataset, the evaluation (if `synthloop evaluate` wrote one), the errors
that extrapolated records imitate, and curation audits (any JSONL of id/step/reason rows)."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthloop.core.errors import DataError
from synthloop.core.io import files_under, read_jsonl
from synthloop.run.rundir import RunDir

AUDIT_KEYS = {"step", "reason"}
#: what the report reads of any evaluation.json (`synthloop evaluate` always writes them)
EVALUATION_KEYS = ("diversity", "distance", "faithfulness")


@dataclass
class RunData:
    #: the folder reported: the run directory, or a curation in it (its curated/)
    path: Path
    config_text: str
    metrics: dict[str, Any]
    rows: list[dict[str, Any]]
    evaluation: dict[str, Any] | None
    parents: dict[str, dict[str, Any]] = field(default_factory=dict)
    audits: list[Path] = field(default_factory=list)
    drops: dict[str, int] = field(default_factory=dict)
    #: the run directory: its config, metrics and rounds (``path`` itself, or its parent)
    run: Path | None = None
    #: a curated set beside the run's own dataset, which the report does not cover
    curated: Path | None = None

    @property
    def run_dir(self) -> Path:
        return self.run or self.path

    @property
    def is_curated(self) -> bool:
        return self.run_dir != self.path


def _read_rows(path: Path) -> list[dict[str, Any]]:
    return list(read_jsonl(path))


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a JSON object")
    return data


def _first_row(path: Path) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    return row if isinstance(row, dict) else None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return None


def find_audits(run: Path) -> list[Path]:
    """JSONL files under the run whose rows carry a step and a reason (curation audits)."""
    found = []
    for path in files_under(run, "*.jsonl"):
        row = _first_row(path)
        if row and row.keys() >= AUDIT_KEYS and ({"id", "record_id"} & row.keys()):
            found.append(path)
    return found


def drops_by_reason(audits: list[Path]) -> dict[str, int]:
    """``step: reason`` -> records dropped, each record once however many audits drop it
    (the dataset curated again into another folder, or once per S3 round). Rows with an
    ``action`` other than drop (a relabel, a weight) are changes, not drops, and are left
    out."""
    ids: dict[str, set[str]] = {}
    unnamed: Counter[str] = Counter()
    for path in audits:
        for row in _read_rows(path):
            if row.get("action", "drop") != "drop":
                continue
            key = f"{row.get('step')}: {row.get('reason')}"
            rid = row.get("record_id", row.get("id"))
            if rid is None:
                unnamed[key] += 1
            else:
                ids.setdefault(key, set()).add(str(rid))
    keys = [*ids, *(k for k in unnamed if k not in ids)]
    return {k: len(ids.get(k, ())) + unnamed[k] for k in keys}


def generation_drops(metrics: dict[str, Any]) -> dict[str, int]:
    """What the generators threw away while parsing LLM output, summed over rounds."""
    counts: Counter[str] = Counter()
    for rnd in metrics.get("rounds", []):
        for reason, n in (rnd.get("generation", {}).get("dropped") or {}).items():
            counts[f"generation: {reason}"] += int(n)
    return dict(counts)


def run_of(path: Path) -> Path:
    """The run directory ``path`` reports on: itself, or the run a curation in it belongs to
    (``synthloop curate RUN_DIR`` writes RUN_DIR/curated; a summary.json says a curation)."""
    if not path.is_dir():
        raise DataError(f"{path} is not a run directory")
    parent = path.resolve().parent
    if (
        not (path / "config.yaml").is_file()
        and (path / "summary.json").is_file()
        and (parent / "config.yaml").is_file()
    ):
        return parent
    return path


def load_run(path: Path) -> RunData:
    """The run directory ``path``, or a curation in it: its curated dataset, evaluation and
    audit, beside the run's config, metrics and rounds."""
    run_dir = run_of(path)
    config = run_dir / "config.yaml"
    dataset = path / "dataset.jsonl"
    for needed in (config, dataset):
        if not needed.is_file():
            raise DataError(
                f"{needed.parent} has no {needed.name}",
                hint="point at a directory written by `synthloop s3`",
            )
    metrics = _read_json(run_dir / "metrics.json") or {}
    rows = _read_rows(dataset)
    if not rows:
        raise DataError(f"{dataset}: the dataset is empty")
    parents: dict[str, dict[str, Any]] = {}
    for errors in sorted(run_dir.glob("round_*/errors.jsonl")):
        for row in _read_rows(errors):
            parents.setdefault(str(row.get("id")), row)
    evaluation = _read_json(path / "evaluation.json")
    missing = [k for k in EVALUATION_KEYS if evaluation is not None and k not in evaluation]
    if missing:
        raise DataError(
            f"{path / 'evaluation.json'}: not an evaluation `synthloop evaluate` writes "
            f"(no {missing[0]!r})",
            hint=f"remove it: `synthloop report {path}` computes it again"
            if run_dir != path
            else f"run `synthloop evaluate {path}` to write it again",
        )
    audits = find_audits(path)
    curated = RunDir(run_dir).curated_path
    return RunData(
        path=path,
        config_text=config.read_text(encoding="utf-8"),
        metrics=metrics,
        rows=rows,
        evaluation=evaluation,
        parents=parents,
        audits=audits,
        drops={**generation_drops(metrics), **drops_by_reason(audits)},
        run=None if run_dir == path else run_dir,
        curated=curated if run_dir == path and (curated / "dataset.jsonl").is_file() else None,
    )


def sample_rows(rows: list[dict[str, Any]], size: int, seed: int) -> list[dict[str, Any]]:
    if len(rows) <= size:
        return rows
    picked = sorted(random.Random(seed).sample(range(len(rows)), size))
    return [rows[i] for i in picked]
