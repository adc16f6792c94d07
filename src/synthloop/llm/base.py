"""The one LLM interface every backend implements, and the request/response types."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)
    role: Literal["system", "user", "assistant"]
    content: str


class Request(BaseModel):
    """One generation call: chat ``messages`` or a plain completion ``prompt``."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[Message, ...] | None = None
    prompt: str | None = None
    temperature: float = Field(default=0.8, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=128, gt=0)
    seed: int | None = None
    stop: tuple[str, ...] = ()
    #: structured output: a JSON schema (as JSON text) the answer must follow
    json_schema: str | None = None

    @model_validator(mode="after")
    def _exactly_one_input(self) -> Request:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("a request has either messages (chat) or a prompt (completion)")
        return self

    @classmethod
    def chat(cls, user: str, *, system: str | None = None, **params: Any) -> Request:
        msgs = [Message(role="system", content=system)] if system else []
        msgs.append(Message(role="user", content=user))
        return cls(messages=tuple(msgs), **params)

    @property
    def mode(self) -> Literal["chat", "completion"]:
        return "chat" if self.messages is not None else "completion"

    @property
    def text(self) -> str:
        """All the text sent: the messages joined, or the prompt."""
        if self.messages is not None:
            return "\n".join(m.content for m in self.messages)
        return self.prompt or ""

    def canonical(self) -> str:
        data = self.model_dump(mode="json")
        if data["json_schema"] is None:  # keeps the keys of plain requests as they were
            del data["json_schema"]
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def digest(self) -> str:
        """Short, stable hash of exactly what is sent: the record's ``prompt_hash``."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Response:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    cached: bool = False

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LLM(ABC):
    """An async language model. Backends implement :meth:`complete` for one request;
    :func:`synthloop.llm.batch.complete_many` runs many with bounded concurrency."""

    backend: str = "abstract"
    #: how many requests may be in flight at once (the embedded engine decodes one at a time)
    max_concurrency: int = 1

    @property
    @abstractmethod
    def model(self) -> str:
        """A model identifier that changes whenever the weights would answer differently."""

    @abstractmethod
    async def complete(self, request: Request) -> Response: ...

    def identity(self) -> dict[str, str]:
        return {"backend": self.backend, "model": self.model}

    def replayed(self, request: Request, response: Response) -> None:  # noqa: B027
        """``response`` to ``request`` was served from a generation journal without asking
        this LLM: wrappers that count usage count it as a cache hit."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections or memory."""
