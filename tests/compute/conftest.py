"""The Ray fixtures of tests/distributed, for the Ray Data tests here."""

from tests.distributed.conftest import _worker_env, local_ray

__all__ = ["_worker_env", "local_ray"]
