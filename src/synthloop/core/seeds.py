"""Deterministic per-call seeds: the same run seed gives the same requests, hence cache hits."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError


def _not_a_bool(value: object) -> object:
    if isinstance(value, bool):  # YAML's true is a bool, which a lax int would take as 1
        raise PydanticCustomError("int_type", "Input should be a valid integer, not true or false")
    return value


#: a run's seed: numpy's range (-1 was an internal error), and not true/false
RunSeed = Annotated[int, Field(ge=0, lt=2**32), BeforeValidator(_not_a_bool)]


def derive_seed(seed: int, *parts: object) -> int:
    payload = ":".join(str(p) for p in (seed, *parts)).encode()
    return int.from_bytes(hashlib.sha256(payload).digest()[:4], "big") & 0x7FFFFFFF
