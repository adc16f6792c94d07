"""AIMD: halve once per window on overload, grow back by about one per window."""

import asyncio

import pytest

from synthloop.llm.concurrency import AdaptiveLimiter


async def test_halves_once_per_window_and_grows_back() -> None:
    lim = AdaptiveLimiter(16)
    epochs = [await lim.acquire() for _ in range(10)]
    for e in epochs:  # ten 429s from the same window count as one signal
        lim.overloaded(e)
    assert lim.current == 8 and lim.decreases == 1
    for _ in range(10):
        await lim.release()
    for _ in range(8 + 9 + 10):  # about one window per step up
        lim.succeeded()
    assert lim.current >= 10
    for _ in range(500):
        lim.succeeded()
    assert lim.current == 16  # never past the bound


async def test_never_below_the_minimum_and_bounds_in_flight() -> None:
    lim = AdaptiveLimiter(4, minimum=2)
    for _ in range(10):
        lim.overloaded(lim.epoch)
    assert lim.current == 2
    await lim.acquire()
    await lim.acquire()
    third = asyncio.ensure_future(lim.acquire())
    await asyncio.sleep(0.01)
    assert not third.done()  # two in flight is the limit now
    await lim.release()
    await asyncio.wait_for(third, 1)


async def test_retry_after_pauses_everyone() -> None:
    lim = AdaptiveLimiter(4)
    lim.overloaded(lim.epoch, retry_after=0.15)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await lim.acquire()
    assert loop.time() - start >= 0.14


def test_bad_bounds() -> None:
    with pytest.raises(ValueError):
        AdaptiveLimiter(0)
