"""Any OpenAI-compatible server: vLLM, Ollama, llama.cpp server, TGI, OpenAI itself.

The base URL and key come from the config or the environment (``SYNTHLOOP_BASE_URL`` /
``OPENAI_BASE_URL``, and the variable named by ``api_key_env``, ``OPENAI_API_KEY`` by
default). Transient failures (connection errors, timeouts, 429, 5xx) are retried with
jittered exponential backoff that honours ``Retry-After``; other 4xx fail at once.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import httpx

from synthloop.errors import LLMConnectionError, LLMResponseError
from synthloop.llm.base import LLM, Request, Response

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        err = body.get("error", body) if isinstance(body, dict) else body
        msg = err.get("message") if isinstance(err, dict) else str(err)
    except ValueError:
        msg = resp.text
    return " ".join(str(msg or resp.reason_phrase).split())[:300]


class OpenAICompatLLM(LLM):
    backend = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        max_concurrency: int = 8,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self.base_url = (
            base_url
            or os.environ.get("SYNTHLOOP_BASE_URL")
            or os.environ.get("OPENAI_BASE_URL")
            or "https://api.openai.com/v1"
        ).rstrip("/")
        key = api_key if api_key is not None else os.environ.get(api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.backoff = backoff
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=max_concurrency),
        )

    @property
    def model(self) -> str:
        return self._model

    def identity(self) -> dict[str, str]:
        return {"backend": self.backend, "model": self._model, "base_url": self.base_url}

    def _payload(self, req: Request) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "model": self._model,
            "temperature": req.temperature,
            "top_p": req.top_p,
            "max_tokens": req.max_tokens,
        }
        if req.seed is not None:
            body["seed"] = req.seed
        if req.stop:
            body["stop"] = list(req.stop)
        if req.mode == "chat":
            assert req.messages is not None
            body["messages"] = [m.model_dump() for m in req.messages]
            return "/chat/completions", body
        body["prompt"] = req.prompt
        return "/completions", body

    @staticmethod
    def _parse(data: Any, chat: bool) -> Response:
        try:
            choice = data["choices"][0]
            text = (choice["message"].get("content") if chat else choice["text"]) or ""
            usage = data.get("usage") or {}
            return Response(
                text=text,
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
                finish_reason=choice.get("finish_reason"),
            )
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise LLMResponseError(
                "the server's answer is not an OpenAI completion", retryable=True
            ) from exc

    async def complete(self, request: Request) -> Response:
        path, body = self._payload(request)
        last: Exception | None = None
        for attempt in range(self.max_retries + 1):
            wait = self.backoff * (2**attempt) * (0.5 + random.random())
            try:
                resp = await self._client.post(path, json=body)
                if resp.status_code == 200:
                    try:
                        return self._parse(resp.json(), request.mode == "chat")
                    except ValueError as exc:  # a truncated or non-JSON body
                        raise LLMResponseError(
                            "the server sent a body that is not JSON", retryable=True
                        ) from exc
                detail = _error_detail(resp)
                if resp.status_code not in RETRYABLE_STATUS:
                    raise LLMResponseError(
                        f"{self.base_url}{path} answered {resp.status_code}: {detail}",
                        hint="check the model name, the API key and the base URL",
                    )
                last = LLMResponseError(
                    f"{self.base_url}{path} answered {resp.status_code}: {detail}",
                    retryable=True,
                )
                wait = max(wait, _retry_after(resp) or 0.0)
            except httpx.TimeoutException as exc:
                last = LLMConnectionError(f"{self.base_url} timed out")
                last.__cause__ = exc
            except httpx.TransportError as exc:
                last = LLMConnectionError(
                    f"cannot reach {self.base_url}: {exc or type(exc).__name__}",
                    hint="is the server running? set llm.base_url or SYNTHLOOP_BASE_URL",
                )
                last.__cause__ = exc
            except LLMResponseError as exc:
                if not exc.retryable:
                    raise
                last = exc
            if attempt < self.max_retries:
                await asyncio.sleep(wait)
        assert last is not None
        raise last

    async def aclose(self) -> None:
        await self._client.aclose()
