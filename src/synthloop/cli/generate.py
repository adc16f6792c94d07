"""``synthloop generate``: one generator alone."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import (
    announce,
    budget_of,
    check_suffix,
    guard_outputs,
    out_console,
    parse_columns,
    parse_label_map,
    show_third_party,
)
from synthloop.cli.options import (
    ColumnsOpt,
    ConfigArg,
    EndpointOpt,
    EstimateOpt,
    LabelMapOpt,
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
from synthloop.core.errors import ConfigError, warn, warnings_muted
from synthloop.generate.registry import GENERATORS, ignored_settings

#: the registered generators a run config drives (Self-Instruct has its own command)
Method = StrEnum(  # type: ignore[misc]
    "Method",
    {name.replace("-", "_"): name for name, g in GENERATORS.items() if g.run_config},
)
ZEROGEN = Method("zerogen")


def generate(
    config: ConfigArg,
    method: Annotated[Method, typer.Option(help="Which generator to run.")] = ZEROGEN,
    n: Annotated[int, typer.Option("-n", min=1, help="LLM calls (examples asked for).")] = 100,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output file (.jsonl or .parquet).")
    ] = Path("generated.jsonl"),
    from_: Annotated[
        Path | None,
        typer.Option("--from", help="extrapolate: labelled examples to imitate (e.g. errors)."),
    ] = None,
    columns: ColumnsOpt = None,
    label_map: LabelMapOpt = None,
    cache: Annotated[
        Path | None, typer.Option(help="Response cache [default: OUT.cache.sqlite].")
    ] = None,
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
    """Run one generator alone: zerogen (label-conditioned baseline), s3-seed (rationales,
    then examples), extrapolate (new examples like each given one, same label), or, as the
    config's generation: section sets them up, conditional (conditions, concept tree,
    demonstrations, dataset-wise rounds), rationale-example (two calls per example) or
    dialogue (multi-turn, one call per turn)."""
    show_third_party(verbose)
    from synthloop.cli.runner import runner_backend
    from synthloop.run.config import load_config
    from synthloop.run.estimate import estimate_run
    from synthloop.run.generate import run_generate

    mapping = parse_columns(columns)
    cfg = load_config(config)
    raw_labels = parse_label_map(label_map, cfg.task)
    for option, text, what in (
        ("--columns", columns, "columns"),
        ("--label-map", label_map, "labels"),
    ):
        if text is not None and from_ is None:  # a user who gives a map expects it to be used
            raise ConfigError(
                f"{option} {text!r} maps the {what} of --from FILE, and no --from was given"
            )
    tree = cfg.generation.concept_tree
    tree_file = None  # written once expanded, unless it is there to be read
    if tree is not None and GENERATORS[method.value].toolbox:
        tree_file = Path(tree.file) if tree.file else out.with_suffix(".concept_tree.yaml")
        tree_file = None if tree_file.is_file() else tree_file
    guard_outputs(
        "generate",
        writes=[
            out,
            out.with_suffix(".stats.json"),
            cache or out.with_suffix(".cache.sqlite"),
            tree_file,
        ],
        reads=[*cfg.input_files(), from_],
        write_folders=[out.with_suffix(".journal")],
    )
    check_suffix("generate", out, (".jsonl", ".parquet"))  # any other name got JSONL
    ignored = ignored_settings(method.value, cfg.generation)
    if ignored:  # a user who set them expects them to be used
        warn(f"{method.value} ignores " + "; and ".join(ignored))
    with warnings_muted(not estimate):  # the run walks the same plans, and warns once
        est = estimate_run(
            cfg,
            method=method.value,
            n=n,
            out=out,
            errors_path=from_,
            errors_label_map=raw_labels,
            errors_columns=mapping,
            cache_path=cache,
        )
    if announce(est, estimate, quiet):
        return
    budget = budget_of(max_calls, max_tokens, max_cost)
    with runner_backend(runner, ray_address, ray_workers, endpoint) as backend:
        gen, usage = asyncio.run(
            run_generate(
                cfg,
                method.value,
                n,
                out,
                errors_path=from_,
                errors_label_map=raw_labels,
                errors_columns=mapping,
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
