"""Running many requests against one LLM with bounded concurrency and live progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from synthloop.llm.base import LLM, Request, Response

OnDone = Callable[[Response], None]
OnResult = Callable[[int, Response], None]


class _Skipped(Exception):
    """A request not sent because another one had already failed."""


async def complete_many(
    llm: LLM,
    requests: Sequence[Request],
    on_done: OnDone | None = None,
    *,
    on_result: OnResult | None = None,
) -> list[Response]:
    """Complete ``requests``; answers come back in input order.

    ``on_result(index, response)`` then ``on_done(response)`` fire as each one finishes
    (journal first, progress second). When one request fails, no new one is sent, but
    those already in flight are let finish: they are paid for, and their answers reach
    the cache and ``on_result``. Then the first error is raised.
    """
    gate = asyncio.Semaphore(max(1, llm.max_concurrency))
    failed: list[BaseException] = []

    async def one(i: int, req: Request) -> Response:
        async with gate:
            if failed:
                raise _Skipped
            try:
                resp = await llm.complete(req)
                if on_result is not None:
                    on_result(i, resp)
            except Exception as exc:
                failed.append(exc)
                raise
        if on_done is not None:
            on_done(resp)
        return resp

    results = await asyncio.gather(
        *(one(i, r) for i, r in enumerate(requests)), return_exceptions=True
    )
    if failed:
        raise failed[0]
    out: list[Response] = []
    for r in results:
        if isinstance(r, BaseException):
            raise r
        out.append(r)
    return out
