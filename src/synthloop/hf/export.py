"""A run directory as a Hugging Face ``DatasetDict``: ``train`` is the synthetic data with
its provenance columns; ``validation`` and ``test`` are the run's real splits, when its
config names them. :func:`export_run` writes it the way the hub lays datasets out
(``data/<split>-00000-of-00001.parquet`` plus a README.md dataset card), which
``datasets.load_dataset(folder)`` reads back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthloop.core.errors import DataError
from synthloop.core.io import load_dataset_file, load_records
from synthloop.core.outputs import check_writable
from synthloop.core.records import PROVENANCE, Record
from synthloop.run.config import RunConfig, load_config
from synthloop.run.rundir import RunDir

SPLITS = ("train", "validation", "test")


def _features(config: RunConfig) -> Any:
    import datasets

    columns: dict[str, Any] = {"id": datasets.Value("string")}
    columns.update({f: datasets.Value("string") for f in config.task.inputs})
    # class labels (classification, pairs) or free text (a QA answer, a response)
    columns["label"] = config.task.spec.hf_label_feature(config.task)
    columns.update(
        {
            "method": datasets.Value("string"),
            "round": datasets.Value("int32"),
            "parent_id": datasets.Value("string"),
            "model": datasets.Value("string"),
            "prompt_hash": datasets.Value("string"),
            "extra": datasets.Value("string"),  # JSON: method-specific detail (rationales...)
        }
    )
    return datasets.Features(columns)


def _rows(records: list[Record], config: RunConfig) -> list[dict[str, Any]]:
    rows = []
    for rec in records:
        row = {"id": rec.id, **rec.inputs, "label": rec.label}
        row.update({key: getattr(rec, key) for key in PROVENANCE[1:]})
        row["extra"] = json.dumps(rec.extra, ensure_ascii=False, sort_keys=True)
        rows.append(row)
    return rows


def load_run(run_dir: str | Path) -> tuple[RunConfig, list[Record], dict[str, Any]]:
    """A finished run's config, synthetic dataset and metrics."""
    run = RunDir(run_dir)
    if not run.config_path.is_file() or not run.dataset_path.is_file():
        raise DataError(
            f"{run.path} is not a finished synthloop run (no config.yaml and dataset.jsonl)",
            hint="run `synthloop s3 CONFIG --out RUN_DIR` first",
        )
    config = load_config(run.config_path)
    records = load_dataset_file(run.dataset_path, config.task)
    metrics_path = run.path / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    return config, records, metrics


def run_dataset_dict(run_dir: str | Path) -> Any:
    """The run as a ``datasets.DatasetDict`` (train = synthetic; real validation/test)."""
    import datasets

    config, records, _ = load_run(run_dir)
    features = _features(config)
    splits = {"train": records}
    splits["validation"] = load_records(
        config.data.validation, config.task, split_name="validation"
    )
    if config.data.test is not None:
        splits["test"] = load_records(config.data.test, config.task, split_name="test")
    return datasets.DatasetDict(
        {
            name: datasets.Dataset.from_list(_rows(recs, config), features=features)
            for name, recs in splits.items()
        }
    )


def export_run(run_dir: str | Path, out: str | Path, *, repo_id: str | None = None) -> Path:
    """Write the run as a hub dataset folder (Parquet per split + README.md card)."""
    from synthloop.hf.card import dataset_card

    config, _, metrics = load_run(run_dir)
    out = Path(out)
    # an out (or out/data) that is a file was a NotADirectoryError traceback: one line,
    # before any work, the file left as it was
    check_writable(out / "data" / f"{SPLITS[0]}-00000-of-00001.parquet", "export")
    dd = run_dataset_dict(run_dir)
    (out / "data").mkdir(parents=True, exist_ok=True)
    import datasets

    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # three tiny files; a bar each is noise
    try:
        for name, ds in dd.items():
            ds.to_parquet(str(out / "data" / f"{name}-00000-of-00001.parquet"))
    finally:
        if bars:
            datasets.enable_progress_bars()
    card = dataset_card(config, metrics, dd, repo_id=repo_id)
    (out / "README.md").write_text(str(card), encoding="utf-8")
    return out
