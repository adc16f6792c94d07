"""The LLM judge's prompts and parsing, on a scripted fake LLM."""

import re

import pytest

from synthloop.core.tasks import Task
from synthloop.evaluate.judge import (
    judge_labels,
    judge_pairs,
    judge_ratings,
    parse_choice,
    parse_label,
    parse_rating,
)
from synthloop.llm import Request
from tests.conftest import FakeLLM


def _quoted(request: Request) -> list[str]:
    assert request.messages is not None
    return re.findall(r'"([^"]*)"', request.messages[-1].content)


def test_parse_label_takes_the_first_label_named() -> None:
    labels = ["positive", "negative"]
    assert parse_label("Negative.", labels) == "negative"
    assert parse_label("positive, not negative", labels) == "positive"
    assert parse_label("The label: NEGATIVE", labels) == "negative"
    assert parse_label("nonpositive feelings", labels) is None  # whole words only
    assert parse_label("I cannot tell", labels) is None


def test_parse_rating_and_choice() -> None:
    assert parse_rating("4") == 4 and parse_rating("Rating: 4.5/5") == 4
    assert parse_rating("I'd say 2, maybe 3") == 2
    assert parse_rating("9 out of 10") is None and parse_rating("great!") is None
    assert parse_choice("A") == "A" and parse_choice("Text B is better") == "B"
    assert parse_choice("neither") is None


async def test_judge_labels_sends_the_rubric_and_parses(task: Task) -> None:
    seen: list[Request] = []

    def answer(req: Request) -> str:
        seen.append(req)
        return "negative" if "awful" in _quoted(req)[0] else "Positive"

    got = await judge_labels(FakeLLM(answer), task, ["awful food", "lovely food"])
    assert got == ["negative", "positive"]
    prompt = seen[0].messages[-1].content  # type: ignore[index]
    assert "- positive: the customer was happy" in prompt and seen[0].temperature == 0.0


async def test_judge_ratings_asks_each_aspect_with_its_rubric(task: Task) -> None:
    def rate(req: Request) -> str:
        text = req.messages[-1].content  # type: ignore[index]
        assert "Rubric for" in text and "Answer with one number" in text
        return "Rating: 5" if "Rate the fluency" in text else "3"

    got = await judge_ratings(FakeLLM(rate), task, ["x", "y"])
    assert [(r.fluency, r.relevance) for r in got] == [(5, 3), (5, 3)]
    bad = await judge_ratings(FakeLLM(lambda r: "great!"), task, ["x"])
    assert (bad[0].fluency, bad[0].relevance) == (None, None)


async def test_pairwise_cancels_position_bias(task: Task) -> None:
    # a judge that always says "A" has no preference once both orders are asked
    biased = await judge_pairs(FakeLLM(lambda r: "A"), task, ["c1", "c2"], ["r1", "r2"])
    assert biased == {"n": 2, "wins": 0, "losses": 0, "ties": 2, "win_rate": 0.5}

    def prefers_candidates(req: Request) -> str:
        first = _quoted(req)[0]
        return "A" if first.startswith("c") else "B"

    won = await judge_pairs(FakeLLM(prefers_candidates), task, ["c1", "c2"], ["r1", "r2"])
    assert won["wins"] == 2 and won["win_rate"] == pytest.approx(1.0)
