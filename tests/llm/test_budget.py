"""Hard limits: never crossed, stop cleanly, keep what was paid for, resume."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from synthloop.core.errors import BudgetExceeded, ConfigError
from synthloop.llm import Budget, BudgetedLLM, CachedLLM, Prices, Request, Response, complete_many
from tests.conftest import FakeLLM


def requests(n: int, max_tokens: int = 16) -> list[Request]:
    return [Request.chat(f"write example {i}", seed=i, max_tokens=max_tokens) for i in range(n)]


class SlowFake(FakeLLM):
    """Answers after a pause, so many calls are in flight at once."""

    max_concurrency = 8

    async def complete(self, request: Request) -> Response:
        await asyncio.sleep(0.01)
        return await super().complete(request)


async def test_max_calls_stops_exactly_at_the_limit_with_calls_in_flight() -> None:
    inner = SlowFake()
    llm = BudgetedLLM(inner, Budget(max_calls=10))
    with pytest.raises(BudgetExceeded, match="10 calls made, --max-calls 10"):
        await complete_many(llm, requests(30))
    assert inner.calls == 10 and llm.spent.calls == 10


async def test_max_tokens_is_never_crossed() -> None:
    inner = SlowFake()  # 10 prompt tokens + a few words per answer
    llm = BudgetedLLM(inner, Budget(max_tokens=300))
    with pytest.raises(BudgetExceeded, match="--max-tokens 300"):
        await complete_many(llm, requests(100))
    assert 0 < llm.spent.tokens <= 300
    # it stopped because the next call could cross the limit, not far before it
    assert llm.spent.tokens + llm.worst_case(requests(1)[0]).tokens > 300


async def test_max_cost_needs_prices_and_holds() -> None:
    with pytest.raises(ConfigError, match="prices"):
        BudgetedLLM(FakeLLM(), Budget(max_cost=1.0))
    inner = SlowFake()
    prices = Prices(prompt=1000.0, completion=2000.0)  # per million tokens
    llm = BudgetedLLM(inner, Budget(max_cost=0.5), prices)
    with pytest.raises(BudgetExceeded, match=r"--max-cost 0\.5"):
        await complete_many(llm, requests(100))
    assert 0 < llm.spent.cost <= 0.5


async def test_cache_hits_are_free_and_a_rerun_resumes(tmp_path: Path) -> None:
    first = FakeLLM()
    llm = CachedLLM(BudgetedLLM(first, Budget(max_calls=4)), tmp_path / "c.sqlite")
    with pytest.raises(BudgetExceeded):
        await complete_many(llm, requests(10))
    await llm.aclose()
    assert first.calls == 4

    second = FakeLLM()  # same limit again: the 4 answers kept are free, 4 more are paid
    llm = CachedLLM(BudgetedLLM(second, Budget(max_calls=4)), tmp_path / "c.sqlite")
    with pytest.raises(BudgetExceeded):
        await complete_many(llm, requests(10))
    await llm.aclose()
    assert second.calls == 4 and llm.usage.cache_hits == 4

    third = FakeLLM()
    llm = CachedLLM(BudgetedLLM(third, Budget(max_calls=100)), tmp_path / "c.sqlite")
    out = await complete_many(llm, requests(10))
    assert len(out) == 10 and third.calls == 2 and llm.usage.cache_hits == 8


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ConfigError, match="--max-calls"):
        Budget(max_calls=-1)


async def test_a_cost_stop_prints_a_small_spend_as_it_is() -> None:
    # cents per million tokens: a call costs a few millionths, which 4 decimals print as
    # "0.0000 spent" after a call was paid
    inner = FakeLLM()
    llm = BudgetedLLM(inner, Budget(max_cost=0.00005), Prices(prompt=1.0, completion=1.0))
    with pytest.raises(BudgetExceeded) as stop:
        await complete_many(llm, requests(100))
    assert inner.calls > 0 and 0.00001 < llm.spent.cost < 0.0001
    spent = f"{llm.spent.cost:.6f}"  # e.g. 0.000023: two significant digits
    assert f"budget reached: {spent} spent and the next call may cost up to 0.0000" in str(
        stop.value
    )
    assert str(stop.value).endswith("--max-cost 0.00005")  # was: the limit echoed as 5e-05
