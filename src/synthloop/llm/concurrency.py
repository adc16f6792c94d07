"""Adaptive concurrency for a remote server: AIMD, like TCP congestion control.

The limit on requests in flight starts at the configured maximum, is halved when the
server says it is overloaded (429, 503) and grows by about one request per window of
successes, so a run settles near what the server can take instead of hammering it.
Only one halving happens per window: the overload answers of requests that were sent
before the last halving say nothing new. A ``Retry-After`` pauses every new request
until it has passed, not just the one that got it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    """An object of the running event loop, made by ``make`` and made again for each loop:
    an ``asyncio.Condition``, or an HTTP client's pooled connections, belongs to the loop
    it was used on, and one LLM may be used from one ``asyncio.run`` after another (a
    script's generate, then extrapolate). ``first``, made up front, serves the first loop."""

    def __init__(self, make: Callable[[], T], *, first: T | None = None) -> None:
        self._make = make
        self.value = first  # the last loop's
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        if self.value is None or self._loop not in (None, loop):
            self.value = self._make()
        self._loop = loop
        return self.value


class AdaptiveLimiter:
    def __init__(self, maximum: int, *, minimum: int = 1) -> None:
        if maximum < 1 or minimum < 1 or minimum > maximum:
            raise ValueError("need 1 <= minimum <= maximum")
        self.maximum = maximum
        self.minimum = minimum
        self.limit = float(maximum)
        self.in_flight = 0
        self.epoch = 0  # bumped at each halving
        self.decreases = 0
        self._resume_at = 0.0  # time.monotonic() before which nothing new is sent
        self._cond = PerLoop(asyncio.Condition)

    @property
    def current(self) -> int:
        return max(self.minimum, int(self.limit))

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch to hand back to :meth:`overloaded`."""
        cond = self._cond.get()
        async with cond:
            while True:
                pause = self._resume_at - time.monotonic()
                if pause > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(cond.wait(), timeout=pause)
                    continue
                if self.in_flight < self.current:
                    self.in_flight += 1
                    return self.epoch
                await cond.wait()

    async def release(self) -> None:
        cond = self._cond.get()
        async with cond:
            self.in_flight -= 1
            cond.notify_all()

    def succeeded(self) -> None:
        # Additive increase: +1 per `limit` successes, i.e. about one per window.
        self.limit = min(float(self.maximum), self.limit + 1.0 / max(self.limit, 1.0))

    def overloaded(self, epoch: int, retry_after: float | None = None) -> None:
        if retry_after:
            self._resume_at = max(self._resume_at, time.monotonic() + retry_after)
        if epoch == self.epoch:  # multiplicative decrease, once per window
            self.limit = max(float(self.minimum), self.limit / 2.0)
            self.epoch += 1
            self.decreases += 1
