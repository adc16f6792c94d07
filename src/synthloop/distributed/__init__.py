"""Beyond one machine: generation on a pool of Ray actors (``--runner ray``) and curation
and evaluation over sharded data with Ray Data. Ray is imported only when used."""

from synthloop.distributed.cluster import connect, ray_session
from synthloop.distributed.pool import ConfiguredBackend, RayLLMPool, backends_for, make_pool

__all__ = [
    "ConfiguredBackend",
    "RayLLMPool",
    "backends_for",
    "connect",
    "make_pool",
    "ray_session",
]
