"""The whole evaluation with a scripted judge, embeddings off (fast)."""

import pytest

from synthloop.core.errors import DataError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.evaluation import evaluate_dataset
from synthloop.evaluate.heldout.prior import match_real_prior
from synthloop.evaluate.indirect import train_and_score
from synthloop.llm import Request
from tests.conftest import FakeLLM, labelled_rows


def records(n: int, prefix: str) -> list[Record]:
    return [
        Record(id=f"{prefix}{i}", inputs={"text": r["text"]}, label=r["label"])
        for i, r in enumerate(labelled_rows(n))
    ]


async def test_evaluate_dataset_with_judge_and_pairwise(task: Task) -> None:
    def judge(req: Request) -> str:
        assert req.messages, "the judge is asked in chat"
        text = req.messages[-1].content
        if "Rubric" in text:
            return "3" if "Rate the fluency" in text else "4"
        if "Text A" in text:
            return "A"
        return "negative" if "waiter" in text else "positive"

    llm = FakeLLM(judge)
    out = await evaluate_dataset(
        records(12, "s"),
        records(20, "r"),
        task,
        test=records(10, "t"),
        llm=llm,
        judge_sample=6,
        references=records(8, "ref"),
        pairwise_sample=4,
        embeddings=False,
    )
    assert out["diversity"]["compared_on"]["size"] == 12
    assert out["faithfulness"]["llm_judge"]["agreement"]["value"] == pytest.approx(1.0)
    assert out["faithfulness"]["sample"]["size"] == 6
    assert out["pairwise"]["n"] == 4 and out["pairwise"]["ties"] == 4  # always "A": no verdict
    assert out["indirect"]["tfidf_lr"]["n"] == 10
    # a label and two ratings for 6 synthetic + 6 real, and 4 pairs asked both ways
    assert llm.calls == 3 * (6 + 6) + 2 * 4
    assert "embedding" not in out["distance"]


async def test_an_empty_synthetic_set_is_a_data_error(task: Task) -> None:
    with pytest.raises(DataError, match="the synthetic set is empty"):
        await evaluate_dataset([], records(4, "r"), task, embeddings=False)


async def test_a_skewed_label_mix_is_also_scored_at_the_real_mix(task: Task) -> None:
    skewed = [r for r in records(40, "s") if r.label == "positive"] + records(4, "n")[1::2]
    real, test = records(20, "r"), records(10, "t")
    out = await evaluate_dataset(skewed, real, task, test=test, embeddings=False)
    got = out["indirect"]["tfidf_lr"]
    assert out["distance"]["labels"]["total_variation"] > 0.4  # 20 positive, 2 negative
    # the same learner on the records re-weighted to the real mix (50/50), same test set
    expected = train_and_score(match_real_prior()(real, skewed), test, task)
    assert got["label_mix_matched"] == expected.as_dict()
    assert got["accuracy"] == train_and_score(skewed, test, task).accuracy  # unchanged meaning


async def test_no_second_fit_when_the_mix_already_matches_or_real_data_is_mixed_in(
    task: Task,
) -> None:
    balanced, real, test = records(12, "s"), records(20, "r"), records(10, "t")
    out = await evaluate_dataset(balanced, real, task, test=test, embeddings=False)
    assert "label_mix_matched" not in out["indirect"]["tfidf_lr"]
    skewed = [r for r in records(40, "s") if r.label == "positive"] + records(4, "n")[1::2]
    mixed = await evaluate_dataset(
        skewed, real, task, test=test, indirect_train=[*skewed, *real], embeddings=False
    )
    assert "label_mix_matched" not in mixed["indirect"]["tfidf_lr"]
