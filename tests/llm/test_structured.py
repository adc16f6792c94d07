"""Structured output: validated answers, bounded re-asks, schema in the cache key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from synthloop.core.errors import StructuredOutputError
from synthloop.llm import CachedLLM, Request
from synthloop.llm.structured import complete_structured, extract_json, with_schema
from tests.conftest import FakeLLM


class Review(BaseModel):
    text: str = Field(min_length=5)
    label: str


def answers(*texts: str) -> FakeLLM:
    queue = list(texts)
    return FakeLLM(answer=lambda _req: queue.pop(0))


async def test_a_valid_answer_is_parsed_even_inside_a_fence() -> None:
    llm = answers('Sure!\n```json\n{"text": "Lovely soup.", "label": "positive"}\n```')
    review = await complete_structured(llm, Request.chat("write one"), Review)
    assert review == Review(text="Lovely soup.", label="positive")


async def test_an_invalid_answer_is_re_asked_with_the_error() -> None:
    seen: list[Request] = []
    queue = ['{"text": "Bad"}', '{"text": "Cold fries.", "label": "negative"}']

    def answer(req: Request) -> str:
        seen.append(req)
        return queue.pop(0)

    review = await complete_structured(FakeLLM(answer=answer), Request.chat("write"), Review)
    assert review.label == "negative"
    assert seen[1].messages is not None and len(seen[1].messages) == 3
    follow_up = seen[1].messages[-1].content
    assert "label: Field required" in follow_up and "text: String should have" in follow_up
    assert json.loads(seen[0].json_schema or "")["title"] == "Review"


async def test_re_asks_are_bounded() -> None:
    llm = answers("no", "still no", "never")
    with pytest.raises(StructuredOutputError, match="after 3 tries"):
        await complete_structured(llm, Request.chat("write"), Review, max_reasks=2)
    assert llm.calls == 3


async def test_the_schema_is_part_of_the_cache_key(tmp_path: Path) -> None:
    inner = FakeLLM()
    cache = CachedLLM(inner, tmp_path / "c.sqlite")
    plain = Request.chat("hello", seed=1)
    await cache.complete(plain)
    await cache.complete(with_schema(plain, Review))
    assert inner.calls == 2
    # and a plain request's key is what it was before schemas existed
    assert "json_schema" not in plain.canonical()


def test_extract_json_takes_the_outer_object() -> None:
    assert extract_json('Here: {"a": {"b": 1}} done') == '{"a": {"b": 1}}'
