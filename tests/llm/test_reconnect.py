"""A server that goes away: waited for together, visibly, for a set time, then given up."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from synthloop.core.errors import LLMConnectionError
from synthloop.llm import Request
from synthloop.llm.openai_compat import OpenAICompatLLM
from synthloop.llm.reconnect import Outage
from tests.llm.fault_server import FaultServer


class Clock:
    """Virtual time: sleeping advances it, so minutes of waiting take no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        until = self.now + seconds
        await asyncio.sleep(0)  # let every waiter of a wave read the same time first
        self.now = max(self.now, until)


def outage(timeout: float, notes: list[str], clock: Clock) -> Outage:
    return Outage(timeout, notify=notes.append, clock=clock, sleep=clock.sleep)


async def test_waits_grow_to_15_s_and_it_gives_up_after_the_timeout() -> None:
    clock = Clock()
    notes: list[str] = []
    down = outage(60, notes, clock)
    with pytest.raises(LLMConnectionError, match=r"cannot reach S \(refused\) for 60s; gave up"):
        while True:
            await down.wait(LLMConnectionError("refused"), "S")
    waits = [n.split("retrying in ")[1] for n in notes]
    assert waits == [
        "1s (attempt 1)",
        "2s (attempt 2)",
        "4s (attempt 3)",
        "8s (attempt 4)",
        "15s (attempt 5)",
        "15s (attempt 6)",
        "15s (attempt 7)",  # 60 s in all: the last wait is cut to the time left
    ]
    assert all(n.startswith("server unreachable (S: refused), retrying in") for n in notes)
    assert clock.now == 60


async def test_many_requests_share_one_wait_and_one_line_per_wait() -> None:
    clock = Clock()
    notes: list[str] = []
    down = outage(600, notes, clock)
    for _ in range(3):  # three waves: 16 requests fail, wait, retry, fail again
        await asyncio.gather(*(down.wait(LLMConnectionError("refused"), "S") for _ in range(16)))
    assert len(notes) == 3 and clock.now == 1 + 2 + 4
    down.reached()
    assert notes[-1] == "server reachable again after 7s; carrying on" and down.outages == 1
    # the next outage starts its waits from the beginning
    await down.wait(LLMConnectionError("refused"), "S")
    assert notes[-1].endswith("retrying in 1s (attempt 1)")


async def test_a_zero_timeout_gives_up_at_the_first_refusal() -> None:
    clock = Clock()
    notes: list[str] = []
    with pytest.raises(LLMConnectionError, match="for 0s"):
        await outage(0, notes, clock).wait(LLMConnectionError("refused"), "S")
    assert notes == []


def test_a_restarted_server_is_waited_for_and_nothing_is_paid_twice() -> None:
    """The server stops after 10 answers and comes back on the same port 2.5 s later."""
    first = FaultServer().start()
    port = first.port
    first.hold_after = 10
    notes: list[str] = []
    restarted: list[FaultServer] = []

    def bounce() -> None:
        while first.open.is_set():
            time.sleep(0.005)
        first.stop()  # in-flight answers are cut off; new connections are refused
        time.sleep(2.5)
        restarted.append(FaultServer(port=port).start())

    threading.Thread(target=bounce, daemon=True).start()

    async def go() -> list[str]:
        llm = OpenAICompatLLM(
            "m", base_url=first.base_url, api_key="k", max_concurrency=4, notify=notes.append
        )
        reqs = [Request.chat(f"write {i}", seed=i, max_tokens=8) for i in range(30)]
        try:
            return [r.text for r in await asyncio.gather(*(llm.complete(r) for r in reqs))]
        finally:
            await llm.aclose()

    texts = asyncio.run(go())
    restarted[0].stop()
    assert len(texts) == 30 and all(texts)
    assert any(n.startswith("server unreachable") for n in notes)
    assert notes[-1].startswith("server reachable again after")
    # every request was answered whole once, by one server or the other
    answered = first.stats.answered + restarted[0].stats.answered
    assert len(answered) == 30 and set(answered.values()) == {1}
