"""Joining (or starting) a Ray cluster, with telemetry and the dashboard off.

``connect()`` starts a private local cluster when no address is given, or joins an
existing one (``ray start --head`` printed its address; ``auto`` finds one on this
machine). ``ray_session()`` shuts down only what it started.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from synthloop.core.errors import ConfigError

# No network here, and no telemetry by default anywhere: set before Ray is imported.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_DISABLE_DOCKER_CPU_WARNING", "1")
# Ray's own copy of the driver's stdout progress would fight rich's bars.
os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "the Ray runner needs the 'ray' package", hint="run `make install` (it installs ray)"
        ) from exc
    return ray


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not minutes: Ray retries an unreachable GCS for a long time."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return  # "auto", ray:// client addresses: Ray resolves and reports these itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(
            f"cannot connect to the Ray cluster at {address}: {exc.strerror or exc}",
            hint="start one with `ray start --head`, or leave out --ray-address",
        ) from exc


def connect(address: str | None = None, *, num_cpus: int | None = None) -> bool:
    """Make sure this process is connected to Ray; return True when this call started it."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": True,
        "logging_level": "error",
    }
    if address is None:
        # "local": always a fresh private cluster, never one left behind by `ray start`
        kwargs.update(address="local", num_cpus=num_cpus)
        # Workers of a local cluster must import the same synthloop as the driver.
        path = os.environ.get("PYTHONPATH")
        if path:
            kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": path}}
    else:
        _check_reachable(address)
        kwargs["address"] = address
    try:
        ray.init(**kwargs)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
        raise ConfigError(
            f"cannot connect to {where}: {first}",
            hint="start one with `ray start --head`, or leave out --ray-address",
        ) from exc
    return True


class RayCluster:
    """One run's cluster: joined (or started) on first use by whoever needs it first — the
    LLM pool or the Ray Data work — and shut down at the end only if this run started it."""

    def __init__(self, address: str | None = None, *, num_cpus: int | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.started = False

    def connect(self) -> None:
        self.started = connect(self.address, num_cpus=self.num_cpus) or self.started

    def close(self) -> None:
        if self.started:
            import_ray().shutdown()
            self.started = False


@contextmanager
def ray_session(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[None]:
    """Connected for the ``with`` block; shut down afterwards only if we started it."""
    started = connect(address, num_cpus=num_cpus)
    try:
        yield
    finally:
        if started:
            import_ray().shutdown()
