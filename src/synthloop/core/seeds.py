"""Deterministic per-call seeds: the same run seed gives the same requests, hence cache hits."""

from __future__ import annotations

import hashlib


def derive_seed(seed: int, *parts: object) -> int:
    payload = ":".join(str(p) for p in (seed, *parts)).encode()
    return int.from_bytes(hashlib.sha256(payload).digest()[:4], "big") & 0x7FFFFFFF
