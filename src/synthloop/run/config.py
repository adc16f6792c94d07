"""The run config: task, real data, LLM, S3 settings — one YAML file.

Example ``run.yaml`` (paths are relative to this file)::

    task: task.yaml              # or the task inline, as a mapping
    data:
      validation: {path: data/validation.jsonl}
      test: {path: test.csv, columns: {text: sentence}, label_map: {"0": negative, "1": positive}}
    llm: {backend: embedded}     # or {backend: openai, model: gpt-4o-mini, base_url: ...}
    s3: {seed_size: 200, rounds: 2}
    seed: 0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from synthloop.core.errors import ConfigError
from synthloop.core.io import HF_PREFIX, DataSpec, load_records
from synthloop.core.records import Record
from synthloop.core.seeds import RunSeed
from synthloop.core.tasks import Task, load_task, with_article
from synthloop.core.yamlio import read_yaml_mapping, validate_model
from synthloop.curate.pipeline import CurateConfig, check_steps_fit, default_steps
from synthloop.generate.settings import GenerationConfig, resolve_generation_paths
from synthloop.llm import LLMConfig
from synthloop.s3.config import INSTRUCTION_FIELDS, S3Config, check_s3_fields


class DataConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    validation: DataSpec = Field(description="real labelled data whose errors S3 extrapolates")
    test: DataSpec | None = Field(
        default=None, description="real labelled data every round is scored on"
    )

    def own_file_columns(self) -> dict[str, str]:
        """The column each task field has in the user's data, as this config maps its real
        splits (validation's where the two differ): what a dataset file of the user's with
        no column of a field is read by (``curate FILE --config``, ``evaluate FILE``)."""
        test = self.test.columns if self.test is not None else {}
        return {**test, **self.validation.columns}

    def own_file_label_map(self) -> dict[str, str]:
        """The task label of each raw label value, as this config maps its real splits
        (validation's where the two differ): what a dataset file of the user's read with
        :meth:`own_file_columns` maps a value that is no task label by, as its splits."""
        test = self.test.label_map if self.test is not None else {}
        return {**test, **self.validation.label_map}

    def spec_for(self, path: str | Path, label_map: dict[str, str] | None = None) -> DataSpec:
        """How to read a file named on the command line (``--from``, ``--real``, ``--test``):
        with the columns and label_map of this config's split that is the same file, as a
        user who passes their own validation.csv expects; any other file as it is. A hub
        dataset (``hf:NAME:CONFIG:SPLIT``) takes them from a split of the same NAME and
        configuration: another split of one dataset has the same columns. ``label_map``
        (``--label-map``) maps raw labels too, over the split's own map."""
        spec = self._spec_for(path)
        if not label_map:
            return spec
        return spec.model_copy(update={"label_map": {**spec.label_map, **label_map}})

    def read_named(
        self,
        path: str | Path,
        task: Task,
        split_name: str,
        *,
        label_map: dict[str, str] | None = None,
        columns: dict[str, str] | None = None,
    ) -> list[Record]:
        """The records of a file named on the command line, read as :meth:`spec_for`
        says, with ``columns`` (``--columns``) and ``label_map`` (``--label-map``) over it."""
        spec = self.spec_for(path, label_map)
        return load_records(spec, task, split_name=split_name, columns=columns)

    def _spec_for(self, path: str | Path) -> DataSpec:
        given = DataSpec(path=str(path))
        hub = given.path.startswith(HF_PREFIX)
        target = None if hub else Path(path).resolve()
        for spec in (self.validation, self.test):
            if spec is None or spec.path.startswith(HF_PREFIX) != hub:
                continue
            if hub and (spec.path, spec.config) == (given.path, given.config):
                return given.model_copy(
                    update={"columns": spec.columns, "label_map": spec.label_map}
                )
            if not hub and Path(spec.path).resolve() == target:
                return spec.model_copy(update={"path": str(path)})
        return given


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: the config and task files it was loaded from (see input_files)
    _read_from: list[str] = PrivateAttr(default_factory=list)
    task: Task
    data: DataConfig
    llm: LLMConfig = LLMConfig()
    s3: S3Config = S3Config()
    generation: GenerationConfig = GenerationConfig()
    learner: str | None = Field(
        default=None, description="small model [default: by task type, e.g. embed_lr for pairs]"
    )
    seed: RunSeed = 0
    templates_dir: str | None = None
    curate: CurateConfig | None = None  # curate each S3 round before training

    @model_validator(mode="after")
    def _curate_fits_task(self) -> RunConfig:
        if self.curate is not None and not self.task.has_labels:
            if "steps" not in self.curate.model_fields_set:  # the defaults that fit the task
                self.curate = self.curate.model_copy(update={"steps": default_steps(self.task)})
            try:
                check_steps_fit(self.curate.steps, self.task)
            except ConfigError as exc:
                raise ConfigError(f"curate.steps: {exc.message}", hint=exc.hint) from None
        return self

    @property
    def learner_name(self) -> str:
        name = self.learner or self.task.default_learner
        if name is None:
            command = self.task.spec.s3_command
            hint = f"S3 for {self.task.type} data is `{command}`" if command else None
            raise ConfigError(
                f"{with_article(self.task.type)} task has no small model to train", hint=hint
            )
        return name

    def input_files(self) -> list[Path]:
        """The files this config was read from and makes a run read: the config file and
        the task file (when loaded with :func:`load_config`), the data splits, demonstration
        data, the templates folder, a saved concept tree. What no command may write over."""
        files = [Path(f) for f in self._read_from]
        specs = [self.data.validation, self.data.test]
        demos = self.generation.demonstrations
        specs.append(demos.data if demos is not None else None)
        files += [Path(s.path) for s in specs if s is not None and not s.path.startswith(HF_PREFIX)]
        if self.templates_dir:
            files.append(Path(self.templates_dir))
        tree = self.generation.concept_tree
        if tree is not None and tree.file and Path(tree.file).is_file():
            files.append(Path(tree.file))  # read as it is (else written: an output)
        return files

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json")
        # a config built in Python may hold paths relative to the working directory; the
        # text is read back (load_config) relative to the file it is written to (a run's
        # config.yaml), so it says them absolute, as load_config made those of a file
        base = Path.cwd()
        for spec in data["data"].values():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                spec["path"] = _resolve(base, spec["path"])
        data["generation"] = resolve_generation_paths(
            data["generation"], lambda p: _resolve(base, p)
        )
        if isinstance(data.get("templates_dir"), str):
            data["templates_dir"] = _resolve(base, data["templates_dir"])
        templates = data["task"].get("templates") or {}
        data["task"]["templates"] = {k: _resolve(base, v) for k, v in templates.items()}
        for name in INSTRUCTION_FIELDS:  # instruction data's settings: not a run config's
            data["s3"].pop(name, None)
        if data.get("curate") is None:  # runs without curation keep their config text
            data.pop("curate", None)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _resolve(base: Path, value: str) -> str:
    if value.startswith(HF_PREFIX) or Path(value).is_absolute():
        return value
    return str((base / value).resolve())


def config_from_mapping(data: dict[str, Any], base: Path, source: str) -> RunConfig:
    """Build a config from a parsed mapping whose relative paths are relative to ``base``."""
    data = dict(data)
    task = data.get("task")
    read_from = []
    if task is None:
        raise ConfigError(f"{source}: task: is required (a path to a task YAML, or inline)")
    if isinstance(task, str):
        read_from.append(_resolve(base, task))
        data["task"] = load_task(read_from[-1])
    instruct_keys = [key for key in ("seeds", "self_instruct", "real") if key in data]
    if instruct_keys:  # a Self-Instruct config given to s3, generate, curate or evaluate
        raise ConfigError(
            f"{source} is a Self-Instruct config ({instruct_keys[0]}:), not a run config",
            hint="`synthloop self-instruct CONFIG` runs it (S3 rounds: --rounds N); this command "
            "takes a run config (task:, data:)",
        )
    splits = data.get("data")
    if isinstance(splits, dict) and "train" in splits:  # the first thing a user with 3 splits tries
        raise ConfigError(
            f"{source}: data.train: synthloop writes the training data; data: takes "
            "validation and test",
            hint="put your labelled training examples in validation: S3 mines its errors, "
            "and the final model trains on it beside the synthetic data",
        )
    if isinstance(splits, dict):
        splits = dict(splits)
        for name, spec in splits.items():
            if isinstance(spec, str):
                spec = {"path": spec}
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                spec = {**spec, "path": _resolve(base, spec["path"])}
            splits[name] = spec
        data["data"] = splits
    if "generation" in data:
        data["generation"] = resolve_generation_paths(
            data["generation"], lambda p: _resolve(base, p)
        )
    if isinstance(data.get("templates_dir"), str):
        data["templates_dir"] = _resolve(base, data["templates_dir"])
    try:
        check_s3_fields(data.get("s3"), INSTRUCTION_FIELDS, "a run config (see self-instruct)")
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    config = validate_model(RunConfig, data, source)
    config._read_from = read_from
    return config


def load_config(path: str | Path) -> RunConfig:
    path = Path(path)
    config = config_from_mapping(read_yaml_mapping(path, "run config"), path.parent, str(path))
    config._read_from = [str(path.resolve()), *config._read_from]
    return config
