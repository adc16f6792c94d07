"""A persistent response cache, as a wrapper around any backend.

The key hashes what decides the answer: the backend's identity (backend, model, server)
and the full request (messages or prompt, sampling parameters, seed). Each answer is
committed the moment it arrives, so a run killed halfway pays again for nothing it
already got, and a second run of the same config makes zero LLM calls.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from synthloop.llm.base import LLM, Request, Response


def request_key(llm: LLM, request: Request) -> str:
    """Hash of what decides an answer: the backend's identity and the full request."""
    payload = json.dumps(
        {"llm": llm.identity(), "request": json.loads(request.canonical())}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Usage:
    """What a run cost: paid calls, cache hits and the tokens of each."""

    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
        }


class CachedLLM(LLM):
    backend = "cached"

    def __init__(self, inner: LLM, path: str | Path) -> None:
        self.inner = inner
        self.max_concurrency = inner.max_concurrency
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # Each answer is committed as it arrives, so a killed process (SIGKILL included)
        # pays again for nothing it was given. NORMAL skips the per-commit fsync that
        # FULL adds (~5 ms each, a cap of a few hundred answers/s); in WAL mode that
        # risks only the last commits on a power cut, never on a crash of the process.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            " key TEXT PRIMARY KEY, request TEXT NOT NULL, response TEXT NOT NULL,"
            " created REAL NOT NULL)"
        )
        self.usage = Usage()

    @property
    def model(self) -> str:
        return self.inner.model

    def identity(self) -> dict[str, str]:
        return self.inner.identity()

    def key(self, request: Request) -> str:
        return request_key(self.inner, request)

    def has(self, request: Request) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM responses WHERE key = ?", (self.key(request),)
        ).fetchone()
        return row is not None

    def lookup(self, request: Request) -> Response | None:
        """The cached answer to ``request``, if there is one (nothing is sent, or counted)."""
        row = self._db.execute(
            "SELECT response FROM responses WHERE key = ?", (self.key(request),)
        ).fetchone()
        return Response(**json.loads(row[0]), cached=True) if row is not None else None

    def close(self) -> None:
        """Close the cache file only (the inner backend was never started)."""
        self._db.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    async def complete(self, request: Request) -> Response:
        key = self.key(request)
        row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is not None:
            data = json.loads(row[0])
            self.usage.cache_hits += 1
            self.usage.cached_tokens += data["prompt_tokens"] + data["completion_tokens"]
            return Response(**data, cached=True)
        resp = await self.inner.complete(request)
        self.usage.calls += 1
        self.usage.prompt_tokens += resp.prompt_tokens
        self.usage.completion_tokens += resp.completion_tokens
        stored = {
            "text": resp.text,
            "prompt_tokens": resp.prompt_tokens,
            "completion_tokens": resp.completion_tokens,
            "finish_reason": resp.finish_reason,
        }
        self._db.execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
            (key, request.canonical(), json.dumps(stored), time.time()),
        )
        return resp

    async def aclose(self) -> None:
        self._db.close()
        await self.inner.aclose()
