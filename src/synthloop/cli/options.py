"""The options several commands share, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

ConfigArg = Annotated[Path, typer.Argument(help="Run config YAML (task, data, llm, s3).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
MaxCallsOpt = Annotated[
    int | None, typer.Option(min=0, help="Stop before more than this many paid LLM calls.")
]
MaxTokensOpt = Annotated[
    int | None, typer.Option(min=0, help="Stop before more than this many paid tokens.")
]
MaxCostOpt = Annotated[
    float | None,
    typer.Option(min=0, help="Stop before spending more (needs llm.price_* in the config)."),
]
EstimateOpt = Annotated[
    bool, typer.Option("--estimate", help="Print the estimated calls, tokens and cost; exit.")
]


class Runner(StrEnum):
    local = "local"
    ray = "ray"


RunnerOpt = Annotated[
    Runner,
    typer.Option(
        help="local: this process; ray: LLM calls over Ray workers, and dedup, embeddings, "
        "confidence and scoring over Ray Data."
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(help="ray: an existing cluster ('auto', or HOST:PORT); default: start one."),
]
RayWorkersOpt = Annotated[
    int | None, typer.Option(min=1, help="ray: LLM workers (default: one per CPU of the cluster).")
]
EndpointOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--endpoint",
        help="ray + openai backend: an OpenAI-compatible base URL; repeat to spread workers.",
    ),
]
