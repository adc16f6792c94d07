"""The options several commands share, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        help="The column for each task field in the data files given here, e.g. "
        "text=utterance,label=intent; a file without that column but with the field's own "
        "is read as it is [default: the task's field names; a field the file has no column "
        "of: the column the run config's data maps it to]."
    ),
]
LabelMapOpt = Annotated[
    str | None,
    typer.Option(
        help="The task label for each raw label value of the data files given here, e.g. "
        "0=negative,1=positive; a value that is already one of the task's labels is read "
        "as it is [a value of a dataset file it leaves out: as the run config's data maps "
        "it]."
    ),
]
ConfigArg = Annotated[Path, typer.Argument(help="Run config YAML (task, data, llm, s3).")]
#: what curate and evaluate take: a run directory (its config.yaml is the default) or a file
RunOrFileArg = Annotated[Path, typer.Argument(help="A run directory or a dataset file.")]
RunConfigOpt = Annotated[
    Path | None, typer.Option(help="Run config [default: RUN_DIR/config.yaml].")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bars, no estimate line: results only.")
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Show other libraries' output as it comes (llama.cpp's logs, model-loading "
        "bars); without it, it is shown only when their step fails.",
    ),
]
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
