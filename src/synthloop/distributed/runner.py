"""`--runner ray`: the same run config, with generation fanned out over Ray workers.

The CLI passes :func:`runner_backend`'s maker to :func:`synthloop.runner.run_s3` /
``run_generate``; they call it only after every input has been checked, so a bad config
fails before a cluster is started. Everything else (cache, rounds, files) is the local
runner's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from synthloop.distributed.cluster import connect, import_ray
from synthloop.distributed.pool import RayLLMPool, make_pool
from synthloop.llm import LLMConfig
from synthloop.runner import BackendMaker


class Runner(StrEnum):
    local = "local"
    ray = "ray"


RunnerOpt = Annotated[
    Runner, typer.Option(help="local: this process; ray: LLM calls spread over Ray workers.")
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(help="ray: an existing cluster ('auto', or HOST:PORT) [default: start one]."),
]
RayWorkersOpt = Annotated[
    int | None, typer.Option(min=1, help="ray: LLM workers [default: the cluster's CPUs].")
]
EndpointOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--endpoint",
        help="ray + openai backend: an OpenAI-compatible base URL; repeat to spread workers.",
    ),
]


class RayBackend:
    """Connects to Ray and builds the pool when the runner asks for its backend."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        endpoints: list[str] | None = None,
        *,
        num_cpus: float = 1.0,
    ) -> None:
        self.address = address
        self.workers = workers
        self.endpoints = list(endpoints or [])
        self.num_cpus = num_cpus
        self.started = False
        self.pool: RayLLMPool | None = None

    def __call__(self, config: LLMConfig) -> RayLLMPool:
        self.started = connect(self.address) or self.started
        workers = self.workers or len(self.endpoints)
        if not workers:
            cpus = import_ray().cluster_resources().get("CPU", 1)
            workers = max(1, int(cpus // self.num_cpus))
        self.pool = make_pool(config, workers, endpoints=self.endpoints, num_cpus=self.num_cpus)
        return self.pool

    def close(self) -> None:
        if self.started:
            import_ray().shutdown()
            self.started = False


@contextmanager
def runner_backend(
    runner: Runner,
    address: str | None = None,
    workers: int | None = None,
    endpoints: list[str] | None = None,
) -> Iterator[BackendMaker | None]:
    """None for the local runner; for Ray, a maker whose cluster is shut down afterwards
    (only if this process started it)."""
    if runner is Runner.local:
        yield None
        return
    backend = RayBackend(address, workers, endpoints)
    try:
        yield backend
    finally:
        backend.close()
