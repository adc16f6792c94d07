"""Real-data evaluation of instruction data, and the errors S3 extrapolates.

- **ROUGE-L** (F-measure, ``rouge-score``): a small model (default ``retrieval_responder``)
  is trained on the synthetic instructions and answers each real instruction; its answer is
  scored against the human response.
- **coverage**: for each real instruction, the cosine (all-MiniLM-L6-v2) of the most
  similar synthetic instruction, averaged: how much of what people ask for the pool covers.
- **errors**: the real validation items the small model scores worst on, the ones S3 asks
  the LLM to write new instruction/response pairs like.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores

if TYPE_CHECKING:
    from synthloop.learners import Predictor

Embed = Callable[[Sequence[str]], np.ndarray]


def rouge_l(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    """ROUGE-L F-measure of each prediction against its reference."""
    from rouge_score import rouge_scorer  # loads nltk: only when scoring

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return [
        scorer.score(ref, pred)["rougeL"].fmeasure
        for pred, ref in zip(predictions, references, strict=True)
    ]


def coverage(real: Sequence[str], synthetic: Sequence[str], embed: Embed | None = None) -> float:
    """Mean over ``real`` of the highest cosine to any of ``synthetic`` (0 when empty)."""
    if not real or not synthetic:
        return 0.0
    if embed is None:
        from synthloop.core.embeddings import embed as default

        embed = default
    sims = np.asarray(embed(list(real))) @ np.asarray(embed(list(synthetic))).T
    return float(sims.max(axis=1).mean())


def item_scores(model: Predictor, records: Sequence[Record], task: Task) -> list[float]:
    """ROUGE-L of the model's response to each real record."""
    pred = model.predict([task.learner_input(r) for r in records])
    return rouge_l([str(p) for p in pred], [r.label for r in records])


def instruction_scores(
    pred: Sequence[str],
    real: Sequence[Record],
    train: Sequence[Record],
    task: Task,
    *,
    embed: Embed | None = None,
) -> Scores:
    """Responses ``pred`` to the ``real`` records scored (mean ROUGE-L), and how much of
    what ``real`` asks the instructions of ``train`` cover."""
    scores = rouge_l([str(p) for p in pred], [r.label for r in real])
    field = task.inputs[0]
    cov = coverage([r.inputs[field] for r in real], [r.inputs[field] for r in train], embed)
    mean = float(np.mean(scores)) if scores else 0.0
    return Scores(accuracy=mean, macro_f1=cov, n=len(real), kind="instruction")


def score_instructions(
    model: Predictor,
    train: Sequence[Record],
    real: Sequence[Record],
    task: Task,
    *,
    embed: Embed | None = None,
) -> Scores:
    """The small model trained on ``train`` scored on ``real``, and ``train``'s coverage
    (``scores["rouge_l"]``, ``scores["coverage"]``)."""
    pred = model.predict([task.learner_input(r) for r in real])
    return instruction_scores([str(p) for p in pred], real, train, task, embed=embed)


def worst_items(
    model: Predictor, records: Sequence[Record], task: Task, k: int
) -> list[tuple[Record, float]]:
    """The ``k`` real records the model answers worst (lowest ROUGE-L, ties by order)."""
    scores = item_scores(model, records, task)
    order = np.argsort(np.asarray(scores), kind="stable")[:k]
    return [(records[i], scores[i]) for i in order]
