"""``synthloop s3``: the S3 loop on a run config."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from synthloop.cli.common import announce, budget_of, guard_outputs, out_console, show_third_party
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
    VerboseOpt,
)
from synthloop.core.figures import pct

if TYPE_CHECKING:
    from synthloop.llm import Usage
    from synthloop.run.config import RunConfig
    from synthloop.s3.loop import RoundResult


#: what s3 writes into its run directory, besides config.yaml, journal/ and round_N/
RUN_FILES = ("dataset.jsonl", "dataset.parquet", "metrics.json", "rationales.json", "cache.sqlite")


def _with_overrides(config: RunConfig, **s3_overrides: Any) -> RunConfig:
    from synthloop.run.config import RunConfig

    seed = s3_overrides.pop("seed", None)
    data = config.model_dump()
    data["s3"].update({k: v for k, v in s3_overrides.items() if v is not None})
    if seed is not None:
        data["seed"] = seed
    return RunConfig.model_validate(data)


def _round_folders(out: Path, reads: list[Path], rounds: int) -> list[Path]:
    """The round_N folders the run fills (N <= rounds) that hold one of ``reads``: only
    those can refuse it, and naming every round's folder costs a path per round."""
    folders = []
    for path in reads:
        try:
            part = path.resolve().relative_to(out.resolve()).parts[0]
        except (ValueError, IndexError):
            continue
        number = part.removeprefix("round_")
        if number.isdigit() and part == f"round_{int(number)}" and int(number) <= rounds:
            folders.append(out / part)
    return folders


def print_rounds(rounds: list[RoundResult], usage: Usage, seconds: float) -> None:
    # eleven columns in an 80-column terminal: short headers over several lines, no
    # vertical rules, the legend below
    table = Table(
        title="S3 rounds: the small model on real data (accuracy and macro-F1, %; "
        "QA: exact match and token F1)",
        caption="val acc is mined: each round imitates the validation records the model gets "
        "wrong, so it rises by construction. held-out: cross-fitted over the validation "
        "records (fold k scored by a model that never saw fold k nor anything extrapolated "
        "from it): trust it, and test. r+s: trained on real validation + synthetic data",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
    )
    headers = {
        "round": "round",
        "train": "train",
        "added": "added",
        "dropped": "drop",
        "val acc": "val\nacc",
        "held-out acc": "held-\nout\nacc",
        "val errors": "val\nerr",
        "test acc": "test\nacc",
        "test F1": "test\nF1",
        "real+synth held-out": "r+s\nheld-\nout",
        "real+synth test acc": "r+s\ntest\nacc",
    }
    for name, header in headers.items():
        style = "bold" if name == "test acc" else None
        table.add_column(header, justify="right", style=style, min_width=5)
    for r in rounds:
        dropped = sum(r.generation.get("dropped", {}).values())
        table.add_row(
            str(r.round),
            str(r.train_size),
            str(r.added),
            str(dropped),
            pct(r.val.accuracy),
            pct(r.heldout.accuracy if r.heldout else None),
            str(len(r.errors)),
            pct(r.test.accuracy if r.test else None),
            pct(r.test.macro_f1 if r.test else None),
            pct(r.heldout_with_real.accuracy if r.heldout_with_real else None),
            pct(r.test_with_real.accuracy if r.test_with_real else None),
        )
    out_console.print(table)
    out_console.print(
        f"LLM: {usage.calls} paid calls, {usage.cache_hits} from cache, "
        f"{usage.tokens:,} tokens paid, {seconds:.0f} s"
    )


def print_final(metrics: dict[str, Any]) -> None:
    """The final model chosen on held-out data, and the round whose data is kept."""
    final = metrics.get("final_model")
    if final:

        def headline(scores: dict[str, Any] | None) -> float | None:
            # the type's first figure: accuracy, exact match for QA
            return next(iter(scores.values())) if scores else None

        out_console.print(
            f"final model, chosen on held-out data: {final['choice']}: held-out "
            f"{pct(headline(final['heldout']))} (real alone "
            f"{pct(headline(final['heldout_real_alone']))}, "
            f"{final['real_alone_choice']}), test {pct(headline(final.get('test')))}"
        )
    elif metrics.get("no_heldout"):
        out_console.print(f"no held-out scores: {metrics['no_heldout']}")
    rounds = metrics.get("rounds") or []
    if rounds and metrics.get("kept_round", rounds[-1]["round"]) != rounds[-1]["round"]:
        out_console.print(f"kept the data of rounds 0-{metrics['kept_round']} (best held-out)")


def s3(
    config: ConfigArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run directory [default: runs/TASK].")
    ] = None,
    rounds: Annotated[int | None, typer.Option(min=0, help="Extrapolation rounds (S3 R).")] = None,
    seed_size: Annotated[
        int | None, typer.Option(min=1, help="LLM calls for the seed set.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=2**32 - 1, help="Random seed for the whole run.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Reuse a run directory that holds another config.")
    ] = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
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
    show_third_party(verbose)
    from synthloop.cli.runner import compute_of, runner_backend
    from synthloop.core.errors import warnings_muted
    from synthloop.run.config import load_config
    from synthloop.run.estimate import estimate_run
    from synthloop.run.s3 import run_s3

    loaded = load_config(config)
    cfg = _with_overrides(loaded, rounds=rounds, seed_size=seed_size, seed=seed)
    out = out or Path("runs") / cfg.task.name
    reads = loaded.input_files()
    writes = [out / f for f in RUN_FILES]
    if (out / "config.yaml").resolve() != config.resolve():  # a run resumed from its own
        writes.append(out / "config.yaml")  # config.yaml rewrites it with what it holds
    guard_outputs(
        "s3",
        writes=writes,
        reads=reads,
        write_folders=[out / "journal", *_round_folders(out, reads, cfg.s3.rounds)],
    )
    with warnings_muted(not estimate):  # the run reads the same inputs, and warns once
        est = estimate_run(cfg, out=out)
    if announce(est, estimate, quiet):
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
    print_final(run.metrics)
    out_console.print(f"dataset: {run.output} ({len(run.result.dataset)} records)")
