"""The ``generation:`` section of a run config: conditions, concept tree, demonstrations,
multi-step and dataset-wise generation. Every part is optional; none set is plain
zero-shot generation.

Example (in ``run.yaml``)::

    generation:
      conditions:
        scopes:
          topic: [acting, plot, soundtrack]        # uniform
          length: {one sentence: 2, two sentences: 1}   # weighted
          audience: [critics, families]
        exclude:
          - {length: one sentence, audience: critics}
      concept_tree: {root: movies, depth: 2, branching: 4, file: concept_tree.yaml}
      # per_label: true puts the labels on the first level (for topic-like labels)
      demonstrations: {k: 2, select: similar, max_prompt_tokens: 400}
      rounds: 3                  # dataset-wise: later rounds fill what the data lacks
      extrapolate_neighbours: 2  # S3: retrieved neighbours of each error as demonstrations
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthloop.core.errors import ConfigError
from synthloop.core.io import HF_PREFIX, DataSpec
from synthloop.generate.conditions import ConditionScopes

ScopeValues = list[str] | dict[str, float]


class ConditionsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scopes: dict[str, ScopeValues] = Field(
        description="condition key -> its values (a list) or value -> weight (a mapping)"
    )
    exclude: list[dict[str, str | list[str]]] = Field(
        default_factory=list,
        description="combinations never generated: each maps keys to a value (or values)",
    )

    @field_validator("scopes", mode="before")
    @classmethod
    def _values_or_weights(cls, scopes: Any) -> Any:
        # `region:` (null) or `region: north` failed as both union members at once: two raw
        # messages naming neither the scope's forms nor, plainly, the scope
        if isinstance(scopes, dict):
            forms = "list them ([a, b]) or weigh them ({a: 2, b: 1})"
            for key, values in scopes.items():
                if values is None:
                    raise ValueError(f"condition scope {key!r} has no values: {forms}")
                if not isinstance(values, list | dict):
                    raise ValueError(f"condition scope {key!r} is {values!r}, not values: {forms}")
        return scopes

    @field_validator("scopes")
    @classmethod
    def _non_empty(cls, scopes: dict[str, ScopeValues]) -> dict[str, ScopeValues]:
        if not scopes:
            raise ValueError("declare at least one condition scope (key: [values])")
        for key, values in scopes.items():
            if not values:
                raise ValueError(f"condition scope {key!r} has no values")
            if isinstance(values, dict) and any(w < 0 for w in values.values()):
                raise ValueError(f"condition scope {key!r} has a negative weight")
            if isinstance(values, dict) and not any(w > 0 for w in values.values()):
                raise ValueError(f"condition scope {key!r} needs a positive weight")
        return scopes

    @model_validator(mode="after")
    def _exclusions_make_sense(self) -> ConditionsConfig:
        try:  # unknown keys or values, or nothing left to generate
            ConditionScopes(self.scopes, self.exclude)
        except ConfigError as exc:
            raise ValueError(exc.message) from exc
        return self


class ConceptTreeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    root: str | None = Field(default=None, description="the topic to expand (default: domain)")
    depth: int = Field(default=2, ge=1, le=4, description="levels of subtopics below the root")
    branching: int = Field(default=4, ge=1, le=20, description="subtopics asked for per node")
    file: str | None = Field(
        default=None,
        description="YAML file the tree is saved to, and read from (unchanged) if present",
    )
    key: str = Field(default="topic", description="the condition a leaf fills")
    per_label: bool = Field(
        default=False,
        description="the labels are the first level; each label walks only its own leaves",
    )


class DemonstrationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    k: int = Field(default=2, ge=1, le=32, description="demonstrations per prompt")
    select: Literal["random", "similar"] = Field(
        default="similar", description="random, or most similar (MiniLM) to the condition"
    )
    same_label: bool = Field(default=True, description="only demonstrations of the target label")
    data: DataSpec | None = Field(
        default=None, description="the real pool (default: data.validation)"
    )
    max_prompt_tokens: int | None = Field(
        default=None, gt=0, description="drop demonstrations that would overflow this"
    )


class DialogueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    turns: int = Field(default=4, ge=2, le=20, description="messages, user first, alternating")
    user: str = Field(default="a customer", description="who the LLM plays in user turns")
    assistant: str = Field(
        default="a helpful assistant", description="who the LLM plays in assistant turns"
    )


class GenerationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(default="zerogen", description="the step template examples come from")
    conditions: ConditionsConfig | None = None
    concept_tree: ConceptTreeConfig | None = None
    demonstrations: DemonstrationsConfig | None = None
    rounds: int = Field(
        default=1, ge=1, description="dataset-wise rounds; each plans from what the data lacks"
    )
    clusters: int = Field(
        default=8, ge=2, description="embedding clusters checked for crowding between rounds"
    )
    extrapolate_neighbours: int = Field(
        default=0, ge=0, description="S3: real neighbours of each error shown as demonstrations"
    )
    dialogue: DialogueConfig = DialogueConfig()


def resolve_generation_paths(section: Any, resolve: Any) -> Any:
    """Make the file paths inside a raw ``generation:`` mapping absolute with ``resolve``
    (the run config's resolver), before validation."""
    if not isinstance(section, dict):
        return section
    section = dict(section)
    tree = section.get("concept_tree")
    if isinstance(tree, dict) and isinstance(tree.get("file"), str):
        section["concept_tree"] = {**tree, "file": resolve(tree["file"])}
    demos = section.get("demonstrations")
    if isinstance(demos, dict):
        data = demos.get("data")
        if isinstance(data, str):
            data = {"path": data}
        if isinstance(data, dict) and isinstance(data.get("path"), str):
            path = data["path"]
            if not (path.startswith(HF_PREFIX) or Path(path).is_absolute()):
                data = {**data, "path": resolve(path)}
            section["demonstrations"] = {**demos, "data": data}
    return section
