"""``synthloop self-instruct``: instruction data bootstrapped from a few seed examples."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def self_instruct_command(
    config: Annotated[Path, typer.Argument(help="Self-Instruct YAML (task, seeds, llm).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output JSONL (instruction, input, output).")
    ] = Path("instructions.jsonl"),
    n: Annotated[int | None, typer.Option("-n", min=1, help="Instructions wanted.")] = None,
    rouge_threshold: Annotated[
        float | None, typer.Option(help="Drop candidates this ROUGE-L close to the pool.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Self-Instruct: new instructions prompted with sampled pool members, kept only when
    novel (ROUGE-L below the threshold against every instruction so far), then answered."""
    from synthloop.instruct import load_instruct_config, run_self_instruct

    cfg = load_instruct_config(config)
    overrides = {"n": n, "rouge_threshold": rouge_threshold}
    settings = cfg.self_instruct.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    cfg = cfg.model_copy(update={"self_instruct": settings})
    result, stats = asyncio.run(run_self_instruct(cfg, out, show_progress=not quiet))
    dropped = ", ".join(f"{k} {v}" for k, v in result.dropped.items()) or "none"
    Console().print(
        f"{out}: {len(result.records)} instructions from {result.calls} calls "
        f"(dropped: {dropped}); ROUGE-L to nearest: mean {stats['rouge_l_nearest_mean']}, "
        f"distinct-2 {stats['distinct_2_instructions']}"
    )


def register(app: typer.Typer) -> None:
    app.command("self-instruct")(self_instruct_command)
