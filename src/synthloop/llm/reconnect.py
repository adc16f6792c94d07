"""Riding out a server that cannot be reached: restarts, redeploys, OOM kills.

A refused or timed-out connection says nothing about the request, only that the server
is not there right now, so it is not one of a request's few retries: every request of a
client that meets one waits on the same :class:`Outage`, which schedules one wait at a
time (1, 2, 4, 8, then every 15 s), announces each with one visible line, and gives up
only once the server has been unreachable for ``timeout`` seconds (``llm.unreachable_timeout``,
10 minutes by default), as curl and pip retry with visible waits. The first answer after
an outage ends it and says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from synthloop.core.errors import LLMConnectionError, warn

#: seconds before the first retry, doubled after each failed one, up to MAX_WAIT
FIRST_WAIT = 1.0
MAX_WAIT = 15.0


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


class Outage:
    """The waits of every request to one server while it cannot be reached."""

    def __init__(
        self,
        timeout: float,
        *,
        notify: Callable[[str], None] = warn,
        first_wait: float = FIRST_WAIT,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.timeout = timeout
        self.notify = notify
        self.first_wait = first_wait
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self.since: float | None = None  # when the current outage began
        self.attempts = 0  # waits announced in the current outage
        self.outages = 0  # outages ridden out, for reports and tests
        self._retry_at = 0.0

    def reached(self) -> None:
        """The server answered: an outage in progress is over."""
        if self.since is None:
            return
        lasted = self._clock() - self.since
        self.since, self.attempts, self._retry_at = None, 0, 0.0
        self.outages += 1
        self.notify(f"server reachable again after {lasted:.0f}s; carrying on")

    async def wait(self, error: LLMConnectionError, where: str) -> None:
        """Wait until the next retry is due, or raise once ``timeout`` has passed."""
        now = self._clock()
        if self.since is None:
            self.since = now
        if now >= self._retry_at:  # no retry scheduled yet covers this failure: schedule one
            down = now - self.since
            if down >= self.timeout:
                raise LLMConnectionError(
                    f"cannot reach {where} ({error.message}) for {down:.0f}s; gave up",
                    hint=f"is the server running? llm.unreachable_timeout (now "
                    f"{_minutes(self.timeout)}) sets how long to wait",
                ) from error
            self.attempts += 1
            delay = min(self.max_wait, self.first_wait * 2 ** (self.attempts - 1))
            delay = min(delay, self.timeout - down)
            self._retry_at = now + delay
            self.notify(
                f"server unreachable ({where}: {error.message}), retrying in {delay:.0f}s "
                f"(attempt {self.attempts})"
            )
        await self._sleep(self._retry_at - now)
