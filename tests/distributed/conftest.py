"""One local Ray cluster for the tests that need one: starting Ray takes seconds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def worker_pythonpath() -> str:
    """Workers build the test backends themselves, so they must import tests/ and src/."""
    parts = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return os.pathsep.join(p for p in parts if p)


@pytest.fixture(scope="session")
def _worker_env() -> Iterator[None]:
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = worker_pythonpath()
    yield
    from synthloop.distributed.cluster import import_ray

    import_ray().shutdown()
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture
def local_ray(_worker_env: None) -> None:
    """A private 2-CPU cluster (``ray.init(num_cpus=2)``), kept across tests and modules."""
    from synthloop.distributed.cluster import connect, import_ray

    ray = import_ray()
    if ray.is_initialized() and ray.cluster_resources().get("CPU") != 2:
        ray.shutdown()  # connected to some other cluster
    connect(num_cpus=2)
