"""``synthloop evaluate``: the small model on real test data (as before), plus the direct
metrics beside real data, written as JSON and summed up in two short tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from synthloop.cli.common import (
    check_suffix,
    guard_outputs,
    holding,
    out_console,
    parse_columns,
    parse_label_map,
    show_third_party,
)
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
from synthloop.core.figures import num, pct

if TYPE_CHECKING:
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task
    from synthloop.llm import LLM

EVALUATION_FILE = "evaluation.json"


def _interval(est: dict[str, Any] | None) -> str:
    if not est or est.get("value") is None:
        return "–"
    return f"{pct(est['value'])} [{pct(est['low'])}–{pct(est['high'])}] (n={est['n']})"


def print_indirect(
    name: str, indirect: dict[str, dict[str, Any]], *, with_validation: bool = False
) -> None:
    trained = " + real validation" if with_validation else ""
    table = Table(title=f"{name}{trained}: small model on real test data")
    qa = any("exact_match" in s for s in indirect.values())
    keys = ("exact_match", "f1") if qa else ("accuracy", "macro_f1")
    heads = ("exact match %", "token F1 %") if qa else ("accuracy %", "macro-F1 %")
    matched = any("label_mix_matched" in s for s in indirect.values())
    more = (f"{heads[0]} at the real label mix",) if matched else ()
    for col in ("learner", "train size", "test size", *heads, *more):
        table.add_column(col, justify="right")
    for learner, s in indirect.items():
        row = [learner, str(s["train_size"]), str(s["n"]), pct(s[keys[0]]), pct(s[keys[1]])]
        if matched:
            row.append(pct(s.get("label_mix_matched", {}).get(keys[0])))
        table.add_row(*row)
    if matched:
        table.caption = (
            "at the real label mix: the same learner with the synthetic records re-weighted "
            "to the real data's label shares (the gap is the label mix, not the texts)"
        )
    out_console.print(table)


def print_direct(result: dict[str, Any]) -> None:
    div = result["diversity"]
    table = Table(
        title="Direct metrics: synthetic beside real",
        caption=f"diversity on {div['compared_on']['size']} texts per side "
        f"(seed {div['compared_on']['seed']}); self-BLEU on "
        f"{div['synthetic']['self_bleu_sample']['size']}",
    )
    for col in ("metric", "synthetic", "real"):
        table.add_column(col, justify="right")
    rows = [
        ("vocabulary", "vocabulary_size", 0),
        ("distinct-1", "distinct_1", 3),
        ("distinct-2", "distinct_2", 3),
        ("distinct-3", "distinct_3", 3),
        ("entropy-2 (bits)", "entropy_2", 2),
        ("compression ratio", "compression_ratio", 2),
        ("self-BLEU", "self_bleu", 3),
        ("mean pairwise cosine", "mean_pairwise_cosine", 3),
        ("Vendi score", "vendi_score", 1),
    ]
    for label, key, digits in rows:
        syn, real = div["synthetic"].get(key), div["real"].get(key)
        if syn is None and real is None:
            continue
        table.add_row(label, num(syn, digits), num(real, digits))
    out_console.print(table)
    dist = result["distance"]
    tv = dist["labels"]["total_variation"]
    parts = [f"label TV {tv:.3f}"] if tv is not None else []  # None: no class labels
    parts += [
        f"vocab Jaccard {dist['vocabulary']['jaccard']:.3f}",
        f"length W1 {num(dist['length']['wasserstein'], 2)} tokens",
    ]
    if "embedding" in dist:
        emb = dist["embedding"]
        parts += [f"MMD² {num(emb['mmd_rbf'], 4)}", f"Fréchet {num(emb['frechet'], 4)}"]
    out_console.print("distance to real: " + ", ".join(parts))
    faith = result["faithfulness"]
    aux = faith["auxiliary_model"]
    line = "label agreement: auxiliary model " + _interval(aux["agreement"])
    if (aux.get("real_cv_accuracy") or {}).get("value") is not None:  # its ceiling
        line += f" (on real, cross-validated: {pct(aux['real_cv_accuracy']['value'])})"
    judge = faith.get("llm_judge")
    if judge:
        ratings = judge["ratings"]["synthetic"]
        line += (
            f"; LLM judge {_interval(judge['agreement'])}"
            f" (on real: {pct(judge['real_accuracy']['value'])})"
            f"; fluency {num(ratings['fluency']['value'], 2)}"
            f", relevance {num(ratings['relevance']['value'], 2)} of 5"
        )
    out_console.print(line)
    pairs = result.get("pairwise")
    if pairs:  # each pair asked in both orders: a win is preferred both times
        out_console.print(
            f"pairwise against the reference (LLM judge, {pairs['n']} pairs): "
            f"{pairs['wins']} won, {pairs['losses']} lost, {pairs['ties']} tied or split; "
            f"win rate {pct(pairs['win_rate'])}%"
        )


def evaluate(
    dataset: RunOrFileArg,
    config: RunConfigOpt = None,
    columns: ColumnsOpt = None,
    label_map: LabelMapOpt = None,
    test: Annotated[
        Path | None,
        typer.Option(
            help="Real test file, or hf:NAME[:CONFIG[:SPLIT]] [default: the config's data.test]."
        ),
    ] = None,
    with_validation: Annotated[
        bool, typer.Option(help="Also train on the config's real validation set.")
    ] = False,
    learner: Annotated[
        str | None,
        typer.Option(
            help="Small model [default: the config's learner, else the task type's: "
            "tfidf_lr; pairs: embed_lr; QA: span_lr]."
        ),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write scores as JSON.")] = None,
    also: Annotated[
        str | None,
        typer.Option(
            "--also", help="More learners to score, comma-separated (embed_lr,minilm_ft)."
        ),
    ] = None,
    real: Annotated[
        Path | None,
        typer.Option(help="Real data to compare with [default: the config's validation set]."),
    ] = None,
    aux_learner: Annotated[
        str | None,
        typer.Option(
            help="Auxiliary model for label agreement, trained on the real data "
            "[default: tfidf_lr; QA: span_lr]."
        ),
    ] = None,
    judge: Annotated[
        int,
        typer.Option(
            min=0, help="LLM-judge sample per side (labels, fluency, relevance); 0: no judge."
        ),
    ] = 0,
    reference: Annotated[
        Path | None,
        typer.Option(help="Reference set for an LLM-judge pairwise comparison (both orders)."),
    ] = None,
    pairs: Annotated[int, typer.Option(min=1, help="Pairs to compare with --reference.")] = 20,
    bleu_sample: Annotated[int, typer.Option(min=2, help="Texts in the self-BLEU sample.")] = 1000,
    embeddings: Annotated[
        bool, typer.Option(help="Embedding metrics (cosine, Vendi, MMD, Fréchet).")
    ] = True,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Seed for every sample.")] = 0,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    runner: RunnerOpt = Runner.local,
    ray_address: RayAddressOpt = None,
) -> None:
    """Score a dataset: train small models on it and test them on real data; measure its
    diversity, faithfulness and distance beside real data. A run directory gets the full
    result in RUN_DIR/evaluation.json (read by `synthloop report`). With --runner ray,
    embeddings and the small models' predictions are computed on Ray Data."""
    show_third_party(verbose)
    from synthloop.cli.runner import compute_of, runner_backend
    from synthloop.core.errors import ConfigError, warn
    from synthloop.core.io import load_dataset_file, load_records, write_json
    from synthloop.learners import check_learner
    from synthloop.llm import make_llm
    from synthloop.run.config import load_config
    from synthloop.run.rundir import RunDir

    mapping = parse_columns(columns)
    more = [x.strip() for x in (also or "").split(",") if x.strip()]
    if also is not None and not more:  # scored the default learner alone, silently
        raise ConfigError(
            f"--also {also!r} names no learner", hint="e.g. --also embed_lr,minilm_ft"
        )
    run_dir = None
    if dataset.is_dir():
        run_dir = RunDir(dataset)
        beside = dataset / "dataset.jsonl"
        if config is None and not run_dir.config_path.is_file() and beside.is_file():
            # e.g. the curated/ folder `synthloop curate RUN_DIR` writes: say how to score it
            parent = dataset.resolve().parent / "config.yaml"
            raise ConfigError(
                f"{dataset} holds no config.yaml: it is not a run directory",
                hint=f"score its dataset with its run's config: synthloop evaluate {beside} "
                f"--config {parent if parent.is_file() else 'RUN_DIR/config.yaml'}",
            )
        config = config or run_dir.config_path
        dataset = run_dir.dataset_path
        curated = run_dir.curated_path / "dataset.jsonl"
        if curated.is_file():  # curate and review leave the run's own dataset as it was
            warn(
                f"scoring {dataset}, the run's dataset before curation; for the curated set "
                f"(and a person's review): synthloop evaluate {curated} --config "
                f"{run_dir.config_path}"
            )
    elif not dataset.exists():
        raise ConfigError(f"no such run directory or dataset file: {dataset}")
    if config is None:
        raise ConfigError("evaluate needs --config (or a run directory holding config.yaml)")
    cfg = load_config(config)  # a run's config.yaml holds absolute paths, task inline
    task = cfg.task
    raw_labels = parse_label_map(label_map, task)
    own = load_dataset_file(
        dataset,
        task,
        columns=mapping,
        fallback=cfg.data.own_file_columns(),
        label_map=raw_labels,
        label_fallback=cfg.data.own_file_label_map(),
    )
    synthetic = _without_blanks(own, task, dataset)
    validation = load_records(cfg.data.validation, task, split_name="validation")

    # a file of the config's data: section is read with its columns and label_map, and
    # every file named here with --columns and --label-map over them
    def named(path: str | Path, split_name: str) -> list[Record]:
        return cfg.data.read_named(path, task, split_name, label_map=raw_labels, columns=mapping)

    real_records = named(real, "real") if real else validation
    # with real data mixed in the score is not the synthetic data's alone: no mix re-weighting
    train = [*synthetic, *validation] if with_validation else None
    if test is not None:
        test_records = named(test, "test")
    elif cfg.data.test is not None:
        test_records = load_records(cfg.data.test, task, split_name="test")
    else:
        raise ConfigError("no test set: pass --test FILE or set data.test in the config")
    copies = _copies_of(train or synthetic, test_records, task)
    if copies:
        warn(
            f"{len(copies)} of {len(train or synthetic)} training records are copies of test "
            f"records (e.g. {copies[0]!r}): the test scores are inflated; `synthloop curate` "
            "drops them (exact_dedup, minhash_dedup against test)"
        )
    references = named(reference, "reference") if reference else None
    learners = [
        learner or cfg.learner_name,
        *more,
    ]
    for name in [*learners, *([aux_learner] if aux_learner else [])]:
        check_learner(name, task)  # an unknown or unfitting name fails here, before any work
    cache = run_dir.cache_path if run_dir else dataset.with_suffix(".cache.sqlite")
    needs_llm = judge > 0 or references is not None
    guard_outputs(
        "evaluate",
        writes=[
            json_out,
            run_dir.path / EVALUATION_FILE if run_dir else None,
            cache if needs_llm else None,
        ],
        reads=[dataset, *cfg.input_files(), test, real, reference],
    )
    check_suffix("evaluate --json", json_out, (".json",))
    if needs_llm and cfg.llm.backend == "openai" and runner is Runner.local:
        from synthloop.llm.openai_compat import check_reachable

        # the judge asks after the metrics (pairwise after the small models): a server not
        # there fails now, not once the work is done and unreachable_timeout has passed
        check_reachable(cfg.llm.base_url)
    with runner_backend(runner, ray_address) as backend, holding(run_dir.path if run_dir else None):
        result = asyncio.run(
            _evaluate(
                synthetic,
                real_records,
                task,
                indirect_train=train,
                test=test_records,
                learners=learners,
                aux_learner=aux_learner,
                llm_factory=(
                    lambda: make_llm(cfg.llm, cache, backend=backend(cfg.llm) if backend else None)
                )
                if needs_llm
                else None,
                judge_sample=judge,
                references=references,
                pairwise_sample=pairs,
                bleu_sample=bleu_sample,
                embeddings=embeddings,
                seed=seed,
                show_progress=not quiet,
                compute=compute_of(backend),
            )
        )
        result["dataset"] = str(dataset)
        result["copies_of_test"] = copies
        if with_validation:  # the indirect scores are of synthetic + real training data:
            # say so in the JSON (and so in `synthloop report`), not only in a train size
            result["with_validation"] = True
        primary = result["indirect"][learners[0]]
        # the results are written before they are printed: a closed stdout (`| head`) must
        # not lose them
        if run_dir is not None:
            write_json(result, run_dir.path / EVALUATION_FILE)
        if json_out is not None:
            scores = {k: v for k, v in primary.items() if k != "confusion"}
            write_json({**scores, "evaluation": result}, json_out)
        print_indirect(dataset.name, result["indirect"], with_validation=with_validation)
        print_direct(result)
        if run_dir is not None:
            out_console.print(f"written: {run_dir.path / EVALUATION_FILE}")


def _without_blanks(records: list[Record], task: Task, source: Path) -> list[Record]:
    """The dataset's records but those with a blank input, which no model learns from: left
    out in one warning line (curation drops them, as ``length``); a file of nothing else is
    a one-line error (was: trained on, and a tf-idf model of blank texts only failed with
    'internal error ValueError: empty vocabulary')."""
    from synthloop.core.errors import DataError, warn

    def is_blank(r: Record) -> bool:
        return any(not r.inputs[f].strip() for f in task.inputs)

    blank = [r for r in records if is_blank(r)]
    if not blank:
        return records
    fields = [f for f in task.inputs if any(not r.inputs[f].strip() for r in blank)]
    what = f"a blank {' or '.join(fields)}"
    if len(blank) == len(records):
        raise DataError(
            f"{source}: every record has {what}: nothing to train on",
            hint=f"is this the dataset of this task? its inputs are {', '.join(task.inputs)}",
        )
    warn(
        f"{len(blank)} of {len(records)} records have {what} (e.g. {blank[0].id!r}): left out "
        "of training and the metrics; `synthloop curate` drops them (length)"
    )
    return [r for r in records if not is_blank(r)]


def _copies_of(train: list[Record], test: list[Record], task: Task) -> list[str]:
    """Ids of the training records whose text (normalised as dedup does) is a test record's:
    a model that has seen its test examples scores what it memorised."""
    from synthloop.curate.dedup import normalise

    seen = {normalise(task.joined_text(r)) for r in test}
    return [r.id for r in train if normalise(task.joined_text(r)) in seen]


async def _evaluate(
    synthetic: list[Record],
    real: list[Record],
    task: Task,
    *,
    llm_factory: Callable[[], LLM] | None,
    **kwargs: Any,
) -> dict[str, Any]:
    from synthloop.evaluate.evaluation import evaluate_dataset

    llm = llm_factory() if llm_factory else None
    try:
        return await evaluate_dataset(synthetic, real, task, llm=llm, **kwargs)
    finally:
        if llm is not None:
            await llm.aclose()
