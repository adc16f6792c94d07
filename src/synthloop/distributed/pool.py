"""Generation across Ray actors, behind synthloop's one :class:`~synthloop.llm.LLM` interface.

Each actor holds its own backend, built inside the actor by a picklable factory (an
embedded llama.cpp engine, or a client to one of several OpenAI-compatible endpoints,
spread across the actors). :meth:`RayLLMPool.complete` sends a request to the least busy
actor; if that actor dies (its process is killed, its node goes away) a fresh actor takes
its slot and the request is sent again.

The pool itself is only a transport. The driver wraps it exactly like a local backend —
``CachedLLM(RayLLMPool(...))`` and whatever budget or journal wrappers the local runner
uses — so the cache is checked before anything is dispatched and every answer is committed
on the driver as it arrives: a killed worker loses nothing that was answered, and nothing
answered is paid for again. Its :meth:`identity` is the one the local runner's backend
would have for the same config, whichever worker (or ``--endpoint`` replica) answered, so
a Ray run and a local run share one cache, and reordering or adding replicas keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from synthloop.core.cpus import usable_cpus
from synthloop.core.errors import LLMError, SynthloopError
from synthloop.distributed.cluster import import_ray
from synthloop.llm import LLM, LLMConfig, Request, Response, make_llm
from synthloop.llm.openai_compat import openai_identity, resolve_base_url

BackendFactory = Callable[[], LLM]
ACTOR_CONCURRENCY = 256


@dataclass(frozen=True)
class ConfiguredBackend:
    """A picklable recipe for one actor's backend: the run's LLM config, optionally pointed
    at one particular endpoint, with the thread count that fits its share of the CPUs."""

    config: LLMConfig
    base_url: str | None = None
    n_threads: int | None = None

    def __call__(self) -> LLM:
        update: dict[str, Any] = {}
        if self.base_url is not None:
            update["base_url"] = self.base_url
        if self.n_threads is not None and self.config.n_threads is None:
            update["n_threads"] = self.n_threads
        return make_llm(self.config.model_copy(update=update))


def backends_for(
    config: LLMConfig,
    workers: int,
    *,
    endpoints: Sequence[str] = (),
    cpus: int | None = None,
) -> list[BackendFactory]:
    """One factory per worker: endpoints are dealt out in turn; embedded engines split
    ``cpus`` (default: this machine's) so that workers x threads = cores."""
    if workers < 1:
        raise LLMError("the Ray runner needs at least one worker")
    threads = None
    if config.backend == "embedded":
        threads = max(1, (cpus or usable_cpus()) // workers)
    urls: list[str | None] = list(endpoints) or [None]
    return [
        ConfiguredBackend(config, base_url=urls[i % len(urls)], n_threads=threads)
        for i in range(workers)
    ]


@dataclass(frozen=True)
class _Failed:
    """A synthloop error raised inside an actor, carried back whole (hint and retryable)."""

    kind: type[SynthloopError]
    message: str
    hint: str | None
    retryable: bool

    def rebuild(self) -> SynthloopError:
        return self.kind(self.message, hint=self.hint, retryable=self.retryable)


class LLMWorker:
    """The actor: one backend, many requests in flight (its own ``max_concurrency``)."""

    def __init__(self, factory: BackendFactory) -> None:
        # A backend that cannot start is reported by info(), whole, not as a dead actor.
        self.failed: _Failed | None = None
        try:
            self.llm = factory()
        except SynthloopError as exc:
            self.failed = _Failed(type(exc), exc.message, exc.hint, exc.retryable)

    def info(self) -> dict[str, Any] | _Failed:
        import ray

        if self.failed is not None:
            return self.failed
        return {
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "identity": self.llm.identity(),
            "model": self.llm.model,
            "max_concurrency": self.llm.max_concurrency,
        }

    async def complete(self, request: Request) -> Response | _Failed:
        try:
            return await self.llm.complete(request)
        except SynthloopError as exc:
            return _Failed(type(exc), exc.message, exc.hint, exc.retryable)

    async def close(self) -> None:
        if self.failed is None:
            await self.llm.aclose()


@dataclass
class _Slot:
    index: int
    actor: Any
    generation: int = 0
    in_flight: int = 0
    info: dict[str, Any] = field(default_factory=dict)


class RayLLMPool(LLM):
    """A pool of Ray actors, one backend each, that answers like one LLM."""

    backend = "ray"

    def __init__(
        self,
        factories: Sequence[BackendFactory],
        *,
        num_cpus: float = 1.0,
        max_worker_failures: int = 8,
        start_timeout: float = 300.0,
        identity: dict[str, str] | None = None,
    ) -> None:
        """``identity`` (for cache keys): by default the workers' own, which must agree."""
        if not factories:
            raise LLMError("the Ray runner needs at least one worker")
        self._ray = import_ray()
        self._factories = list(factories)
        self._num_cpus = num_cpus
        self.max_worker_failures = max_worker_failures
        #: actors started to replace dead ones
        self.restarts = 0
        self._slots = [_Slot(i, self._spawn(i)) for i in range(len(self._factories))]
        infos = self._gather_info([s.actor for s in self._slots], start_timeout)
        for slot, info in zip(self._slots, infos, strict=True):
            slot.info = info
        if identity is None:
            identities = {tuple(sorted(i["identity"].items())) for i in infos}
            if len(identities) > 1:
                raise LLMError(
                    f"the Ray workers' backends differ ({', '.join(map(str, identities))}), "
                    "so their answers cannot share one cache",
                    hint="give the pool the identity they stand for (make_pool does)",
                )
            identity = dict(infos[0]["identity"])
        self._identity: dict[str, str] = dict(identity)
        self._model: str = infos[0]["model"]
        self.max_concurrency = sum(int(i["max_concurrency"]) for i in infos)

    def _spawn(self, index: int) -> Any:
        remote = self._ray.remote(LLMWorker)
        return remote.options(
            num_cpus=self._num_cpus,
            max_restarts=0,  # the pool replaces dead actors itself, and knows it did
            # an async actor; the backend bounds its own work (the embedded engine: one)
            max_concurrency=ACTOR_CONCURRENCY,
            scheduling_strategy="SPREAD",
        ).remote(self._factories[index])

    def _gather_info(self, actors: list[Any], timeout: float) -> list[dict[str, Any]]:
        refs = [a.info.remote() for a in actors]
        try:
            infos = list(self._ray.get(refs, timeout=timeout))
        except self._ray.exceptions.RayActorError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LLMError(f"a Ray worker could not start its LLM backend: {first}") from exc
        except self._ray.exceptions.GetTimeoutError as exc:
            raise LLMError(
                f"Ray workers did not start within {timeout:.0f} s",
                hint="does the cluster have enough free CPUs for the workers?",
            ) from exc
        for info in infos:
            if isinstance(info, _Failed):
                for actor in actors:
                    with contextlib.suppress(Exception):
                        self._ray.kill(actor, no_restart=True)
                raise info.rebuild()
        return infos

    @property
    def model(self) -> str:
        return self._model

    def identity(self) -> dict[str, str]:
        # The backend's, not the pool's: the cache key must not depend on the runner.
        return dict(self._identity)

    def worker_pids(self) -> list[int]:
        return [int(s.info.get("pid", -1)) for s in self._slots]

    def worker_nodes(self) -> list[str]:
        return [str(s.info.get("node", "")) for s in self._slots]

    def _pick(self) -> _Slot:
        def load(s: _Slot) -> tuple[float, int]:
            return s.in_flight / max(1, int(s.info.get("max_concurrency", 1))), s.index

        return min(self._slots, key=load)

    async def _replace(self, slot: _Slot, seen_generation: int) -> None:
        """Start a fresh actor in a dead one's slot (once, however many calls saw it die)."""
        if slot.generation != seen_generation:
            return
        slot.generation += 1
        self.restarts += 1
        with contextlib.suppress(Exception):  # already gone is fine
            self._ray.kill(slot.actor, no_restart=True)
        slot.actor = self._spawn(slot.index)
        try:
            info = await slot.actor.info.remote()
        except self._ray.exceptions.RayActorError:
            info = {}
        slot.info = info if isinstance(info, dict) else {}

    async def complete(self, request: Request) -> Response:
        dead = (self._ray.exceptions.RayActorError, self._ray.exceptions.WorkerCrashedError)
        failures = 0
        while True:
            slot = self._pick()
            generation = slot.generation
            slot.in_flight += 1
            try:
                out = await slot.actor.complete.remote(request)
            except dead as exc:
                failures += 1
                if failures > self.max_worker_failures:
                    raise LLMError(
                        f"Ray workers died {failures} times on one request; giving up",
                        hint="check the cluster's logs (ray logs) for the cause",
                        retryable=True,
                    ) from exc
                await self._replace(slot, generation)
                continue
            except self._ray.exceptions.RayTaskError as exc:
                raise LLMError(f"a Ray worker failed: {exc.cause or exc}") from exc
            finally:
                slot.in_flight -= 1
            if isinstance(out, _Failed):
                raise out.rebuild()
            return out

    async def aclose(self) -> None:
        closes = [s.actor.close.remote() for s in self._slots]
        await asyncio.gather(*closes, return_exceptions=True)
        for slot in self._slots:
            with contextlib.suppress(Exception):  # a dead actor needs no killing
                self._ray.kill(slot.actor, no_restart=True)


def make_pool(
    config: LLMConfig,
    workers: int,
    *,
    endpoints: Sequence[str] = (),
    num_cpus: float = 1.0,
) -> RayLLMPool:
    """A pool of ``workers`` actors for the run's LLM config (Ray must be connected).

    ``endpoints`` are replicas of the config's server: answers are cached under the
    identity the config gives (``llm.server_identity``, else ``llm.base_url``), whichever
    replica served them."""
    ray = import_ray()
    cpus = int(ray.cluster_resources().get("CPU", 0)) or None
    identity = None
    if endpoints and config.backend == "openai" and config.model:
        url = resolve_base_url(config.base_url)
        identity = openai_identity(config.model, url, config.server_identity)
    return RayLLMPool(
        backends_for(config, workers, endpoints=endpoints, cpus=cpus),
        num_cpus=num_cpus,
        identity=identity,
    )
