"""`--runner ray`: the same run config, with generation fanned out over Ray workers and
the data work of curation, evaluation and the S3 rounds over Ray Data.

:func:`runner_backend` yields one :class:`RayBackend` per command: called with the run's
LLM config it builds the pool of LLM workers (``run_s3`` / ``run_generate`` call it only
after every input has been checked, so a bad config fails before a cluster is started); its
``compute`` is the :class:`~synthloop.compute.local.Compute` that curation and evaluation use.
Both join the cluster on first use. Everything else (cache, rounds, files) is the local
runner's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from synthloop.cli.options import Runner
from synthloop.compute.local import LOCAL, Compute
from synthloop.compute.ray import RayCompute
from synthloop.distributed.cluster import RayCluster, import_ray
from synthloop.distributed.pool import RayLLMPool, make_pool
from synthloop.llm import LLMConfig


class RayBackend:
    """Builds the pool when the runner asks for its backend; ``compute`` runs the data work
    on Ray Data. One cluster for both, joined (or started) on first use."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        endpoints: list[str] | None = None,
        *,
        num_cpus: float = 1.0,
    ) -> None:
        self.cluster = RayCluster(address)
        self.workers = workers
        self.endpoints = list(endpoints or [])
        self.num_cpus = num_cpus
        self.pool: RayLLMPool | None = None
        self.compute = RayCompute(self.cluster)

    @property
    def address(self) -> str | None:
        return self.cluster.address

    @property
    def started(self) -> bool:
        return self.cluster.started

    def __call__(self, config: LLMConfig) -> RayLLMPool:
        self.cluster.connect()
        workers = self.workers or len(self.endpoints)
        if not workers:
            cpus = import_ray().cluster_resources().get("CPU", 1)
            workers = max(1, int(cpus // self.num_cpus))
        self.pool = make_pool(config, workers, endpoints=self.endpoints, num_cpus=self.num_cpus)
        return self.pool

    def close(self) -> None:
        self.cluster.close()


def compute_of(backend: RayBackend | None) -> Compute:
    """Where curation and evaluation compute: the runner's Ray Data, or this process."""
    return backend.compute if backend is not None else LOCAL


@contextmanager
def runner_backend(
    runner: Runner,
    address: str | None = None,
    workers: int | None = None,
    endpoints: list[str] | None = None,
) -> Iterator[RayBackend | None]:
    """None for the local runner; for Ray, a :class:`RayBackend` (an LLM backend maker,
    and the Ray Data compute) whose cluster is shut down afterwards (only if this process
    started it)."""
    if runner is Runner.local:
        given = [
            opt
            for opt, value in (
                ("--endpoint", endpoints),
                ("--ray-address", address),
                ("--ray-workers", workers),
            )
            if value
        ]
        if given:  # was ignored silently: the run went to the config's one server
            from synthloop.core.errors import ConfigError

            raise ConfigError(
                f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for --runner ray; "
                "the local runner does not use it",
                hint="add --runner ray, or leave it out",
            )
        yield None
        return
    backend = RayBackend(address, workers, endpoints)
    try:
        yield backend
    finally:
        backend.close()
