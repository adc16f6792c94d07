"""Any OpenAI-compatible server: vLLM, Ollama, llama.cpp server, TGI, OpenAI itself.

The base URL and key come from the config or the environment (``SYNTHLOOP_BASE_URL`` /
``OPENAI_BASE_URL``, and the variable named by ``api_key_env``, ``OPENAI_API_KEY`` by
default). One pooled async HTTP client serves every request: httpx2, the successor of
httpx by the same author (the OpenAI SDK's client), which spends about a third of httpx's
CPU per request (bench/results/client_overhead.md). How many are in flight
adapts to the server (:class:`~synthloop.llm.concurrency.AdaptiveLimiter`: halve on 429/503,
pause for ``Retry-After``, grow back after successes), bounded by ``max_concurrency``.

Transient failures (timeouts, connections dropped mid-answer, 408/409/425/429/5xx,
truncated or malformed bodies) are retried with jittered exponential backoff, up to
``max_retries`` times; answers that cannot change on a retry (400, 401, 403, 404, 422...)
fail at once with a one-line message. A server that cannot be reached at all (connection
refused, connect timeout) is waited for, with a visible line per wait, for up to
``unreachable_timeout`` seconds however many attempts that takes (see ``reconnect.py``).
Structured output asks for ``response_format: json_schema``; a server that rejects the
field is asked again without it, and the caller validates (see ``structured.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2

from synthloop.core.errors import ConfigError, LLMConnectionError, LLMError, LLMResponseError, warn
from synthloop.llm.base import LLM, Request, Response
from synthloop.llm.concurrency import AdaptiveLimiter, PerLoop
from synthloop.llm.reconnect import Outage

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
OVERLOAD_STATUS = frozenset({429, 503})
MAX_BACKOFF = 30.0


def retry_after(resp: httpx2.Response) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms`` or ``Retry-After``)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = resp.headers.get(name)
        if value is None:
            continue
        try:
            return min(max(0.0, float(value) * scale), 300.0)
        except ValueError:
            continue  # an HTTP date: rare from LLM servers; fall back to our own backoff
    return None


def error_detail(resp: httpx2.Response) -> str:
    try:
        body = resp.json()
        err = body.get("error", body) if isinstance(body, dict) else body
        # OpenAI-style {"error": {"message"}}, or FastAPI's own {"detail": ...} (e.g. a 422)
        msg = (err.get("message") or err.get("detail")) if isinstance(err, dict) else str(err)
    except ValueError:
        msg = resp.text
    return " ".join(str(msg or resp.reason_phrase).split())[:300]


def _rejects_schema(status: int, detail: str) -> bool:
    """Whether an error answer refuses ``response_format: json_schema`` itself. Servers say
    so in different ways: vLLM and OpenAI answer 400, FastAPI-based ones 422, and llama.cpp's
    ``python -m llama_cpp.server`` 500 (its request validation error wrapped as an internal
    error), which retrying would only repeat, the request unchanged."""
    text = detail.lower()
    if status in (400, 422):
        return any(w in text for w in ("response_format", "json_schema", "schema"))
    return status >= 500 and ("response_format" in text or "json_schema" in text)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a server's base URL (None when it can): caught when the config
    is read, not as a connection failure whose hint says to wait for the server."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{url!r} is not an http(s) URL such as http://localhost:8000/v1"
    return None


def resolve_base_url(base_url: str | None) -> str:
    """The server a client for ``base_url`` talks to (the environment's, or OpenAI's)."""
    for source, url in (
        ("llm.base_url", base_url),
        ("SYNTHLOOP_BASE_URL", os.environ.get("SYNTHLOOP_BASE_URL")),
        ("OPENAI_BASE_URL", os.environ.get("OPENAI_BASE_URL")),
    ):
        if url:
            problem = url_problem(url)
            if problem:
                raise ConfigError(f"{source}: {problem}")
            return url.rstrip("/")
    return "https://api.openai.com/v1"


def openai_identity(model: str, base_url: str, server_identity: str | None) -> dict[str, str]:
    """What an answer depends on, for cache keys: the model name, and what the server runs
    as the user declared it (``llm.server_identity``) or else its URL. A declared identity
    makes the key independent of where the server lives, so replicas, a moved server and
    Ray runs over several endpoints share one cache."""
    if server_identity is not None:
        return {"backend": "openai", "model": model, "server": server_identity}
    return {"backend": "openai", "model": model, "base_url": base_url}


class _Retry(Exception):
    """One failed attempt that may succeed if tried again."""

    def __init__(self, error: Exception, wait: float | None = None, overload: bool = False):
        super().__init__(str(error))
        self.error = error
        self.wait = wait
        self.overload = overload


class _Unreachable(Exception):
    """No connection could be made: the server is down, not the request at fault."""

    def __init__(self, error: LLMConnectionError):
        super().__init__(error.message)
        self.error = error


def _reason(exc: BaseException) -> str:
    """The most telling words for a failed connection ('Connection refused', not httpx's
    'All connection attempts failed')."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno or seen.strerror):
            # asyncio's own wording ("Connect call failed ('127.0.0.1', 9)") says less
            # than the errno's; name lookups carry negative errnos and good wording
            errno = seen.errno or 0
            return os.strerror(errno) if errno > 0 else str(seen.strerror)
        seen = seen.__cause__ or seen.__context__
    return str(exc) or type(exc).__name__


def check_reachable(base_url: str | None, *, timeout: float = 10.0) -> None:
    """Raise at once when no server answers at ``base_url`` (else the environment's, or
    OpenAI's). For a command whose first request comes after long work (evaluate's judge):
    riding out the outage there (``unreachable_timeout``) only fails later, the work lost.
    Any HTTP answer, an error status too, means a server is there."""
    url = resolve_base_url(base_url)
    try:
        httpx2.get(f"{url}/models", timeout=timeout)
    except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
        raise LLMConnectionError(
            f"cannot reach {url} ({_reason(exc)})",
            hint="is the server running? set llm.base_url or SYNTHLOOP_BASE_URL",
        ) from exc
    except httpx2.TransportError:
        pass  # it connected: a slow or odd answer is for the requests' own retries


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
        max_retries: int = 6,
        backoff: float = 0.5,
        transport: httpx2.AsyncBaseTransport | None = None,
        seed: int | None = None,
        server_identity: str | None = None,
        unreachable_timeout: float = 600.0,
        notify: Callable[[str], None] = warn,
    ) -> None:
        self._model = model
        self.base_url = resolve_base_url(base_url)
        self.server_identity = server_identity
        self.api_key_env = api_key_env
        key = api_key if api_key is not None else os.environ.get(api_key_env)
        self._has_key = bool(key)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.backoff = backoff
        self.limiter = AdaptiveLimiter(max_concurrency)
        self.retries = 0  # attempts that failed and were tried again, for reports
        self.outage = Outage(unreachable_timeout, notify=notify)
        self._rng = random.Random(seed)
        self._schema_supported = True

        def new_client() -> httpx2.AsyncClient:
            return httpx2.AsyncClient(
                base_url=self.base_url,
                headers=headers,
                timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
                transport=transport,
                limits=httpx2.Limits(
                    max_connections=max_concurrency, max_keepalive_connections=max_concurrency
                ),
            )

        # one client per event loop: a client used from a second ``asyncio.run`` (a
        # script's generate, then extrapolate) failed with 'Event loop is closed'
        self._client = PerLoop(new_client, first=new_client())

    @property
    def model(self) -> str:
        return self._model

    def identity(self) -> dict[str, str]:
        return openai_identity(self._model, self.base_url, self.server_identity)

    def payload(self, req: Request) -> tuple[str, dict[str, Any]]:
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
        if req.json_schema is not None and self._schema_supported:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": json.loads(req.json_schema)},
            }
        if req.mode == "chat":
            assert req.messages is not None
            body["messages"] = [m.model_dump() for m in req.messages]
            return "/chat/completions", body
        body["prompt"] = req.prompt
        return "/completions", body

    @staticmethod
    def parse(data: Any, chat: bool) -> Response:
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
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise LLMResponseError(
                "the server's answer is not an OpenAI completion", retryable=True
            ) from exc

    def _fatal(self, status: int, url: str, detail: str) -> LLMResponseError:
        if status == 401:
            key = (
                f"the key in {self.api_key_env} is wrong"
                if self._has_key
                else f"no key: {self.api_key_env} is not set"
            )
            return LLMResponseError(
                f"{url} answered 401 Unauthorized: {detail}",
                hint=f"{key}; set {self.api_key_env} (or llm.api_key_env) to a valid key",
            )
        if status == 403:
            hint = f"the key in {self.api_key_env} may lack access to model {self._model!r}"
        elif status == 404:
            hint = f"check llm.model ({self._model!r}) and llm.base_url ({self.base_url})"
        else:
            hint = "the request was refused as sent; check llm.model and the parameters"
        return LLMResponseError(f"{url} answered {status}: {detail}", hint=hint)

    async def _attempt(self, request: Request) -> Response:
        path, body = self.payload(request)
        url = f"{self.base_url}{path}"
        try:
            resp = await self._client.get().post(path, json=body)
            content = await resp.aread()
        except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
            raise _Unreachable(LLMConnectionError(_reason(exc))) from exc
        except httpx2.TimeoutException as exc:
            raise _Retry(LLMConnectionError(f"{self.base_url} timed out")) from exc
        except httpx2.TransportError as exc:  # refused, reset, or a body cut short
            error: LLMError = LLMConnectionError(
                f"cannot reach {self.base_url}: {exc or type(exc).__name__}",
                hint="is the server running? set llm.base_url or SYNTHLOOP_BASE_URL",
            )
            raise _Retry(error) from exc
        status = resp.status_code
        if status == 200:
            try:
                return self.parse(json.loads(content), request.mode == "chat")
            except ValueError as exc:  # a truncated or non-JSON body
                raise _Retry(
                    LLMResponseError("the server sent a body that is not JSON", retryable=True)
                ) from exc
            except LLMResponseError as exc:
                raise _Retry(exc) from exc
        detail = error_detail(resp)
        if "response_format" in body and _rejects_schema(status, detail):
            self._schema_supported = False  # the caller still validates and re-asks
            raise _Retry(LLMResponseError(f"{url} does not support json_schema"), 0.0)
        if status in RETRYABLE_STATUS or status >= 500:
            error = LLMResponseError(f"{url} answered {status}: {detail}", retryable=True)
            raise _Retry(error, retry_after(resp), overload=status in OVERLOAD_STATUS)
        raise self._fatal(status, url, detail)

    async def complete(self, request: Request) -> Response:
        last: Exception | None = None
        attempt = 0
        while True:
            down: LLMConnectionError | None = None
            epoch = await self.limiter.acquire()
            try:
                resp = await self._attempt(request)
            except _Unreachable as exc:  # not one of this request's retries: wait it out
                down = exc.error
            except _Retry as retry:
                last = retry.error
                if retry.overload:
                    self.limiter.overloaded(epoch, retry.wait)
                if attempt == self.max_retries:
                    break
                # Full jitter, floored by what the server asked for.
                cap = min(MAX_BACKOFF, self.backoff * 2**attempt)
                wait = max(self._rng.uniform(0, cap), retry.wait or 0.0)
                attempt += 1
                self.retries += 1
            else:
                self.limiter.succeeded()
                self.outage.reached()
                return resp
            finally:
                await self.limiter.release()
            if down is not None:
                await self.outage.wait(down, self.base_url)
            else:
                await asyncio.sleep(wait)
        assert last is not None
        raise last

    async def aclose(self) -> None:
        if self._client.value is not None:
            await self._client.value.aclose()
