"""Label agreement and its intervals, with the auxiliary model and a scripted judge."""

import re

import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.faithfulness import (
    agreement,
    combined_label_accuracy,
    cross_validated_accuracy,
    faithfulness,
)
from synthloop.evaluate.stats import wilson_interval
from synthloop.llm import Request
from tests.conftest import FakeLLM, labelled_rows
from tests.task_fakes import fact_check_task, pair_task, premise_pairs


def records(rows: list[dict], prefix: str) -> list[Record]:
    return [
        Record(id=f"{prefix}-{i}", inputs={"text": r["text"]}, label=r["label"])
        for i, r in enumerate(rows)
    ]


def test_agreement_ignores_unanswered() -> None:
    est = agreement(["a", None, "b", "a"], ["a", "a", "a", "a"])
    assert est == wilson_interval(2, 3)


def test_combined_label_accuracy_averages_the_raters() -> None:
    # record 1: both agree (1.0); record 2: aux disagrees, judge silent (0.0); mean 0.5
    est = combined_label_accuracy(["a", "b"], ["a", None], ["a", "a"])
    assert est.value == pytest.approx(0.5) and est.n == 2


def test_cross_validated_accuracy_on_separable_data(task: Task) -> None:
    est = cross_validated_accuracy(records(labelled_rows(20), "v"), task, "tfidf_lr")
    assert est is not None and est.n == 20 and est.value == pytest.approx(1.0)


def test_cross_validated_accuracy_keeps_a_premise_in_one_fold() -> None:
    # was 0.18, below chance on a balanced set: the folds split a premise's hypotheses, so
    # each fold's model had learnt the premise with its sibling's label and predicted that;
    # the hypotheses here say nothing, so an honest model is at chance
    task = pair_task()
    real = premise_pairs(task, lambda _label, rng: f"Note {rng.randrange(10**6)}.")
    est = cross_validated_accuracy(real, task, "tfidf_lr")
    assert est is not None and est.n == 60 and est.value == 0.5


async def test_faithfulness_with_a_judge(task: Task) -> None:
    real = records(labelled_rows(20), "real")
    synthetic = records(labelled_rows(10), "syn")
    # flip two labels: a faithful rater should disagree with exactly those
    flipped = {"syn-0", "syn-1"}
    synthetic = [
        Record(
            id=r.id,
            inputs=r.inputs,
            label=("negative" if r.label == "positive" else "positive")
            if r.id in flipped
            else r.label,
        )
        for r in synthetic
    ]

    def judge(req: Request) -> str:
        text = req.messages[-1].content  # type: ignore[index]
        if "Rubric" in text:
            return "4" if "Rate the fluency" in text else "5"
        quoted = text.split('"')[1]
        return (
            "negative"
            if any(
                w in quoted
                for w in ("awful", "cold", "rude", "stale", "dirty", "bland", "terrible")
            )
            else "positive"
        )

    out = await faithfulness(synthetic, real, task, llm=FakeLLM(judge), sample_size=10)
    assert out["auxiliary_model"]["agreement"]["value"] == pytest.approx(0.8)
    assert out["llm_judge"]["agreement"]["value"] == pytest.approx(0.8)
    assert out["llm_judge"]["real_accuracy"]["value"] == pytest.approx(1.0)
    assert out["label_accuracy"]["value"] == pytest.approx(0.8)
    ratings = out["llm_judge"]["ratings"]["synthetic"]
    assert ratings["fluency"]["value"] == 4 and ratings["relevance"]["histogram"]["5"] == 10
    assert {r["id"] for r in out["per_record"] if r["judge"] != r["label"]} == flipped


async def test_faithfulness_without_llm_uses_every_record(task: Task) -> None:
    out = await faithfulness(records(labelled_rows(6), "s"), records(labelled_rows(20), "r"), task)
    assert "llm_judge" not in out and out["sample"]["size"] == 6
    assert out["label_accuracy"]["value"] == pytest.approx(1.0)


async def test_the_judge_is_shown_a_pair_field_by_field() -> None:
    # joined as one text, a claim and its evidence read as one "evidence sentence"
    task = fact_check_task()
    rows = [
        (f"The hall {i} opened.", f"The hall {i} {'opened' if i % 2 else 'never opened'}.")
        for i in range(8)
    ]
    pairs = [
        Record(
            id=f"r-{i}",
            inputs={"claim": c, "evidence": e},
            label="supported" if i % 2 else "refuted",
        )
        for i, (c, e) in enumerate(rows)
    ]
    prompts: list[str] = []

    def judge(req: Request) -> str:
        prompts.append(req.messages[-1].content)  # type: ignore[index]
        return "3"

    await faithfulness(pairs[:4], pairs, task, llm=FakeLLM(judge), sample_size=1)
    shown = re.compile(r'"Claim: The hall (\d) opened\.\nEvidence: The hall \1 (never )?opened\."')
    assert len(prompts) == 6 and all(shown.search(p) for p in prompts)  # labels, 2 ratings
