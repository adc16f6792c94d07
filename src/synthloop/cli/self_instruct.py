"""``synthloop self-instruct``: instruction data bootstrapped from a few seed examples."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import out_console
from synthloop.cli.options import QuietOpt


def self_instruct_command(
    config: Annotated[Path, typer.Argument(help="Self-Instruct YAML (task, seeds, llm).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output JSONL (instruction, input, output).")
    ] = Path("instructions.jsonl"),
    n: Annotated[int | None, typer.Option("-n", min=1, help="Instructions wanted.")] = None,
    rouge_threshold: Annotated[
        float | None, typer.Option(help="Drop candidates this ROUGE-L close to the pool.")
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option(
            min=0, help="S3 rounds: extrapolate the small model's worst real items (needs real:)."
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Self-Instruct: new instructions prompted with sampled pool members, kept only when
    novel (ROUGE-L below the threshold against every instruction so far), then answered.
    With ``real:`` in the config, a small model is trained on them and scored on real
    instructions (ROUGE-L, coverage), and ``--rounds`` S3 rounds extrapolate its errors."""
    from synthloop.core.errors import ConfigError
    from synthloop.run.generate import run_generate
    from synthloop.run.instruct import load_instruct_config
    from synthloop.run.s3 import run_s3

    cfg = load_instruct_config(config)
    overrides = {"n": n, "rouge_threshold": rouge_threshold}
    settings = cfg.self_instruct.model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    cfg = cfg.model_copy(update={"self_instruct": settings})
    if rounds is not None:
        if rounds and cfg.real is None:
            raise ConfigError("--rounds needs real: instructions in the config to find errors in")
        cfg = cfg.model_copy(update={"s3": cfg.s3.model_copy(update={"rounds": rounds})})
    if cfg.real is not None:  # S3 for instructions: seed, then --rounds rounds
        stats = asyncio.run(run_s3(cfg, out, show_progress=not quiet)).metrics
    else:  # Self-Instruct alone
        n_wanted = cfg.self_instruct.n
        asyncio.run(run_generate(cfg, "self-instruct", n_wanted, out, show_progress=not quiet))
        stats = json.loads(out.with_suffix(".stats.json").read_text(encoding="utf-8"))
    out_console.print(
        f"{out}: {stats['count']} instructions from {stats['calls']} calls; ROUGE-L to "
        f"nearest: mean {stats['rouge_l_nearest_mean']}, "
        f"distinct-2 {stats['distinct_2_instructions']}"
    )
    # with real: data, "rounds" lists the S3 rounds; alone, Self-Instruct counts its own
    for r in stats["rounds"] if cfg.real is not None else []:
        test = r["test"] or {}
        out_console.print(
            f"round {r['round']}: train {r['train_size']}, small model ROUGE-L val "
            f"{r['val']['rouge_l']} test {test.get('rouge_l')}, coverage test "
            f"{test.get('coverage')}"
        )
