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

import yaml

from synthloop.core.errors import ConfigError
from synthloop.core.io import write_json, write_jsonl, write_records, write_text_atomic
from synthloop.core.records import Record
from synthloop.core.runlock import RunLock
from synthloop.run.config import RunConfig

#: config fields that change how a run waits and retries, not what it makes: a run
#: resumed with another value is the same run
OPERATIONAL = {"llm": ("timeout", "max_retries", "unreachable_timeout")}


def _what_decides(config_text: str) -> Any:
    """The config as it decides a run: read with today's defaults (a field added since the
    run was made is not a difference), without the operational fields."""
    try:
        data = yaml.safe_load(config_text)
        data = RunConfig.model_validate(data).model_dump(mode="json")
    except (yaml.YAMLError, ValueError):
        return config_text  # not ours to read: different from any config we write
    for section, keys in OPERATIONAL.items():
        for key in keys:
            data[section].pop(key, None)
    return data


#: the files a run writes at its top level, besides config.yaml and the cache
OUTPUTS = ("dataset.jsonl", "dataset.parquet", "metrics.json", "rationales.json", "round_0")


class RunDir:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock = RunLock(self.path)

    @property
    def cache_path(self) -> Path:
        return self.path / "cache.sqlite"

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    @property
    def dataset_path(self) -> Path:
        return self.path / "dataset.jsonl"

    @property
    def curated_path(self) -> Path:
        """The folder ``synthloop curate RUN_DIR`` writes (the run's dataset is left as is)."""
        return self.path / "curated"

    def prepare(self, config: RunConfig, *, force: bool = False) -> None:
        """Create the directory and hold it for this process (see runlock.py, released by
        :meth:`release`); refuse to mix two different configs in one run."""
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"{self.path} exists and is not a directory")
        self.lock.acquire()
        text = config.to_yaml()
        try:
            if (
                not force
                and self.config_path.exists()
                and _what_decides(self.config_path.read_text(encoding="utf-8"))
                != _what_decides(text)
            ):
                raise ConfigError(
                    f"{self.path} holds a run with a different config",
                    hint="choose another --out, or pass --force to reuse it (the cache stays)",
                )
            if not force and not self.config_path.exists():
                # no config.yaml: not a run, so these are someone's own files of the names
                # a run writes (a folder of data given as --out): they were overwritten
                theirs = [n for n in OUTPUTS if (self.path / n).exists()]
                if theirs:
                    raise ConfigError(
                        f"{self.path} is not a synthloop run (no config.yaml) and holds "
                        f"{', '.join(theirs)}, which a run would write over",
                        hint="choose another --out, or pass --force to write over them",
                    )
        except BaseException:
            self.lock.release()
            raise
        write_text_atomic(text, self.config_path)

    def release(self) -> None:
        """Let another process write into the directory."""
        self.lock.release()

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
