"""Deterministic backends that Ray workers can build for themselves (picklable recipes)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from synthloop.core.errors import LLMResponseError, ModelLoadError
from synthloop.llm import LLM, Request, Response
from tests.conftest import scripted_answer


class ScriptedBackend(LLM):
    """The conftest FakeLLM's answers, optionally slow, logging each answer it gives to a
    journal file shared by every worker process (one line per request answered)."""

    backend = "fake"
    max_concurrency = 1

    def __init__(self, delay: float = 0.0, journal: str | None = None) -> None:
        self.delay = delay
        self.journal = journal

    @property
    def model(self) -> str:
        return "fake-1"  # the same identity as the local FakeLLM, hence the same cache keys

    async def complete(self, request: Request) -> Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        text = scripted_answer(request)
        if self.journal:
            with open(self.journal, "a", encoding="utf-8") as fh:
                fh.write(f"{request.digest()} {os.getpid()}\n")
        return Response(text=text, prompt_tokens=10, completion_tokens=len(text.split()))


@dataclass(frozen=True)
class Scripted:
    delay: float = 0.0
    journal: str | None = None

    def __call__(self) -> LLM:
        return ScriptedBackend(self.delay, self.journal)


class RefusingBackend(ScriptedBackend):
    async def complete(self, request: Request) -> Response:
        raise LLMResponseError("the server answered 401: bad key", hint="check the API key")


@dataclass(frozen=True)
class Refusing:
    def __call__(self) -> LLM:
        return RefusingBackend()


def journal_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [ln.split()[0] for ln in path.read_text(encoding="utf-8").splitlines() if ln]


@dataclass(frozen=True)
class Unloadable:
    """A backend whose model cannot be loaded, as a worker finds out when it starts."""

    def __call__(self) -> LLM:
        raise ModelLoadError("model file not found: /models/missing.gguf")
