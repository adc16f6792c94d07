"""The real benchmark datasets in ../shared/data as synthloop tasks, shared by every bench
script so that the same dataset always means the same prompts (and so the same cache keys)."""

from __future__ import annotations

import os
import random
from pathlib import Path

from synthloop.core.records import Record
from synthloop.core.tasks import Task

SHARED = Path(
    os.environ.get("SYNTHLOOP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)

TASKS = {
    "sst2": Task(
        name="sst2",
        domain="movies",
        example_noun="movie review",
        labels={
            "positive": "the reviewer liked the film",
            "negative": "the reviewer disliked the film",
        },
    ),
    "sms_spam": Task(
        name="sms_spam",
        domain="text messages sent to mobile phones",
        example_noun="SMS message",
        labels={
            "ham": "the message is an ordinary personal message between friends, family "
            "or colleagues",
            "spam": "the message is unsolicited advertising, a prize scam or a premium-rate offer",
        },
    ),
    "ag_news": Task(
        name="ag_news",
        domain="news",
        example_noun="news article",
        labels={
            "World": "the article reports world news: politics, conflicts, diplomacy",
            "Sports": "the article reports sports news: games, players, teams",
            "Business": "the article reports business news: companies, markets, the economy",
            "Sci/Tech": "the article reports science and technology news",
        },
    ),
    "rte": Task(
        name="rte",
        type="pair",
        domain="news and encyclopedia text",
        example_noun="hypothesis",
        inputs=("premise", "hypothesis"),
        labels={
            "entailment": "the hypothesis must be true if the premise is true (it restates "
            "or follows from a fact in the premise)",
            "not_entailment": "the hypothesis does not follow from the premise (it changes a "
            "detail, contradicts it, or adds a fact the premise does not state)",
        },
    ),
    "qnli": Task(
        name="qnli",
        type="pair",
        domain="Wikipedia articles",
        example_noun="question",
        inputs=("question", "sentence"),
        generated="question",
        labels={
            "entailment": "the sentence contains the answer to the question",
            "not_entailment": "the question is on the same topic but the sentence does not "
            "contain its answer",
        },
    ),
}


def stratified_sample(train: list[Record], size: int) -> list[Record]:
    """About ``size`` records of ``train``, each label in its share (at least one of each),
    the same ones every run: the labelled data a benchmark gives S3 or curation."""
    rng = random.Random(0)
    by_label: dict[str, list[Record]] = {}
    for r in train:
        by_label.setdefault(r.label, []).append(r)
    picked: list[Record] = []
    for records in by_label.values():
        picked += rng.sample(records, max(1, round(size * len(records) / len(train))))
    return picked


def tasks(*names: str) -> dict[str, Task]:
    """The named subset, in the order given (a script's --datasets choices)."""
    return {n: TASKS[n] for n in names}
