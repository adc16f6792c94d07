"""LLM backends behind one async interface, the cache and budget wrappers, and a factory.

Wrappers compose around any backend: ``CachedLLM(BudgetedLLM(backend))`` - the budget sits
inside the cache so answers from the cache cost nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from synthloop.llm.base import LLM, Message, Request, Response
from synthloop.llm.batch import complete_many
from synthloop.llm.budget import Budget, BudgetedLLM, Prices
from synthloop.llm.cache import CachedLLM, Usage

__all__ = [
    "LLM",
    "Budget",
    "BudgetedLLM",
    "CachedLLM",
    "LLMConfig",
    "Message",
    "Prices",
    "Request",
    "Response",
    "Usage",
    "complete_many",
    "make_llm",
    "prices_of",
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

    server_identity: str | None = Field(
        default=None,
        description="openai: what the server runs, named by you (e.g. 'vllm 0.6.3 "
        "Llama-3.1-8B-Instruct@0e9e39f'); keys the cache in place of base_url, so replicas "
        "and a moved server share one cache. Change it when the served model changes.",
    )
    api_key_env: str = "OPENAI_API_KEY"
    max_concurrency: int = Field(
        default=16, gt=0, description="requests in flight (embedded: sequences per batch)"
    )
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(
        default=6, ge=0, description="openai: retries of a request after a transient failure"
    )
    unreachable_timeout: float = Field(
        default=600.0,
        ge=0,
        description="openai: seconds to keep retrying a server that cannot be reached "
        "(restarts, redeploys) before giving up",
    )
    n_ctx: int = Field(default=2048, gt=0, description="embedded: context per sequence")
    n_threads: int | None = Field(default=None, gt=0)
    weights: Literal["auto", "original", "bf16", "f16", "q8_0", "q4_0", "iq4_nl"] = Field(
        default="auto",
        description="embedded: weight type decoded (auto: converted once to one that "
        "batches well when max_concurrency > 1, else the file as shipped)",
    )
    flash_attn: bool | None = Field(
        default=None,
        description="embedded: llama.cpp's fused attention (default: on when "
        "max_concurrency > 1). Faster batches, but an answer may then depend on the requests "
        "decoded beside it, so answers asked after a resume can differ from an uninterrupted "
        "run's; off is not shown to make batched answers independent of the batch",
    )
    price_prompt: float | None = Field(
        default=None, ge=0, description="price per million prompt tokens (for --max-cost)"
    )
    price_completion: float | None = Field(
        default=None, ge=0, description="price per million completion tokens"
    )
    temperature: float = Field(default=0.9, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=96, gt=0)

    @field_validator("base_url")
    @classmethod
    def _an_http_url(cls, url: str | None) -> str | None:
        from synthloop.llm.openai_compat import url_problem

        problem = url and url_problem(url)
        if problem:
            raise ValueError(problem)
        return url


def prices_of(config: LLMConfig) -> Prices | None:
    if config.price_prompt is None and config.price_completion is None:
        return None
    return Prices(prompt=config.price_prompt or 0.0, completion=config.price_completion or 0.0)


def make_llm(
    config: LLMConfig,
    cache_path: str | Path | None = None,
    budget: Budget | None = None,
    *,
    backend: LLM | None = None,
) -> LLM:
    """Build the configured backend, inside the budget when one is given, inside the
    response cache when a path is given. ``backend`` replaces the built one (e.g. a pool
    of Ray workers); the wrappers stay."""
    llm: LLM
    if backend is not None:
        llm = backend
    elif config.backend == "embedded":
        from synthloop.llm.embedded import EmbeddedLLM

        llm = EmbeddedLLM(
            config.model,
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
            max_concurrency=config.max_concurrency,
            weights=config.weights,
            flash_attn=config.flash_attn,
        )
    else:
        from synthloop.core.errors import ConfigError
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
            server_identity=config.server_identity,
            unreachable_timeout=config.unreachable_timeout,
        )
    if budget is not None and not budget.unlimited:
        llm = BudgetedLLM(llm, budget, prices_of(config))
    return CachedLLM(llm, cache_path) if cache_path is not None else llm
