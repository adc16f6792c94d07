"""Running many requests against one LLM with bounded concurrency and live progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from synthloop.llm.base import LLM, Request, Response

OnDone = Callable[[Response], None]


async def complete_many(
    llm: LLM, requests: Sequence[Request], on_done: OnDone | None = None
) -> list[Response]:
    """Complete ``requests`` in order of the input; ``on_done`` fires as each one finishes."""
    gate = asyncio.Semaphore(max(1, llm.max_concurrency))

    async def one(req: Request) -> Response:
        async with gate:
            resp = await llm.complete(req)
        if on_done is not None:
            on_done(resp)
        return resp

    tasks = [asyncio.ensure_future(one(r)) for r in requests]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        # One failed: stop the rest; what finished is already in the cache.
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
