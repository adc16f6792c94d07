"""``synthloop curate``: filters, re-weighting, relabelling, every decision audited."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from synthloop.cli.common import (
    CURATED_FROM,
    curated_folder,
    guard_outputs,
    holding,
    out_console,
    parse_columns,
    parse_label_map,
    show_third_party,
)
from synthloop.cli.evaluate import EVALUATION_FILE
from synthloop.cli.options import (
    ColumnsOpt,
    LabelMapOpt,
    QuietOpt,
    RayAddressOpt,
    RunConfigOpt,
    Runner,
    RunnerOpt,
    RunOrFileArg,
    VerboseOpt,
)
from synthloop.curate.defaults import DEFAULT_STEPS

if TYPE_CHECKING:
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task
    from synthloop.curate.base import CurateContext
    from synthloop.curate.pipeline import CurationResult, Pipeline, StepSpec
    from synthloop.run.config import RunConfig

STEPS_HELP = (
    "Comma-separated steps, each with optional (key=value,...) parameters, e.g. "
    "'exact_dedup,minhash_dedup(threshold=0.7),length(min_words=3),confidence(mode=flag)'. "
    "Default: the run config's curate.steps, else " + ", ".join(map(str, DEFAULT_STEPS)) + "."
)


#: what curate writes into its output folder (see CurationResult.write)
CURATED_FILES = (
    "dataset.jsonl",
    "dropped.jsonl",
    "audit.jsonl",
    "review_queue.jsonl",
    "summary.json",
)
#: written last: a folder holding one is a whole curation
SUMMARY = "summary.json"
#: what other commands derive from a curated set into its folder (evaluate's scores,
#: report's page, REPORT_FILE, named here as importing synthloop.report takes seconds): an
#: earlier set's are removed when a curation replaces it
DERIVED_FILES = (EVALUATION_FILE, "report.html")


def _inputs(
    target: Path, config: Path | None, task_file: Path | None, out: Path | None
) -> tuple[Path, RunConfig | None, Task, Path]:
    """(dataset file, run config or None, task, output folder: ``out`` or the default)."""
    from synthloop.core.errors import ConfigError
    from synthloop.core.tasks import load_task
    from synthloop.run.config import load_config
    from synthloop.run.rundir import RunDir

    if target.is_dir():
        run = RunDir(target)
        if not run.config_path.is_file() or not run.dataset_path.is_file():
            raise ConfigError(f"{target} is not a run directory (no config.yaml and dataset.jsonl)")
        cfg = load_config(config or run.config_path)
        return run.dataset_path, cfg, cfg.task, out or run.curated_path
    if not target.is_file():
        raise ConfigError(f"no such run directory or dataset file: {target}")
    if config is None and task_file is None:
        raise ConfigError("curating a file needs --config RUN.yaml or --task TASK.yaml")
    # given --out, another file's curation in FILE.curated/ is no matter
    out = out or curated_folder(
        target, hint=f"curate it into a folder of its own: --out {target}.curated"
    )
    if config is not None:
        cfg = load_config(config)
        return target, cfg, cfg.task, out
    assert task_file is not None
    return target, None, load_task(task_file), out


def _references(cfg: RunConfig | None) -> dict[str, list[Record]]:
    from synthloop.core.io import load_records

    if cfg is None:
        return {}
    refs = {"validation": load_records(cfg.data.validation, cfg.task, split_name="validation")}
    if cfg.data.test is not None:
        refs["test"] = load_records(cfg.data.test, cfg.task, split_name="test")
    return refs


def print_result(result: CurationResult, out: Path) -> None:
    from synthloop.curate.pipeline import DROP_FIELDS

    table = Table(title="curation: drops and changes by step")
    for col, justify in (("step", "left"), ("action", "left"), ("reason", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    table.add_column("records", justify="right")
    for (step, action, reason), n in sorted(result.counts().items()):
        table.add_row(step, action, reason, str(n))
    if table.row_count:  # an empty box says less than the line below, "0 dropped"
        out_console.print(table)
    s = result.summary()
    out_console.print(
        f"{s['input']} records in, {s['kept']} kept ({s['dropped']} dropped, "
        f"{s['relabelled']} relabelled, {s['flagged']} flagged"
        + (", weighted" if s["weighted"] else "")
        + f"); {s['queued_for_review']} queued for review"
    )
    out_console.print(f"written to {out}/ ({', '.join(CURATED_FILES)})")
    names = result.drop_fields()
    if names != DROP_FIELDS:  # the records have columns of those names: said, not left to find
        out_console.print(
            f"the records have columns named like dropped.jsonl's ({', '.join(DROP_FIELDS)}): "
            f"kept as they are there, and why each was dropped is under {', '.join(names)}"
        )


def curate(
    target: RunOrFileArg,
    steps: Annotated[str | None, typer.Option(help=STEPS_HELP)] = None,
    config: RunConfigOpt = None,
    task: Annotated[
        Path | None, typer.Option(help="Task YAML, to curate a file without a run config.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder [default: RUN_DIR/curated or FILE.curated]."
        ),
    ] = None,
    review_queue: Annotated[
        int | None,
        typer.Option(min=0, help="Least-confident records to queue for review [50]."),
    ] = None,
    columns: ColumnsOpt = None,
    label_map: LabelMapOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    runner: RunnerOpt = Runner.local,
    ray_address: RayAddressOpt = None,
) -> None:
    """Curate a dataset: filters, re-weighting, relabelling; every decision audited.

    Writes the curated dataset, the dropped records with their reasons, the audit (one line
    per decision) and a review queue for `synthloop review`. Decisions a person made there
    are applied first. Also checks for leaks: near copies of the run's validation and test
    examples are dropped. With --runner ray, near duplicates, embeddings and
    cross-validated confidence are computed on Ray Data (same results).
    """
    show_third_party(verbose)
    from synthloop.cli.runner import compute_of, runner_backend
    from synthloop.core.io import load_dataset_file, staged_folder, write_text_atomic
    from synthloop.curate.base import CurateContext
    from synthloop.curate.confidence import LLMAgreementFilter
    from synthloop.curate.pipeline import (
        Pipeline,
        default_steps,
        parse_steps_option,
        with_review,
    )
    from synthloop.llm import LLMConfig, make_llm
    from synthloop.prompts import Prompter

    mapping = parse_columns(columns)
    dataset_path, cfg, task_obj, out = _inputs(target, config, task, out)
    raw_labels = parse_label_map(label_map, task_obj)
    specs: list[StepSpec]
    if steps is not None:
        specs = parse_steps_option(steps)
    elif cfg is not None and cfg.curate is not None:
        specs = list(cfg.curate.steps)
    else:
        specs = default_steps(task_obj)
    # an unfit step refused before any work: confidence on a QA task, say
    pipeline = with_review(Pipeline.for_task(specs, task_obj), out)
    size = (
        review_queue
        if review_queue is not None
        else (cfg.curate.review_queue if cfg and cfg.curate else 50)
    )
    records = load_dataset_file(
        dataset_path,
        task_obj,
        columns=mapping,
        fallback=cfg.data.own_file_columns() if cfg is not None else None,
        label_map=raw_labels,
        label_fallback=cfg.data.own_file_label_map() if cfg is not None else None,
    )
    refs = _references(cfg)
    llm_config = cfg.llm if cfg is not None else LLMConfig()
    needs_llm = any(isinstance(s, LLMAgreementFilter) for s in pipeline.steps)
    cache = (target / "cache.sqlite") if target.is_dir() else out / "cache.sqlite"
    guard_outputs(
        "curate",
        writes=[
            *(out / f for f in CURATED_FILES),
            cache if needs_llm else None,
            None if target.is_dir() else out / CURATED_FROM,
        ],
        reads=[dataset_path, *(cfg.input_files() if cfg else [task])],
    )
    _refuse_foreign_folder(out)
    # a run directory is written when its cache is (llm_agreement) or the output lies in it
    # (the default RUN_DIR/curated): then no s3 or other command may write it meanwhile
    inside = target.is_dir() and out.resolve().is_relative_to(target.resolve())
    run_dir = target if target.is_dir() and (needs_llm or inside) else None
    with runner_backend(runner, ray_address) as backend, holding(out), holding(run_dir):
        llm = (
            make_llm(llm_config, cache, backend=backend(llm_config) if backend else None)
            if needs_llm
            else None
        )
        ctx = CurateContext(
            task=task_obj,
            references=refs,
            llm=llm,
            prompter=Prompter(task_obj, llm_config, cfg.templates_dir if cfg else None),
            learner=cfg.learner if cfg else "tfidf_lr",
            seed=cfg.seed if cfg else 0,
            show_progress=not quiet,
            compute=compute_of(backend),
        )
        result = asyncio.run(_run(pipeline, records, ctx, size))
        # read before staging: the staging folder then holds this curation's summary
        stale = [n for n in DERIVED_FILES if (out / n).is_file()] if _curated(out) else []
        # staged, then renamed in with summary.json last: a killed run leaves the earlier
        # output whole, or a folder the rerun knows as a curation's
        with staged_folder(out, last=SUMMARY) as stage:
            result.write(stage)
            if not target.is_dir():  # the folder is this file's: `review FILE` looks there
                write_text_atomic(target.name + "\n", stage / CURATED_FROM)
            # the earlier set's scores (`report` would show them as this set's) go only
            # once this set is written: a failed curation leaves them beside their set
            for name in stale:
                (out / name).unlink(missing_ok=True)
        print_result(result, out)
        if stale:
            out_console.print(
                f"removed {', '.join(stale)} of the earlier curated set; "
                f"`synthloop report {out}` scores this one"
            )
        if not refs:
            out_console.print(
                "leaks not checked: no real validation or test data with --task; "
                "curate with --config RUN.yaml to drop copies of its examples"
            )


def _refuse_foreign_folder(out: Path) -> None:
    """An output folder holding files of curate's names that no curation wrote (no
    summary.json of one, written last): someone's own data, refused (it was overwritten)."""
    from synthloop.core.errors import ConfigError

    theirs = [f for f in CURATED_FILES if (out / f).is_file()]
    if not theirs or _curated(out):  # curating again replaces an earlier curation
        return
    raise ConfigError(
        f"{out} is not the output of a curation (no summary.json of one) and holds "
        f"{', '.join(theirs)}, which curate would write over",
        hint="choose another --out, or move those files away",
    )


def _curated(out: Path) -> bool:
    """Whether ``out`` holds an earlier curation: its summary.json, or that of one killed
    while moving its files in."""
    import json

    from synthloop.core.io import staged_file

    for summary_path in (out / SUMMARY, staged_file(out, SUMMARY)):
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            if isinstance(summary, dict) and "steps" in summary and "kept" in summary:
                return True
        except (OSError, ValueError):
            pass
    return False


async def _run(
    pipeline: Pipeline, records: list[Record], ctx: CurateContext, queue_size: int
) -> CurationResult:
    try:
        return await pipeline.arun(records, ctx, review_queue=queue_size)
    finally:
        if ctx.llm is not None:
            await ctx.llm.aclose()
