"""What the Ray runner's tests set up alike: the local runner's records to compare with, and
a pool of two workers logging each answer they give."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from synthloop.distributed.pool import RayLLMPool
from synthloop.generate.common import Generation
from synthloop.llm import Usage
from synthloop.run.config import RunConfig
from synthloop.run.generate import run_generate
from tests.conftest import FakeLLM
from tests.distributed.fakes import Scripted, journal_lines


async def local_zerogen(config: RunConfig, n: int, tmp_path: Path) -> Generation:
    """zerogen's ``n`` calls on the local runner (the FakeLLM): what a Ray run of the same
    config must write too."""
    local, _ = await run_generate(
        config, "zerogen", n, tmp_path / "local.jsonl", show_progress=False,
        backend=lambda _c: FakeLLM(),
    )  # fmt: skip
    return local


def journaled_pool(journal: Path, *, delay: float = 0.0) -> RayLLMPool:
    """Two workers answering as the FakeLLM does, each answer logged to ``journal``."""
    scripted = Scripted(delay=delay, journal=str(journal))
    return RayLLMPool([scripted, scripted], num_cpus=0.5)


async def zerogen_killed_midway(
    config: RunConfig,
    n: int,
    out: Path,
    pool: RayLLMPool,
    journal: Path,
    *,
    after: int,
    kill: Callable[[], None],
) -> tuple[Generation, Usage]:
    """zerogen's ``n`` calls on ``pool`` into ``out``, ``kill`` called once its workers have
    logged ``after`` answers to ``journal``: a crash in the middle of a run."""

    async def kill_midway() -> None:
        while len(journal_lines(journal)) < after:
            await asyncio.sleep(0.02)
        kill()

    killer = asyncio.ensure_future(kill_midway())
    result = await run_generate(
        config, "zerogen", n, out, show_progress=False, backend=lambda _c: pool
    )
    await killer
    return result
