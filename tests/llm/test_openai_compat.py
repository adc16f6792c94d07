import json
import socket
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from synthloop.core.errors import LLMConnectionError, LLMResponseError
from synthloop.llm import Request
from synthloop.llm.openai_compat import OpenAICompatLLM

OK_BODY = {
    "choices": [
        {"message": {"role": "assistant", "content": "Nice food."}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3},
}


def client(handler: Callable[[httpx2.Request], httpx2.Response], **kw: Any) -> OpenAICompatLLM:
    return OpenAICompatLLM(
        "test-model",
        base_url="http://llm.test/v1",
        api_key="sk-test",
        transport=httpx2.MockTransport(handler),
        backoff=0.001,
        **kw,
    )


async def test_sends_an_openai_chat_request_and_reads_usage() -> None:
    seen: dict[str, Any] = {}

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers["authorization"]
        seen["body"] = json.loads(request.content)
        return httpx2.Response(200, json=OK_BODY)

    llm = client(handler)
    resp = await llm.complete(Request.chat("hi", seed=3, temperature=0.5, max_tokens=9))
    assert resp.text == "Nice food." and resp.prompt_tokens == 12 and resp.completion_tokens == 3
    assert seen["url"] == "http://llm.test/v1/chat/completions"
    assert seen["auth"] == "Bearer sk-test"
    assert seen["body"]["model"] == "test-model" and seen["body"]["seed"] == 3
    assert seen["body"]["messages"] == [{"role": "user", "content": "hi"}]


async def test_completion_mode_uses_the_completions_endpoint() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/completions"
        assert json.loads(request.content)["prompt"] == "Review:"
        return httpx2.Response(200, json={"choices": [{"text": " Great."}]})

    assert (await client(handler).complete(Request(prompt="Review:"))).text == " Great."


async def test_retries_429_and_500_then_succeeds() -> None:
    statuses = iter([429, 500, 200])

    def handler(request: httpx2.Request) -> httpx2.Response:
        status = next(statuses)
        if status == 200:
            return httpx2.Response(200, json=OK_BODY)
        return httpx2.Response(
            status, headers={"retry-after": "0"}, json={"error": {"message": "busy"}}
        )

    assert (await client(handler).complete(Request.chat("hi"))).text == "Nice food."


async def test_401_fails_at_once_with_the_servers_message() -> None:
    calls = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(1)
        return httpx2.Response(401, json={"error": {"message": "Invalid API key"}})

    with pytest.raises(LLMResponseError, match="401 Unauthorized: Invalid API key") as info:
        await client(handler).complete(Request.chat("hi"))
    assert len(calls) == 1 and not info.value.retryable
    assert "OPENAI_API_KEY" in info.value.one_line() and "wrong" in info.value.one_line()


async def test_malformed_body_is_retried_then_reported() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b'{"choices": [')

    with pytest.raises(LLMResponseError, match="not JSON"):
        await client(handler, max_retries=1).complete(Request.chat("hi"))


async def test_unreachable_server_is_a_connection_error() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = OpenAICompatLLM(
        "m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, unreachable_timeout=0
    )
    with pytest.raises(LLMConnectionError, match=r"cannot reach .*Connection refused"):
        await llm.complete(Request.chat("hi"))
    await llm.aclose()
