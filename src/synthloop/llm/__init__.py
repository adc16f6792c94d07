"""LLM backends behind one async interface, plus the cache wrapper and a factory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synthloop.llm.base import LLM, Message, Request, Response
from synthloop.llm.batch import complete_many
from synthloop.llm.cache import CachedLLM, Usage

__all__ = [
    "LLM",
    "CachedLLM",
    "LLMConfig",
    "Message",
    "Request",
    "Response",
    "Usage",
    "complete_many",
    "make_llm",
]


class LLMConfig(BaseModel):
    """Which LLM to use. With nothing set: the embedded SmolLM2-135M-Instruct."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["embedded", "openai"] = "embedded"
    model: str | None = Field(
        default=None,
        description="embedded: a GGUF path (default: the packaged SmolLM2); openai: a name",
    )
    mode: Literal["chat", "completion"] = Field(
        default="chat", description="chat for instruct models, completion for base models"
    )
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    max_concurrency: int = Field(default=8, gt=0)
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    n_ctx: int = Field(default=2048, gt=0)
    n_threads: int | None = Field(default=None, gt=0)
    temperature: float = Field(default=0.9, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=96, gt=0)


def make_llm(
    config: LLMConfig, cache_path: str | Path | None = None, *, backend: LLM | None = None
) -> LLM:
    """Build the configured backend, wrapped in the response cache when a path is given.
    ``backend`` replaces the built one (e.g. a pool of Ray workers); the wrappers stay."""
    llm: LLM
    if backend is not None:
        llm = backend
    elif config.backend == "embedded":
        from synthloop.llm.embedded import EmbeddedLLM

        llm = EmbeddedLLM(config.model, n_ctx=config.n_ctx, n_threads=config.n_threads)
    else:
        from synthloop.errors import ConfigError
        from synthloop.llm.openai_compat import OpenAICompatLLM

        if not config.model:
            raise ConfigError("llm.model is required for the openai backend (e.g. gpt-4o-mini)")
        llm = OpenAICompatLLM(
            config.model,
            base_url=config.base_url,
            api_key_env=config.api_key_env,
            max_concurrency=config.max_concurrency,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )
    return CachedLLM(llm, cache_path) if cache_path is not None else llm
