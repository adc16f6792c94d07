"""``synthloop s3``: the S3 loop on a run config."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from synthloop.cli.common import announce, budget_of, out_console
from synthloop.cli.options import (
    ConfigArg,
    EndpointOpt,
    EstimateOpt,
    MaxCallsOpt,
    MaxCostOpt,
    MaxTokensOpt,
    QuietOpt,
    RayAddressOpt,
    RayWorkersOpt,
    Runner,
    RunnerOpt,
)

if TYPE_CHECKING:
    from synthloop.llm import Usage
    from synthloop.run.config import RunConfig
    from synthloop.s3.loop import RoundResult


def _with_overrides(config: RunConfig, **s3_overrides: Any) -> RunConfig:
    from synthloop.run.config import RunConfig

    seed = s3_overrides.pop("seed", None)
    data = config.model_dump()
    data["s3"].update({k: v for k, v in s3_overrides.items() if v is not None})
    if seed is not None:
        data["seed"] = seed
    return RunConfig.model_validate(data)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def print_rounds(rounds: list[RoundResult], usage: Usage, seconds: float) -> None:
    table = Table(
        title="S3 rounds: the small model on real data (accuracy and macro-F1, %; "
        "QA: exact match and token F1)",
        caption="real+synth: the same model trained on real validation + synthetic data",
    )
    for col in ("round", "train", "added", "dropped", "val acc", "val errors"):
        table.add_column(col, justify="right")
    table.add_column("test acc", justify="right", style="bold")
    table.add_column("test F1", justify="right")
    table.add_column("real+synth test acc", justify="right")
    for r in rounds:
        dropped = sum(r.generation.get("dropped", {}).values())
        table.add_row(
            str(r.round),
            str(r.train_size),
            str(r.added),
            str(dropped),
            _fmt(r.val.accuracy),
            str(len(r.errors)),
            _fmt(r.test.accuracy if r.test else None),
            _fmt(r.test.macro_f1 if r.test else None),
            _fmt(r.test_with_real.accuracy if r.test_with_real else None),
        )
    out_console.print(table)
    out_console.print(
        f"LLM: {usage.calls} calls ({usage.cache_hits} from cache), "
        f"{usage.tokens:,} tokens paid, {seconds:.0f} s"
    )


def s3(
    config: ConfigArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run directory [default: runs/TASK].")
    ] = None,
    rounds: Annotated[int | None, typer.Option(help="Extrapolation rounds (S3 R).")] = None,
    seed_size: Annotated[int | None, typer.Option(help="LLM calls for the seed set.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed for the whole run.")] = None,
    force: Annotated[
        bool, typer.Option(help="Reuse a run directory that holds another config.")
    ] = False,
    quiet: QuietOpt = False,
    runner: RunnerOpt = Runner.local,
    ray_address: RayAddressOpt = None,
    ray_workers: RayWorkersOpt = None,
    endpoint: EndpointOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    estimate: EstimateOpt = False,
) -> None:
    """Run the S3 loop: rationale-seeded data, then R rounds of error extrapolation.

    Each round trains the small model on the synthetic data so far, collects its errors on
    the real validation set, and asks the LLM for new examples like each error with its gold
    label. Every round's model is scored on the real test set. Re-running the same command
    is free: every LLM answer is cached in the run directory.
    """
    from synthloop.cli.runner import compute_of, runner_backend
    from synthloop.run.config import load_config
    from synthloop.run.estimate import estimate_run
    from synthloop.run.s3 import run_s3

    cfg = _with_overrides(load_config(config), rounds=rounds, seed_size=seed_size, seed=seed)
    out = out or Path("runs") / cfg.task.name
    if announce(estimate_run(cfg, out=out), estimate, quiet):
        return
    budget = budget_of(max_calls, max_tokens, max_cost)
    with runner_backend(runner, ray_address, ray_workers, endpoint) as backend:
        run = asyncio.run(
            run_s3(
                cfg,
                out,
                force=force,
                show_progress=not quiet,
                budget=budget,
                backend=backend,
                compute=compute_of(backend),
            )
        )
    print_rounds(run.result.rounds, run.usage, run.seconds)
    out_console.print(f"dataset: {run.output} ({len(run.result.dataset)} records)")
