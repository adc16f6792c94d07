"""Render a run directory into one self-contained HTML page (inline CSS, SVG and JS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from synthloop.core.figures import num, pct
from synthloop.core.tasks import Task
from synthloop.report.gather import RunData, sample_rows
from synthloop.report.svg import grouped_bars, horizontal_bars, line_chart


def ci(est: dict[str, Any] | None) -> str:
    if not est or est.get("low") is None:
        return "–"
    return f"{pct(est['low'])}–{pct(est['high'])} (n={est['n']})"


def span(est: dict[str, Any] | None) -> str:
    if not est or est.get("low") is None:
        return "–"
    return f"{est['low']:.2f}–{est['high']:.2f} (n={est['n']})"


def shade(count: int, total: int) -> str:
    share = count / total if total else 0.0
    return f"rgba(59, 110, 168, {0.08 + 0.6 * share:.2f})"


DIVERSITY_ROWS: list[tuple[str, str, Callable[[Any], str], str]] = [
    ("vocabulary size", "vocabulary_size", lambda v: num(v, 0), "distinct words"),
    ("distinct-1", "distinct_1", num, "unique / all unigrams (higher: more varied)"),
    ("distinct-2", "distinct_2", num, "unique / all bigrams"),
    ("distinct-3", "distinct_3", num, "unique / all trigrams"),
    ("unigram entropy (bits)", "entropy_1", lambda v: num(v, 2), "spread of word use"),
    ("bigram entropy (bits)", "entropy_2", lambda v: num(v, 2), ""),
    ("trigram entropy (bits)", "entropy_3", lambda v: num(v, 2), ""),
    (
        "compression ratio",
        "compression_ratio",
        lambda v: num(v, 2),
        "gzip; higher: more repetition",
    ),
    ("self-BLEU", "self_bleu", num, "higher: texts repeat each other"),
    ("mean pairwise cosine", "mean_pairwise_cosine", num, "higher: closer in meaning"),
    ("Vendi score", "vendi_score", lambda v: num(v, 1), "effective number of distinct texts"),
]


#: what the report calls a task type's figures (QA: exact match and token F1)
METRIC_NAMES = {"accuracy": "accuracy", "macro_f1": "macro-F1", "exact_match": "exact match",
                "f1": "token F1"}  # fmt: skip


def metric_names(task: Task) -> tuple[tuple[str, str], tuple[str, str]]:
    """The keys of the task type's two figures in metrics.json, and their names."""
    keys = task.spec.metric_names
    names = tuple(METRIC_NAMES.get(k, k.replace("_", " ")) for k in keys)
    return keys, (names[0], names[1])


def _cards(run: RunData, ev: dict[str, Any] | None, task: Task) -> list[dict[str, str]]:
    cards = [{"label": "synthetic records", "value": str(len(run.rows))}]
    rounds = run.metrics.get("rounds") or []
    (key, _), (name, _) = metric_names(task)
    if rounds and rounds[-1].get("test"):
        first, last = rounds[0]["test"][key], rounds[-1]["test"][key]
        cards.append({"label": f"test {name}, last round (S3)", "value": f"{pct(last)}%"})
        cards.append(
            {"label": "change since seed round", "value": f"{100 * (last - first):+.1f} pt"}
        )
    if ev:
        acc = ev["faithfulness"]["label_accuracy"]
        if acc.get("value") is not None:
            cards.append({"label": "estimated label accuracy", "value": f"{pct(acc['value'])}%"})
        vendi = ev["diversity"]["synthetic"].get("vendi_score")
        real_vendi = ev["diversity"]["real"].get("vendi_score")
        if vendi is not None and real_vendi:
            cards.append(
                {
                    "label": "Vendi score, synthetic / real",
                    "value": f"{vendi:.1f} / {real_vendi:.1f}",
                }
            )
    return cards


def _charts(run: RunData, ev: dict[str, Any] | None, task: Task) -> dict[str, Markup]:
    charts: dict[str, str] = {}
    rounds = run.metrics.get("rounds") or []
    if rounds:
        (first, second), (name, second_name) = metric_names(task)

        def col(key: str, field: str = first) -> list[float | None]:
            return [(r.get(key) or {}).get(field) for r in rounds]

        short = task.spec.metric_titles[0]
        charts["rounds"] = line_chart(
            [f"round {r['round']}" for r in rounds],
            {
                f"val {name} (mined)": col("val"),
                f"held-out {name}": col("heldout"),
                f"test {name}": col("test"),
                f"test {second_name}": col("test", second),
                "real+synth held-out": col("heldout_with_real"),
                f"real+synth test {short}": col("test_with_real"),
            },
            title=f"{name.capitalize()} per S3 round",
            y_max=1.0,
            width=700,
        )
    if ev:
        hist = ev["distance"]["length"]["histogram"]
        edges = hist["edges"]
        if edges:
            cats = [
                f"{edges[i]:.0f}"
                if edges[i + 1] - edges[i] == 1
                else f"{edges[i]:.0f}–{edges[i + 1] - 1:.0f}"
                for i in range(len(edges) - 1)
            ]
            charts["lengths"] = grouped_bars(
                cats,
                {"synthetic": hist["synthetic"], "real": hist["real"]},
                title="Length in tokens (share of texts)",
                width=520,
                rotate_labels=True,
            )
        labels = ev["distance"]["labels"]
        charts["labels"] = grouped_bars(
            task.label_names,
            {
                "synthetic": [labels["synthetic"][k] for k in task.label_names],
                "real": [labels["real"][k] for k in task.label_names],
            },
            title="Label balance",
            width=420,
        )
        judge = ev["faithfulness"].get("llm_judge")
        if judge:
            for aspect in ("fluency", "relevance"):
                series = {}
                for side in ("synthetic", "real"):
                    h = judge["ratings"][side][aspect]["histogram"]
                    total = sum(h.values()) or 1
                    series[side] = [h[str(k)] / total for k in range(1, 6)]
                if not any(v for vals in series.values() for v in vals):
                    continue  # the judge gave no usable rating: no empty chart
                charts[aspect] = grouped_bars(
                    [str(k) for k in range(1, 6)],
                    series,
                    title=f"Judge {aspect} ratings (share)",
                    width=420,
                    height=220,
                )
    if run.drops:
        charts["drops"] = horizontal_bars(list(run.drops.items()), title="Dropped, by reason")
    return {k: Markup(v) for k, v in charts.items()}


def _browse_rows(run: RunData, task: Task, size: int, seed: int) -> list[dict[str, Any]]:
    out = []
    for row in sample_rows(run.rows, size, seed):
        text = "\n".join(str(row.get(f, "")) for f in task.inputs)
        parent = run.parents.get(str(row.get("parent_id"))) if row.get("parent_id") else None
        out.append(
            {
                **row,
                "text": text,
                "round": "" if row.get("round") is None else row.get("round"),
                "parent": {
                    "label": parent.get("label"),
                    "text": "\n".join(str(parent.get(f, "")) for f in task.inputs),
                }
                if parent
                else None,
                "extra": json.dumps(row["extra"], indent=1, ensure_ascii=False)
                if row.get("extra")
                else "",
            }
        )
    return out


def which_set(run: RunData) -> str:
    """Which records the report covers, a run's own or a curation's, and where the other is."""
    if run.is_curated:
        return (
            f"The curated set {run.path / 'dataset.jsonl'}: the records curation kept of the "
            "run's dataset. The S3 rounds and the drops at parse are the run's, before "
            "curation; the evaluation and the records are the curated set's."
        )
    said = f"The run's own dataset {run.path / 'dataset.jsonl'}"
    if run.curated is None:
        return said + "."
    return (
        f"{said}, before curation. The curated set is in {run.curated}: "
        f"synthloop report {run.curated} reports it."
    )


def render(
    run: RunData,
    task: Task,
    *,
    learner: str,
    sample: int = 200,
    seed: int = 0,
    missing_evaluation: str = "",
) -> str:
    env = Environment(
        loader=PackageLoader("synthloop.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    ev = run.evaluation
    diversity_rows = []
    if ev:
        for label, key, fmt, hint in DIVERSITY_ROWS:
            syn, real = ev["diversity"]["synthetic"].get(key), ev["diversity"]["real"].get(key)
            if syn is not None or real is not None:
                diversity_rows.append(
                    {
                        "label": label,
                        "syn": fmt(syn) if syn is not None else "–",
                        "real": fmt(real) if real is not None else "–",
                        "hint": hint,
                    }
                )
    rounds = []
    for r in run.metrics.get("rounds") or []:
        dropped = sum((r.get("generation", {}).get("dropped") or {}).values())
        rounds.append({**r, "dropped": dropped})
    browse = _browse_rows(run, task, sample, seed)
    return env.get_template("report.html.j2").render(
        run_name=f"{run.run_dir.name}/{run.path.name}" if run.is_curated else run.path.name,
        run_path=str(run.path),
        is_curated=run.is_curated,
        which_set=which_set(run),
        task=task,
        metrics=run.metrics,
        rows=run.rows,
        rounds=rounds,
        learner=learner,
        ev=ev,
        diversity_rows=diversity_rows,
        cards=_cards(run, ev, task),
        metric_keys=metric_names(task)[0],
        metric_names=metric_names(task)[1],
        metric_short=task.spec.metric_titles[0],
        charts=_charts(run, ev, task),
        drops=run.drops,
        audits=[str(p.relative_to(run.path)) for p in run.audits],
        sample=browse,
        # a user's curated file has no method, or a round of its own ("a"): no "None" to
        # filter by, and rounds in order without int() failing on them
        methods=sorted({str(r["method"]) for r in run.rows if r.get("method") is not None}),
        round_names=sorted(
            {str(r["round"]) for r in browse if r["round"] != ""}, key=lambda r: (len(r), r)
        ),
        config_text=run.config_text,
        missing_evaluation=missing_evaluation,
        pct=pct,
        num=num,
        ci=ci,
        span=span,
        shade=shade,
    )
