"""The Ray runner on a local cluster (``ray.init`` with 2 CPUs): same records as the local
runner, nothing lost or paid twice when a worker is killed mid-run."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from synthloop.core.errors import BudgetExceeded, LLMResponseError, ModelLoadError
from synthloop.core.io import load_dataset_file
from synthloop.distributed.pool import RayLLMPool
from synthloop.llm import Budget, Request
from synthloop.run.config import RunConfig, load_config
from synthloop.run.generate import run_generate
from synthloop.run.s3 import run_s3
from tests.conftest import FakeLLM
from tests.distributed.fakes import Refusing, Scripted, ScriptedBackend, Unloadable, journal_lines
from tests.distributed.local_runs import journaled_pool, local_zerogen, zerogen_killed_midway

pytestmark = pytest.mark.usefixtures("local_ray")


def rows(path: Path, config: RunConfig) -> list[dict]:
    return [r.to_row() for r in load_dataset_file(path, config.task)]


def cached_answers(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])


async def test_s3_on_ray_writes_the_local_runners_records(tmp_path: Path, run_config: Path) -> None:
    config = load_config(run_config)
    local = await run_s3(
        config, tmp_path / "local", show_progress=False, backend=lambda _c: ScriptedBackend()
    )
    pool_runs = []

    def ray_pool(_c: object) -> RayLLMPool:
        pool_runs.append(RayLLMPool([Scripted(), Scripted()], num_cpus=0.5))
        return pool_runs[-1]

    remote = await run_s3(config, tmp_path / "ray", show_progress=False, backend=ray_pool)
    assert remote.usage.calls == local.usage.calls > 0
    assert rows(tmp_path / "ray" / "dataset.jsonl", config) == rows(
        tmp_path / "local" / "dataset.jsonl", config
    )
    assert [r.as_dict() for r in remote.result.rounds] == [r.as_dict() for r in local.result.rounds]
    # both workers took part
    assert len(set(pool_runs[0].worker_pids())) == 2

    # same cache (and journal): a Ray run over the local run's directory pays for nothing
    again = await run_s3(config, tmp_path / "local", show_progress=False, backend=ray_pool)
    assert again.usage.calls == 0
    assert rows(tmp_path / "local" / "dataset.jsonl", config) == rows(
        tmp_path / "ray" / "dataset.jsonl", config
    )


async def test_a_killed_worker_loses_nothing_and_pays_nothing_twice(
    tmp_path: Path, run_config: Path
) -> None:
    config = load_config(run_config)
    local = await local_zerogen(config, 40, tmp_path)
    journal = tmp_path / "answered.log"
    pool = journaled_pool(journal, delay=0.05)
    victim = pool.worker_pids()[0]

    out = tmp_path / "ray.jsonl"
    gen, usage = await zerogen_killed_midway(
        config, 40, out, pool, journal, after=8, kill=lambda: os.kill(victim, signal.SIGKILL)
    )
    assert pool.restarts >= 1 and victim not in pool.worker_pids()
    assert [r.to_row() for r in gen.records] == [r.to_row() for r in local.records]
    assert rows(out, config) == [r.to_row() for r in local.records]
    # every request paid once: 40 answers in the cache, 40 paid calls on the driver
    assert usage.calls == 40 and cached_answers(out.with_suffix(".cache.sqlite")) == 40
    answered = journal_lines(journal)
    assert {r.prompt_hash for r in local.records} <= set(answered)
    assert len(set(answered)) == 40

    # and a rerun pays nothing
    fresh = RayLLMPool([Scripted(journal=str(journal))], num_cpus=0.5)
    before = len(journal_lines(journal))
    _, usage = await run_generate(
        config, "zerogen", 40, out, show_progress=False, backend=lambda _c: fresh
    )
    assert usage.calls == 0  # served by the driver's journal and cache
    assert len(journal_lines(journal)) == before


async def test_after_a_crash_ray_sends_only_what_the_cache_lacks(
    tmp_path: Path, run_config: Path
) -> None:
    config = load_config(run_config)
    out = tmp_path / "gen.jsonl"
    with pytest.raises(RuntimeError, match="simulated crash"):
        await run_generate(
            config, "zerogen", 30, out, show_progress=False,
            backend=lambda _c: FakeLLM(fail_after=10),
        )  # fmt: skip
    journal = tmp_path / "answered.log"
    pool = journaled_pool(journal)
    gen, usage = await run_generate(
        config, "zerogen", 30, out, show_progress=False, backend=lambda _c: pool
    )
    assert usage.calls == 20
    assert len(journal_lines(journal)) == 20  # the workers saw only the missing requests
    assert gen.calls == 30


async def test_inside_a_budget_a_ray_run_stops_and_resumes_without_paying_twice(
    tmp_path: Path, run_config: Path
) -> None:
    config = load_config(run_config)
    local = await local_zerogen(config, 24, tmp_path)
    journal = tmp_path / "answered.log"
    pool = journaled_pool(journal)
    out = tmp_path / "ray.jsonl"
    with pytest.raises(BudgetExceeded):
        await run_generate(
            config, "zerogen", 24, out, show_progress=False, budget=Budget(max_calls=10),
            backend=lambda _c: pool,
        )  # fmt: skip
    assert len(journal_lines(journal)) == 10 == cached_answers(out.with_suffix(".cache.sqlite"))
    pool = journaled_pool(journal)
    gen, usage = await run_generate(
        config, "zerogen", 24, out, show_progress=False, budget=Budget(max_calls=14),
        backend=lambda _c: pool,
    )  # fmt: skip
    assert usage.calls == 14 and len(set(journal_lines(journal))) == 24
    assert [r.to_row() for r in gen.records] == [r.to_row() for r in local.records]


async def test_a_backend_error_in_a_worker_reaches_the_driver_whole() -> None:
    pool = RayLLMPool([Refusing()], num_cpus=0.5)
    try:
        with pytest.raises(LLMResponseError) as info:
            await pool.complete(Request.chat("hello", max_tokens=8))
        assert info.value.hint == "check the API key" and pool.restarts == 0
        assert pool.identity() == {"backend": "fake", "model": "fake-1"}
    finally:
        await pool.aclose()


def test_a_worker_that_cannot_load_its_model_fails_the_pool_in_one_line() -> None:
    with pytest.raises(ModelLoadError, match="model file not found"):
        RayLLMPool([Unloadable()], num_cpus=0.5)
