"""The synthloop command line: ``s3``, ``generate``, ``evaluate``, ``report`` and ``demo``."""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from synthloop.cli.curate import register as register_curation
from synthloop.cli.evaluate import evaluate as evaluate_command
from synthloop.cli.push import register as register_push
from synthloop.cli.report import report as report_command
from synthloop.cli.runner import (
    EndpointOpt,
    RayAddressOpt,
    RayWorkersOpt,
    Runner,
    RunnerOpt,
    compute_of,
    runner_backend,
)
from synthloop.cli.self_instruct import register as register_self_instruct
from synthloop.core.errors import BudgetExceeded, SynthloopError
from synthloop.llm import Budget, Usage
from synthloop.run.config import RunConfig, load_config
from synthloop.run.s3 import estimate_run, run_generate, run_s3
from synthloop.s3.loop import RoundResult

app = typer.Typer(
    help="LLM-driven synthetic data: generate, curate, evaluate — and the S3 loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()

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


class Method(StrEnum):
    zerogen = "zerogen"
    s3_seed = "s3-seed"
    extrapolate = "extrapolate"
    conditional = "conditional"  # generation: conditions / concept tree / demos / rounds
    rationale_example = "rationale-example"
    dialogue = "dialogue"


def _with_overrides(config: RunConfig, **s3_overrides: Any) -> RunConfig:
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
            str(r.errors),
            _fmt(r.test.accuracy if r.test else None),
            _fmt(r.test.macro_f1 if r.test else None),
            _fmt(r.test_with_real.accuracy if r.test_with_real else None),
        )
    out_console.print(table)
    out_console.print(
        f"LLM: {usage.calls} calls ({usage.cache_hits} from cache), "
        f"{usage.tokens:,} tokens paid, {seconds:.0f} s"
    )


def _announce(est: Any, only: bool, quiet: bool) -> bool:
    """Show the estimate (stdout with --estimate, else stderr); True: stop here."""
    if only:
        out_console.print(est.line())
    elif not quiet:
        print(est.line(), file=sys.stderr)
    return only


@app.command()
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
    cfg = _with_overrides(load_config(config), rounds=rounds, seed_size=seed_size, seed=seed)
    out = out or Path("runs") / cfg.task.name
    if _announce(estimate_run(cfg, out=out), estimate, quiet):
        return
    budget = Budget(max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost)
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
    out_console.print(f"dataset: {run.run_dir.dataset_path} ({len(run.result.dataset)} records)")


@app.command()
def generate(
    config: ConfigArg,
    method: Annotated[Method, typer.Option(help="Which generator to run.")] = Method.zerogen,
    n: Annotated[int, typer.Option("-n", min=1, help="LLM calls (examples asked for).")] = 100,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output file (.jsonl or .parquet).")
    ] = Path("generated.jsonl"),
    from_: Annotated[
        Path | None,
        typer.Option("--from", help="extrapolate: labelled examples to imitate (e.g. errors)."),
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="Response cache [default: OUT.cache.sqlite].")
    ] = None,
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
    """Run one generator alone: zerogen (label-conditioned baseline), s3-seed (rationales,
    then examples), extrapolate (new examples like each given one, same label), or, as the
    config's generation: section sets them up, conditional (conditions, concept tree,
    demonstrations, dataset-wise rounds), rationale-example (two calls per example) or
    dialogue (multi-turn, one call per turn)."""
    cfg = load_config(config)
    est = estimate_run(cfg, method=method.value, n=n, out=out, errors_path=from_, cache_path=cache)
    if _announce(est, estimate, quiet):
        return
    budget = Budget(max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost)
    with runner_backend(runner, ray_address, ray_workers, endpoint) as backend:
        gen, usage = asyncio.run(
            run_generate(
                cfg,
                method.value,
                n,
                out,
                errors_path=from_,
                cache_path=cache,
                show_progress=not quiet,
                budget=budget,
                backend=backend,
            )
        )
    dropped = ", ".join(f"{k} {v}" for k, v in gen.dropped.items()) or "none"
    out_console.print(
        f"{out}: {len(gen.records)} records from {gen.calls} calls (dropped: {dropped}); "
        f"{usage.calls} paid calls, {usage.cache_hits} from cache"
    )


app.command()(evaluate_command)
app.command()(report_command)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    quiet: QuietOpt = False,
) -> None:
    """Run S3 end to end on the bundled DEMO task (restaurant-review sentiment, a small
    labelled set written by the synthloop authors) with the embedded LLM."""
    from synthloop.demo import write_demo

    config_path = write_demo(out / "demo-data")
    out_console.print(f"demo task and DEMO labelled set written to {config_path.parent}")
    s3(config=config_path, out=out, quiet=quiet)


register_curation(app)
register_push(app)
register_self_instruct(app)


def main() -> None:
    try:
        app()
    except BudgetExceeded as exc:  # its own exit code: a stop the user asked for
        print(f"error: {exc.one_line()}", file=sys.stderr)
        sys.exit(3)
    except SynthloopError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(
            "interrupted: run the same command again to resume (answers so far are cached)",
            file=sys.stderr,
        )
        sys.exit(130)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # a bug: say so in one line, show the trace only on request
        if os.environ.get("SYNTHLOOP_DEBUG"):
            traceback.print_exc()
        print(
            f"error: internal error {type(exc).__name__}: {exc} "
            "(set SYNTHLOOP_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
