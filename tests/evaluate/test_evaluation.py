"""The whole evaluation with a scripted judge, embeddings off (fast)."""

import pytest

from synthloop.core.errors import DataError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.evaluation import evaluate_dataset
from synthloop.llm import Request
from tests.conftest import FakeLLM, labelled_rows


def records(n: int, prefix: str) -> list[Record]:
    return [
        Record(id=f"{prefix}{i}", inputs={"text": r["text"]}, label=r["label"])
        for i, r in enumerate(labelled_rows(n))
    ]


async def test_evaluate_dataset_with_judge_and_pairwise(task: Task) -> None:
    def judge(req: Request) -> str:
        text = req.messages[-1].content  # type: ignore[index]
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
