"""A persistent response cache, as a wrapper around any backend.

The key hashes what decides the answer: the backend's identity (backend, model, server)
and the full request (messages or prompt, sampling parameters, seed). Each answer is
committed the moment it arrives, so a run killed halfway pays again for nothing it
already got, and a second run of the same config makes zero LLM calls.

Usage is counted twice over: :attr:`CachedLLM.usage` is what this process paid and what it
was served from the cache (or a journal); :meth:`CachedLLM.run_usage` is what every answer
the run used cost when it was paid for, by this process or an earlier one, so a run killed
and resumed, or rerun for free, still reports what it cost in all.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthloop.core.errors import ConfigError, LLMConnectionError
from synthloop.llm.base import LLM, Request, Response

if TYPE_CHECKING:
    from synthloop.llm.budget import Prices


def request_key(llm: LLM, request: Request) -> str:
    """Hash of what decides an answer: the backend's identity and the full request."""
    return _key(llm.identity(), request.canonical())


def _key(identity: dict[str, str], canonical: str) -> str:
    payload = json.dumps({"llm": identity, "request": json.loads(canonical)}, sort_keys=True)
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
        try:
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
        except sqlite3.Error as exc:  # a read-only folder, a file that is not a cache
            raise ConfigError(
                f"cannot use {self.path} as the response cache: {exc}",
                hint="is its folder writable? choose another output folder or cache file",
            ) from exc
        self.usage = Usage()
        self._reusable: int | None = None  # reusable()'s count, until an answer is added
        #: cache key -> (prompt, completion) tokens of every answer this process used
        self.answers: dict[str, tuple[int, int]] = {}

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

    def reusable(self) -> int:
        """How many saved answers are this backend's (same identity: backend, model,
        server): those a rerun can reuse. A shared cache also holds other models' answers,
        which ``len`` counts. The key hides the identity, so each stored request is keyed
        again with this one's; a full scan, for the error path only."""
        if self._reusable is None:  # once, not for each of the requests that fail together
            identity = self.inner.identity()
            rows = self._db.execute("SELECT key, request FROM responses")
            self._reusable = sum(1 for key, req in rows if _key(identity, req) == key)
        return self._reusable

    async def complete(self, request: Request) -> Response:
        key = self.key(request)
        row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is not None:
            resp = Response(**json.loads(row[0]), cached=True)
            self._hit(key, resp)
            return resp
        try:
            resp = await self.inner.complete(request)
        except LLMConnectionError as exc:  # the server is gone: say what is kept, and how on
            resume = "run the same command again once the server is up"
            if resume not in (exc.hint or ""):  # said once, however many calls fail
                n = self.reusable()
                kept = f"{resume} to " + (
                    f"resume from the {n} answers saved in {self.path}" if n else "start"
                )
                exc.hint = f"{kept}; {exc.hint}" if exc.hint else kept
            raise
        self.usage.calls += 1
        self.usage.prompt_tokens += resp.prompt_tokens
        self.usage.completion_tokens += resp.completion_tokens
        self.answers[key] = (resp.prompt_tokens, resp.completion_tokens)
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
        self._reusable = None
        return resp

    def _hit(self, key: str, resp: Response) -> None:
        self.usage.cache_hits += 1
        self.usage.cached_tokens += resp.prompt_tokens + resp.completion_tokens
        self.answers[key] = (resp.prompt_tokens, resp.completion_tokens)

    def replayed(self, request: Request, response: Response) -> None:
        self._hit(self.key(request), response)

    def run_usage(self, prices: Prices | None = None) -> dict[str, Any]:
        """The run's usage for metrics: ``calls`` and tokens of every distinct answer it
        used, each paid for once (now or by an earlier process), and ``this_invocation``,
        what this process paid and was served; ``cost`` in each when prices are known."""
        now: dict[str, Any] = self.usage.as_dict()
        total: dict[str, Any] = {
            "calls": len(self.answers),
            "prompt_tokens": sum(p for p, _ in self.answers.values()),
            "completion_tokens": sum(c for _, c in self.answers.values()),
        }
        if prices is not None:
            for part in (total, now):
                part["cost"] = round(
                    prices.cost(part["prompt_tokens"], part["completion_tokens"]), 6
                )
        return {**total, "this_invocation": now}

    async def aclose(self) -> None:
        self._db.close()
        await self.inner.aclose()
