"""Faithfulness: do the synthetic records carry the right label, and do they read like real
examples of the task? Two raters check labels on a sample — an auxiliary small model
trained on the real data, and the LLM judge — and the judge rates fluency and relevance.
The same judge runs on a real sample beside it: its score there is the ceiling to read the
synthetic score against."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.diversity import sample_indices
from synthloop.evaluate.indirect import fit_on
from synthloop.evaluate.judge import Rating, judge_labels, judge_ratings
from synthloop.evaluate.stats import Estimate, bootstrap_mean, wilson_interval
from synthloop.learners.crossval import group_folds, record_folds
from synthloop.llm import LLM


def sample_records(records: Sequence[Record], size: int, seed: int) -> list[Record]:
    """A seeded sample, in the records' own order (all of them when there are few)."""
    if len(records) <= size:
        return list(records)
    picked = sorted(random.Random(seed).sample(range(len(records)), size))
    return [records[i] for i in picked]


def agreement(predicted: Sequence[str | None], gold: Sequence[str]) -> Estimate:
    """Share of answered items whose predicted label equals the gold one (Wilson 95%)."""
    answered = [(p, g) for p, g in zip(predicted, gold, strict=True) if p is not None]
    return wilson_interval(sum(p == g for p, g in answered), len(answered))


def combined_label_accuracy(
    aux: Sequence[str], judge: Sequence[str | None], gold: Sequence[str], *, seed: int = 0
) -> Estimate:
    """Per record, the share of raters (auxiliary model, judge when it answered) that agree
    with the record's label; the mean over records with a bootstrap 95% interval."""
    scores = []
    for a, j, g in zip(aux, judge, gold, strict=True):
        votes = [a == g] + ([j == g] if j is not None else [])
        scores.append(sum(votes) / len(votes))
    return bootstrap_mean(scores, seed=seed)


def cross_validated_accuracy(
    records: Sequence[Record], task: Task, learner: str, *, folds: int = 5, seed: int = 0
) -> Estimate | None:
    """The auxiliary model's own accuracy on real data (k-fold): the most its agreement
    with correctly labelled data can be expected to reach. Folds are stratified by class,
    a pair task's premise in one fold (as curation's and held-out scoring's are); a label
    that is free text (a QA answer, nearly every one unique) is split plainly, a repeated
    passage in one fold."""
    if task.has_labels:
        pairs = record_folds(records, folds, seed, together=task.kept_fields)
    elif len(records) >= 2:
        pairs = group_folds(records, folds, seed, together=task.kept_fields)
        if not pairs:
            splitter = KFold(n_splits=min(folds, len(records)), shuffle=True, random_state=seed)
            pairs = list(splitter.split(np.zeros(len(records))))
    else:
        pairs = []
    if not pairs:
        return None
    right = scored = 0  # a group fold whose training part lacks a label scores nobody
    for train_idx, test_idx in pairs:
        model = fit_on([records[i] for i in train_idx], task, learner)
        test = [records[i] for i in test_idx]
        pred = model.predict([task.learner_input(r) for r in test])
        right += sum(p == r.label for p, r in zip(pred, test, strict=True))
        scored += len(test)
    return wilson_interval(right, scored)


def auxiliary_labels(
    sample: Sequence[Record], real: Sequence[Record], task: Task, learner: str
) -> list[str]:
    model = fit_on(real, task, learner)
    return [str(p) for p in model.predict([task.learner_input(r) for r in sample])]


def default_aux_learner(task: Task) -> str:
    """``tfidf_lr`` for class labels; else the type's model (a QA answer is no class)."""
    return "tfidf_lr" if task.has_labels else (task.default_learner or "tfidf_lr")


def rating_summary(ratings: Sequence[Rating], *, seed: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for aspect in ("fluency", "relevance"):
        values = [v for r in ratings if (v := getattr(r, aspect)) is not None]
        out[aspect] = {
            **bootstrap_mean(values, seed=seed).as_dict(),
            "histogram": {str(k): values.count(k) for k in range(1, 6)},
            "unparsed": len(ratings) - len(values),
        }
    return out


async def faithfulness(
    synthetic: Sequence[Record],
    real: Sequence[Record],
    task: Task,
    *,
    llm: LLM | None = None,
    aux_learner: str | None = None,
    sample_size: int = 40,
    seed: int = 0,
    show_progress: bool = False,
) -> dict[str, Any]:
    """The auxiliary model's label agreement on every synthetic record; with an LLM, the
    judge's agreement and ratings on seeded samples of ``sample_size`` synthetic and real
    records, and the label accuracy estimated from both raters on the judged sample.
    The auxiliary model is ``tfidf_lr`` by default; where the label is free text, the
    task type's own model (QA: ``span_lr``, which answers with a span, not a class)."""
    aux_learner = aux_learner or default_aux_learner(task)
    gold = [r.label for r in synthetic]
    aux = auxiliary_labels(synthetic, real, task, aux_learner)
    cv = cross_validated_accuracy(real, task, aux_learner, seed=seed)
    out: dict[str, Any] = {
        "auxiliary_model": {
            "learner": aux_learner,
            "trained_on_real": len(real),
            "agreement": agreement(aux, gold).as_dict(),
            "real_cv_accuracy": cv.as_dict() if cv else None,
        },
    }
    if llm is None or sample_size == 0:
        out["sample"] = {"size": len(synthetic), "seed": seed, "raters": ["auxiliary_model"]}
        out["label_accuracy"] = combined_label_accuracy(
            aux, [None] * len(aux), gold, seed=seed
        ).as_dict()
        return out
    picked = sample_indices(len(synthetic), sample_size, seed)
    syn = [synthetic[i] for i in picked]
    real_sample = sample_records(real, sample_size, seed)
    syn_texts = [task.shown_text(r) for r in syn]
    real_texts = [task.shown_text(r) for r in real_sample]
    judged = await judge_labels(llm, task, syn_texts, seed=seed, show_progress=show_progress)
    judged_real = await judge_labels(
        llm, task, real_texts, seed=seed + 1, show_progress=show_progress
    )
    rated = await judge_ratings(llm, task, syn_texts, seed=seed, show_progress=show_progress)
    rated_real = await judge_ratings(
        llm, task, real_texts, seed=seed + 1, show_progress=show_progress
    )
    syn_gold = [r.label for r in syn]
    syn_aux = [aux[i] for i in picked]
    out["sample"] = {
        "size": len(syn),
        "seed": seed,
        "raters": ["auxiliary_model", "llm_judge"],
    }
    out["llm_judge"] = {
        "model": llm.model,
        "agreement": agreement(judged, syn_gold).as_dict(),
        "unanswered": judged.count(None),
        "real_accuracy": agreement(judged_real, [r.label for r in real_sample]).as_dict(),
        "real_unanswered": judged_real.count(None),
        "ratings": {
            "synthetic": rating_summary(rated, seed=seed),
            "real": rating_summary(rated_real, seed=seed),
        },
    }
    out["label_accuracy"] = combined_label_accuracy(syn_aux, judged, syn_gold, seed=seed).as_dict()
    out["per_record"] = [
        {"id": r.id, "label": r.label, "auxiliary": a, "judge": j}
        for r, a, j in zip(syn, syn_aux, judged, strict=True)
    ]
    return out
