"""The dataset card: README.md with YAML metadata the hub reads, and a body for people.

It records what a reader needs to trust or reproduce the data: the task and its labels,
the LLM, the method and its S3 settings, every round's figures on real data, and what
the provenance columns mean.
"""

from __future__ import annotations

from typing import Any

from synthloop.core import figures
from synthloop.core.tasks import Task
from synthloop.run.config import RunConfig
from synthloop.s3.config import INSTRUCTION_FIELDS

_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]


def _size_category(n: int) -> str:
    return next((name for limit, name in _SIZES if n < limit), "n>1M")


def _rounds_table(rounds: list[dict[str, Any]], task: Task) -> str:
    """Every round's figures, named as the task's type names them (accuracy, exact match),
    held-out beside the mined validation score, as ``synthloop s3`` prints them."""
    (first, second), (title, title2) = task.spec.metric_names, task.spec.metric_titles
    lines = [
        f"| round | train size | added | val {title} % (mined) | held-out {title} % "
        f"| real + synthetic held-out {title} % | test {title} % | test {title2} % "
        f"| real + synthetic test {title} % | val errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def pct(r: dict[str, Any], key: str, metric: str = first) -> str:
        return figures.pct((r.get(key) or {}).get(metric))

    for r in rounds:
        mined = "val" if r.get("val") else "mined"  # the held-out strategy calls it mined
        lines.append(
            f"| {r.get('round')} | {r.get('train_size')} | {r.get('added')} "
            f"| {pct(r, mined)} | {pct(r, 'heldout')} | {pct(r, 'heldout_with_real')} "
            f"| {pct(r, 'test')} | {pct(r, 'test', second)} | {pct(r, 'test_with_real')} "
            f"| {r.get('errors')} |"
        )
    return "\n".join(lines)


def _rounds_section(rounds: list[dict[str, Any]], task: Task) -> str:
    if not rounds:
        return "No round metrics were recorded for this run."
    return f"""Each round trains a small model on the synthetic data (and, in the real + synthetic
columns, on the real validation records beside it). The val score is *mined*: each round
imitates the validation records the model gets wrong, so it rises by construction. Trust
held-out (cross-fitted over the validation records: fold k is scored by a model that never
saw fold k nor anything extrapolated from it) and test.

{_rounds_table(rounds, task)}"""


def _final_model(metrics: dict[str, Any], task: Task) -> str:
    """The model the run chose on held-out real data, or why it chose none."""
    final, first = metrics.get("final_model"), task.spec.metric_names[0]
    if not final:
        why = metrics.get("no_heldout")
        return f"No final model was chosen: {why}." if why else "No final model was chosen."
    rounds = metrics.get("rounds") or []
    kept = metrics.get("kept_round")

    def pct(key: str) -> str:
        scores = final.get(key) or {}  # the type's headline figure comes first, as s3 prints
        return figures.pct(next(iter(scores.values()), None))

    line = (
        f"**{final['choice']}**: held-out {first} {pct('heldout')} % (the real data alone: "
        f"{pct('heldout_real_alone')} %, {final.get('real_alone_choice')}); test {pct('test')} %."
    )
    if rounds and kept is not None and kept != rounds[-1].get("round"):
        line += f" The data of rounds 0–{kept} is kept (the best held-out round)."
    return line


#: what each synthloop method did, in the card's words; a method not listed is named as it is
_HOW = {
    "zerogen": "ZeroGen: the LLM writes examples of each label from the task description alone.",
    "conditional": "conditional generation: each prompt names sampled conditions (attributes "
    "or concept-tree topics) the example must meet.",
    "self-instruct": "Self-Instruct: the LLM writes new instructions from sampled ones, then "
    "their responses.",
    "real": "`real`: records the user brought, not written by an LLM.",
}
#: the methods that make records with an LLM (a run dir assembled by hand may hold none)
_LLM_FREE = {"real"}


def _learner(config: RunConfig) -> str | None:
    """The small model each round trained: the config's, else the task type's default (a
    config that leaves it out ran that one; it was shown as ``None``)."""
    return config.learner or config.task.default_learner


def _method_lines(config: RunConfig, method: list[str]) -> str:
    """One line per method the data holds: an assembled run of real records must not be
    described as S3 output with an LLM it never used."""
    lines = []
    if {"s3-seed", "extrapolate"} & set(method):
        lines.append(
            f'S3 ("Synthesis Step by Step"): the LLM lists rationales per label, writes '
            f"{config.s3.seed_size} seed examples from them, then for {config.s3.rounds} "
            f"round(s) a small model (`{_learner(config)}`) is trained on the synthetic data, its "
            "errors on the real validation split are collected, and the LLM writes "
            f"{config.s3.per_error} new example(s) like each error, with its gold label."
        )
    lines += [_HOW.get(m, f"`{m}`.") for m in method if m not in ("s3-seed", "extrapolate")]
    return " ".join(lines) if lines else "none recorded."


def _usage_line(usage: Any) -> str:
    """metrics.json's ``usage`` in words (it was printed as a Python dict): the run's paid
    calls and tokens over all its invocations."""
    if not isinstance(usage, dict) or "calls" not in usage:
        return "not recorded"
    line = (
        f"{usage['calls']:,} paid calls, {usage.get('prompt_tokens', 0):,} prompt + "
        f"{usage.get('completion_tokens', 0):,} completion tokens"
    )
    return line + (f", cost {usage['cost']:.4f}" if usage.get("cost") is not None else "")


def dataset_card(
    config: RunConfig, metrics: dict[str, Any], dd: Any, *, repo_id: str | None = None
) -> Any:
    """A ``huggingface_hub.DatasetCard`` for a run exported as ``dd``."""
    from huggingface_hub import DatasetCard, DatasetCardData

    task = config.task
    first, second = task.spec.metric_names
    sizes = {name: len(ds) for name, ds in dd.items()}
    rounds = metrics.get("rounds") or []
    # the train split holds rounds 0..kept_round (the best held-out round), so the figures
    # beside it are that round's, not the last one's
    kept = metrics.get("kept_round", rounds[-1].get("round") if rounds else None)
    kept_row = next((r for r in rounds if r.get("round") == kept), rounds[-1] if rounds else {})
    kept_test = kept_row.get("test") or {}
    method = sorted({m for m in dd["train"]["method"] if m}) if len(dd["train"]) else []
    generated = bool(set(method) - _LLM_FREE)
    s3 = bool({"s3-seed", "extrapolate"} & set(method))
    llm = metrics.get("model") or config.llm.model or config.llm.backend
    synthloop_meta = {
        "task": {"name": task.name, "type": task.type, "domain": task.domain,
                 "example_noun": task.example_noun, "inputs": list(task.inputs),
                 "labels": dict(task.labels)},
        "llm": {"backend": config.llm.backend, "model": llm, "mode": config.llm.mode,
                "temperature": config.llm.temperature,
                "max_tokens": config.llm.max_tokens} if generated else None,
        "method": method,
        # a run config's S3 settings, as its config.yaml says them (not instruction data's)
        "s3": config.s3.model_dump(mode="json", exclude=set(INSTRUCTION_FIELDS)) if s3 else None,
        "seed": config.seed,
        "learner": _learner(config),
        # extrapolation rounds run (round 0, the seed, is not one), as s3.rounds counts them
        "rounds": rounds[-1].get("round", len(rounds) - 1) if rounds else 0,
        "kept_round": kept,
        "evaluation": {f"test_{first}": kept_test.get(first),
                       f"test_{second}": kept_test.get(second),
                       "test_size": kept_test.get("n")},
        "usage": metrics.get("usage"),
    }  # fmt: skip
    data = DatasetCardData(
        pretty_name=f"{task.name} ({'synthetic, ' if generated else ''}synthloop)",
        task_categories=[task.spec.hf_task_category],
        tags=[*(["synthetic"] if generated else []), "synthloop", *(["s3"] if s3 else [])],
        size_categories=[_size_category(sizes.get("train", 0))],
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": name, "path": f"data/{name}-*.parquet"} for name in dd],
            }
        ],
        synthloop=synthloop_meta,
    )
    if task.has_labels:
        labels = '| label | meaning ("in this example, …") |\n| --- | --- |\n' + "\n".join(
            f"| `{name}` | {desc} |" for name, desc in task.labels.items()
        )
    else:  # an answer or a response: free text, no classes
        labels = f"A record's `label` is its {task.spec.label_noun}: free text, not a class."
    train_source = "synthetic (this run)" if generated else "real (brought by the user)"
    if generated and "real" in method:
        train_source = "synthetic (this run) and real"
    split_lines = "\n".join(
        f"| {name} | {n} | {train_source if name == 'train' else 'real'} |"
        for name, n in sizes.items()
    )
    title = repo_id or task.name
    made = (
        f"- **LLM:** `{llm}` ({config.llm.backend} backend, {config.llm.mode} mode, temperature\n"
        f"  {config.llm.temperature}, max_tokens {config.llm.max_tokens})\n"
        if generated
        else "- **LLM:** none: no record of the train split was written by an LLM.\n"
    )
    site = "[synthloop](https://pypi.org/project/synthloop/)"
    if not generated:
        intro = f"Training data for **{task.name}** ({task.domain}), assembled with {site}; "
        intro += "none of it was written by an LLM."
    else:
        intro = f"Synthetic training data for **{task.name}** ({task.domain}), written by an "
        intro += f"LLM with {site}"
        intro += " and checked round by round against real data." if rounds else "."
    body = f"""
# {title}

{intro}

## Task

Each example is one {task.example_noun}; the inputs are {", ".join(f"`{f}`" for f in task.inputs)}.

{labels}

## How it was made

{made}- **Method:** {", ".join(method) or "none"}. {_method_lines(config, method)}
- **Seed:** {config.seed}. LLM usage: {_usage_line(metrics.get("usage"))}.

## Evaluation (small models scored on real data)

{_rounds_section(rounds, task)}

Final model, chosen on held-out real data: {_final_model(metrics, task)}

## Splits

| split | examples | source |
| --- | ---: | --- |
{split_lines}

## Columns

`id`, the input field(s), `label`, and provenance: `method` (`s3-seed`, `extrapolate`,
`zerogen`, or `real`), `round` (S3 round that produced it; 0 = seed), `parent_id` (for
extrapolated examples, the real validation example it imitates), `model` (the LLM),
`prompt_hash` (hash of the exact request), `extra` (JSON: e.g. the rationales a seed example
was written from).
"""
    return DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}")
