"""One Ray cluster per test module: starting Ray takes seconds, so tests share it."""

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


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    from synthloop.distributed.cluster import import_ray, ray_session

    ray = import_ray()
    if ray.is_initialized():
        ray.shutdown()
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = worker_pythonpath()
    try:
        with ray_session(num_cpus=2):
            yield
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
