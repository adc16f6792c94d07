from pathlib import Path

import pytest

from synthloop.llm import CachedLLM, Request, complete_many
from tests.conftest import FakeLLM


def requests(n: int, **params: object) -> list[Request]:
    return [Request.chat(f"write example {i}", seed=i, **params) for i in range(n)]  # type: ignore[arg-type]


async def test_second_run_makes_zero_calls(tmp_path: Path) -> None:
    first = FakeLLM()
    cache = CachedLLM(first, tmp_path / "c.sqlite")
    answers = await complete_many(cache, requests(5))
    await cache.aclose()
    assert first.calls == 5 and cache.usage.calls == 5

    second = FakeLLM()
    cache = CachedLLM(second, tmp_path / "c.sqlite")  # a new process, same file
    again = await complete_many(cache, requests(5))
    assert second.calls == 0 and cache.usage.cache_hits == 5
    assert [a.text for a in again] == [a.text for a in answers]
    assert all(a.cached for a in again)


async def test_key_covers_prompt_parameters_and_model(tmp_path: Path) -> None:
    inner = FakeLLM()
    cache = CachedLLM(inner, tmp_path / "c.sqlite")
    base = Request.chat("hello", seed=1)
    variants = [
        base,
        Request.chat("hello!", seed=1),
        Request.chat("hello", seed=2),
        Request.chat("hello", seed=1, temperature=0.1),
        Request.chat("hello", seed=1, max_tokens=7),
        Request(prompt="hello", seed=1),
    ]
    for req in variants:
        await cache.complete(req)
    assert inner.calls == len(variants)

    class OtherModel(FakeLLM):
        @property
        def model(self) -> str:
            return "fake-2"

    other = OtherModel()
    await CachedLLM(other, tmp_path / "c.sqlite").complete(base)
    assert other.calls == 1


async def test_a_run_killed_halfway_resumes_without_paying_twice(tmp_path: Path) -> None:
    crashing = FakeLLM(fail_after=3)
    cache = CachedLLM(crashing, tmp_path / "c.sqlite")
    with pytest.raises(RuntimeError, match="simulated crash"):
        await complete_many(cache, requests(8))
    await cache.aclose()
    assert crashing.calls == 3

    resumed = FakeLLM()
    cache = CachedLLM(resumed, tmp_path / "c.sqlite")
    out = await complete_many(cache, requests(8))
    assert len(out) == 8
    assert resumed.calls == 5 and cache.usage.cache_hits == 3
