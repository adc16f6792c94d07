"""The S3 loop's settings: the ``s3:`` section of a run config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
