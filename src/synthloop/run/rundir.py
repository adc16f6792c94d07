"""A run's directory: its config, the LLM cache, each round's data and metrics, the
final dataset. Every file is written atomically, so a killed run never leaves half a file.

    RUN_DIR/
      config.yaml            the resolved config (task inline)
      cache.sqlite           every LLM answer, keyed on what decides it
      rationales.json        S3's reasons per label
      round_0/               seed round: data.jsonl (records added), errors.jsonl, metrics.json
      round_1/ ...           extrapolation rounds
      dataset.jsonl          the final synthetic dataset, with provenance
      dataset.parquet
      metrics.json           every round's scores, generation stats and LLM usage
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synthloop.core.errors import ConfigError
from synthloop.core.io import write_json, write_jsonl, write_records
from synthloop.core.records import Record
from synthloop.run.config import RunConfig


class RunDir:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def cache_path(self) -> Path:
        return self.path / "cache.sqlite"

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    @property
    def dataset_path(self) -> Path:
        return self.path / "dataset.jsonl"

    def prepare(self, config: RunConfig, *, force: bool = False) -> None:
        """Create the directory; refuse to mix two different configs in one run."""
        text = config.to_yaml()
        if (
            not force
            and self.config_path.exists()
            and self.config_path.read_text(encoding="utf-8") != text
        ):
            raise ConfigError(
                f"{self.path} holds a run with a different config",
                hint="choose another --out, or pass --force to reuse it (the cache stays)",
            )
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"{self.path} exists and is not a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.config_path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.config_path)

    def save_rationales(self, rationales: dict[str, list[str]]) -> None:
        write_json(rationales, self.path / "rationales.json")

    def save_round(
        self,
        round: int,
        added: Sequence[Record],
        errors: Sequence[Record],
        metrics: dict[str, Any],
    ) -> None:
        folder = self.path / f"round_{round}"
        write_records(added, folder / "data.jsonl")
        write_jsonl(
            ({"id": e.id, **e.inputs, "label": e.label} for e in errors), folder / "errors.jsonl"
        )
        write_json(metrics, folder / "metrics.json")

    def save_final(self, dataset: Sequence[Record], metrics: dict[str, Any]) -> None:
        write_records(dataset, self.dataset_path)
        write_records(dataset, self.path / "dataset.parquet")
        write_json(metrics, self.path / "metrics.json")
