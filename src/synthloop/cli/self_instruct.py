"""``synthloop self-instruct``: instruction data bootstrapped from a few seed examples."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import (
    announce,
    budget_of,
    check_suffix,
    guard_outputs,
    out_console,
    show_third_party,
)
from synthloop.cli.options import (
    EstimateOpt,
    MaxCallsOpt,
    MaxCostOpt,
    MaxTokensOpt,
    QuietOpt,
    VerboseOpt,
)


def _rouge_range(value: float | None) -> float | None:
    # at 0 no candidate is ever novel enough; typer's min cannot exclude its bound
    if value is not None and not 0 < value <= 1:
        raise typer.BadParameter(f"{value} is not in the range 0<x<=1.")
    return value


def self_instruct_command(
    config: Annotated[Path, typer.Argument(help="Self-Instruct YAML (task, seeds, llm).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output JSONL (instruction, input, output).")
    ] = Path("instructions.jsonl"),
    n: Annotated[int | None, typer.Option("-n", min=1, help="Instructions wanted.")] = None,
    rouge_threshold: Annotated[
        float | None,
        typer.Option(
            callback=_rouge_range,
            help="Drop candidates this ROUGE-L close to the pool (0 < x <= 1).",
        ),
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option(
            min=0, help="S3 rounds: extrapolate the small model's worst real items (needs real:)."
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    estimate: EstimateOpt = False,
) -> None:
    """Self-Instruct: new instructions prompted with sampled pool members, kept only when
    novel (ROUGE-L below the threshold against every instruction so far), then answered.
    With ``real:`` in the config, a small model is trained on them and scored on real
    instructions (ROUGE-L, coverage), and ``--rounds`` S3 rounds extrapolate its errors.
    ``--max-calls`` caps the paid calls (cached answers are free), as in generate and s3;
    the config's ``self_instruct.max_calls`` is where generation stops, paid or not."""
    show_third_party(verbose)
    from synthloop.core.errors import ConfigError, warnings_muted
    from synthloop.core.yamlio import validate_model
    from synthloop.run.estimate import estimate_run
    from synthloop.run.generate import run_generate
    from synthloop.run.instruct import load_instruct_config
    from synthloop.run.s3 import run_s3

    cfg = load_instruct_config(config)
    guard_outputs(
        "self-instruct",
        writes=[out, out.with_suffix(".stats.json"), out.with_suffix(".cache.sqlite")],
        reads=_inputs(config),
        write_folders=[out.with_suffix(".journal")],
    )
    # JSONL, or Parquet by suffix when generated alone (S3 on real: writes JSONL)
    check_suffix("self-instruct", out, (".jsonl",) if cfg.real else (".jsonl", ".parquet"))
    overrides = {"n": n, "rouge_threshold": rouge_threshold}
    settings = validate_model(  # validated as the config's own (model_copy would not)
        type(cfg.self_instruct),
        {**cfg.self_instruct.model_dump(), **{k: v for k, v in overrides.items() if v is not None}},
        "command line",
    )
    cfg = cfg.model_copy(update={"self_instruct": settings})
    if rounds is not None:
        if rounds and cfg.real is None:
            raise ConfigError("--rounds needs real: instructions in the config to find errors in")
        cfg = cfg.model_copy(update={"s3": cfg.s3.model_copy(update={"rounds": rounds})})
    # as generate and s3 do: the plans the run walks (S3's with real data), cached answers free
    with warnings_muted(not estimate):  # the run reads the same inputs, and warns once
        if cfg.real is not None:
            est = estimate_run(cfg, out=out)
        else:
            est = estimate_run(cfg, method="self-instruct", n=cfg.self_instruct.n, out=out)
    if announce(est, estimate, quiet):
        return
    budget = budget_of(max_calls, max_tokens, max_cost)
    if cfg.real is not None:  # S3 for instructions: seed, then --rounds rounds
        stats = asyncio.run(run_s3(cfg, out, show_progress=not quiet, budget=budget)).metrics
    else:  # Self-Instruct alone
        n_wanted = cfg.self_instruct.n
        asyncio.run(
            run_generate(
                cfg, "self-instruct", n_wanted, out, show_progress=not quiet, budget=budget
            )
        )
        stats = json.loads(out.with_suffix(".stats.json").read_text(encoding="utf-8"))
    dropped = stats.get("dropped") or {}
    # without the reasons, "0 instructions from 12 calls" leaves the user nothing to change
    why = ", ".join(f"{k} {v}" for k, v in sorted(dropped.items()))
    out_console.print(
        f"{out}: {stats['count']} instructions from {stats['calls']} calls; ROUGE-L to "
        f"nearest: mean {stats['rouge_l_nearest_mean']}, "
        f"distinct-2 {stats['distinct_2_instructions']}" + (f"; dropped: {why}" if why else "")
    )
    # with real: data, "rounds" lists the S3 rounds; alone, Self-Instruct counts its own
    for r in stats["rounds"] if cfg.real is not None else []:
        test = r["test"] or {}
        out_console.print(
            f"round {r['round']}: train {r['train_size']}, small model ROUGE-L val "
            f"{r['val']['rouge_l']} test {test.get('rouge_l')}, coverage test "
            f"{test.get('coverage')}"
        )


def _inputs(config: Path) -> list[Path]:
    """The config and the files it names (task, seeds, templates, real instructions)."""
    from synthloop.core.yamlio import read_yaml_mapping

    data = read_yaml_mapping(config, "self-instruct config")
    named = [data.get(k) for k in ("task", "seeds", "templates_dir")]
    real = data.get("real")
    if isinstance(real, dict):
        named += [real.get("validation"), real.get("test")]
    return [config, *(config.parent / n for n in named if isinstance(n, str))]
