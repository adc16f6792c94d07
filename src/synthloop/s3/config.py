"""The S3 loop's settings: the ``s3:`` section of a run config (classification, pairs, QA)
or of a Self-Instruct config (instruction data).

One model for both: ``rounds`` and ``per_error`` mean the same everywhere; the seed
settings (``seed_size``, the rationales, ``max_errors_per_round``) belong to the strategy
that writes examples from labels and real inputs, and ``errors_per_round`` /
``error_below`` to the one for instruction data. Each config accepts only its own
(:func:`check_s3_fields`), as before the two were one.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: the settings only the instruction strategy reads
INSTRUCTION_FIELDS = ("errors_per_round", "error_below")
#: the settings only the example-writing strategy reads
EXAMPLE_FIELDS = (
    "seed_size",
    "rationale_calls_per_label",
    "rationales_per_call",
    "rationales_per_example",
    "max_errors_per_round",
    "patience",
    "heldout_folds",
    "strategy",
    "learners",
)


class S3Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed_size: int = Field(default=200, gt=0, description="LLM calls for the seed set")
    rationale_calls_per_label: int = Field(default=2, gt=0)
    rationales_per_call: int = Field(default=5, gt=0)
    rationales_per_example: int = Field(
        default=2, ge=0, description="k rationales sampled per seed call"
    )
    rounds: int = Field(default=2, ge=0, description="extrapolation rounds after the seed round")
    per_error: int = Field(
        default=1, gt=0, description="new examples asked for per validation error"
    )
    max_errors_per_round: int | None = Field(
        default=None, gt=0, description="cap on errors extrapolated per round (a random sample)"
    )
    strategy: Literal["examples", "heldout"] = Field(
        default="examples",
        description="examples: mine the errors of a model trained on the synthetic data "
        "alone on the real validation records (S3 as published); heldout: mine the "
        "cross-fitted held-out errors of the model chosen on held-out data (learner, C, "
        "synthetic weight), real validation records included in its training",
    )
    learners: list[str] | None = Field(
        default=None,
        description="learners the final model (and the heldout strategy) is chosen among "
        "on held-out data (default: tfidf_lr and embed_lr for single texts, embed_lr for "
        "pairs, the type's default learner otherwise)",
    )
    patience: int | None = Field(
        default=None,
        gt=0,
        description="stop after this many rounds without a held-out gain and keep the best "
        "round's data (default: run every round, keep them all)",
    )
    heldout_folds: int = Field(
        default=5,
        ge=0,
        description="folds of the real validation records for held-out scores; 0 turns them "
        "off (each round trains 2 x folds more models: cheap for tfidf_lr, not for minilm_ft)",
    )
    errors_per_round: int = Field(
        default=20,
        gt=0,
        description="instruction data: worst-scored real validation items extrapolated per round",
    )
    error_below: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="instruction data: ROUGE-L under which a real item is an error",
    )


def check_s3_fields(section: object, allowed_out: Collection[str], where: str) -> None:
    """Raise a ValueError when a raw ``s3:`` mapping sets a field of the other strategy."""
    if not isinstance(section, dict):
        return
    foreign = [name for name in section if name in allowed_out]
    if foreign:
        raise ValueError(f"s3.{foreign[0]} is not a setting of {where}")
