"""The OpenAI client against a real socket that misbehaves: every fault kind, at rates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx2
import pytest

import synthloop
from synthloop.core.errors import LLMConnectionError, LLMResponseError
from synthloop.core.tasks import Task
from synthloop.generate.common import run_jobs
from synthloop.generate.zerogen import zerogen_jobs
from synthloop.llm import Budget, LLMConfig, Request
from synthloop.llm.openai_compat import OpenAICompatLLM
from synthloop.prompts import Prompter
from tests.llm.fault_server import KINDS, Faults, FaultServer


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def client(srv: FaultServer, **kw: object) -> OpenAICompatLLM:
    params: dict[str, object] = {
        "base_url": srv.base_url,
        "api_key": "sk-test",
        "timeout": 1.0,  # generous: a loaded test machine must not time out real answers
        "backoff": 0.005,
        "max_retries": 12,
        "max_concurrency": 16,
        "seed": 0,
    }
    params.update(kw)
    return OpenAICompatLLM("test-model", **params)  # type: ignore[arg-type]


async def test_500_requests_under_20_percent_faults_of_every_kind_all_arrive(
    server: FaultServer, task: Task
) -> None:
    server.faults = Faults(rate=0.2, seed=7, slow_seconds=2.0, retry_after=0.01)
    llm = client(server)
    jobs = zerogen_jobs(Prompter(task, LLMConfig(backend="openai", model="m")), 500, seed=0)
    gen = await run_jobs(llm, task, jobs, method="zerogen", show_progress=False)
    await llm.aclose()

    assert len(gen.records) == 500 and not gen.dropped
    assert sorted(r.id for r in gen.records) == [f"zerogen-r0-{i:05d}" for i in range(500)]
    # every kind was met, and each request was answered whole exactly once
    assert set(server.stats.faults) == set(KINDS)
    assert sum(server.stats.faults.values()) >= 60
    assert len(server.stats.answered) == 500
    assert set(server.stats.answered.values()) == {1}
    assert llm.retries == sum(server.stats.faults.values())


async def test_same_seed_meets_the_same_faults(task: Task) -> None:
    def run_once() -> dict[str, int]:
        with FaultServer(Faults(rate=0.5, seed=3, slow_seconds=2.0)) as srv:

            async def go() -> None:
                llm = client(srv)
                reqs = [Request.chat(f"write {i}", seed=i, max_tokens=8) for i in range(40)]
                await asyncio.gather(*(llm.complete(r) for r in reqs))
                await llm.aclose()

            asyncio.run(go())
            return dict(srv.stats.faults)

    first = await asyncio.to_thread(run_once)
    assert first == await asyncio.to_thread(run_once)


async def test_429_halves_concurrency_and_honours_retry_after(server: FaultServer) -> None:
    server.faults = Faults(rate=1.0, kinds=("429",), retry_after=0.2)
    llm = client(server, max_retries=0, max_concurrency=8)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(LLMResponseError, match="429"):
        await llm.complete(Request.chat("hi"))
    assert llm.limiter.current == 4  # halved once
    server.faults = Faults()  # the server recovers
    await llm.complete(Request.chat("hi"))  # must wait out the Retry-After first
    assert loop.time() - start >= 0.2
    for i in range(40):  # and concurrency grows back with successes
        await llm.complete(Request.chat(f"hi {i}"))
    assert llm.limiter.current == 8
    await llm.aclose()


async def test_401_fails_at_once_naming_the_key_variable(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.faults = Faults(status=401)
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    llm = OpenAICompatLLM("m", base_url=server.base_url, api_key_env="MY_LLM_KEY")
    with pytest.raises(LLMResponseError) as info:
        await llm.complete(Request.chat("hi"))
    await llm.aclose()
    line = info.value.one_line()
    assert "401" in line and "MY_LLM_KEY is not set" in line
    assert server.stats.requests == 1  # no retry


@pytest.mark.parametrize("status", [400, 404])
async def test_other_client_errors_fail_fast(server: FaultServer, status: int) -> None:
    server.faults = Faults(status=status)
    llm = client(server)
    with pytest.raises(LLMResponseError, match=str(status)) as info:
        await llm.complete(Request.chat("hi"))
    await llm.aclose()
    assert server.stats.requests == 1 and not info.value.retryable
    if status == 404:
        assert "llm.model" in info.value.one_line()


@pytest.mark.parametrize("kind", ["truncated", "malformed", "reset", "500", "slow"])
async def test_each_fault_alone_is_retried_then_reported(server: FaultServer, kind: str) -> None:
    server.faults = Faults(rate=1.0, kinds=(kind,), slow_seconds=1.5)
    llm = client(server, max_retries=2, timeout=0.5)
    with pytest.raises((LLMResponseError, LLMConnectionError)):
        await llm.complete(Request.chat("hi"))
    await llm.aclose()
    assert server.stats.requests == 3


# What servers answer a json_schema they do not take: llama.cpp's own server (``python -m
# llama_cpp.server``, 0.3.x) wraps its validation error as a 500, FastAPI servers say 422.
LLAMA_CPP_SERVER_500 = {
    "error": {
        "message": "1 validation error: {'type': 'literal_error', 'loc': ('body', "
        "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", "
        "'input': 'json_schema'}",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (500, LLAMA_CPP_SERVER_500),
        (422, {"detail": [{"loc": ["body", "response_format"], "msg": "bad json_schema"}]}),
    ],
)
async def test_a_json_schema_refused_with_500_or_422_falls_back_at_once(
    status: int, answer: dict[str, object]
) -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if "response_format" in body:
            return httpx2.Response(status, json=answer)
        return httpx2.Response(200, json={"choices": [{"message": {"content": "{}"}}]})

    llm = OpenAICompatLLM(
        "m", base_url="http://t/v1", api_key="k", backoff=0.001,
        transport=httpx2.MockTransport(handler),
    )  # fmt: skip
    req = Request.chat("hi").model_copy(update={"json_schema": '{"type": "object"}'})
    assert (await llm.complete(req)).text == "{}"
    # asked once with the schema, then without it: not retried as a transient 500
    assert ["response_format" in b for b in bodies] == [True, False]
    await llm.aclose()


async def test_structured_requests_send_a_json_schema_and_fall_back() -> None:
    bodies: list[dict[str, object]] = []
    ok = {"choices": [{"message": {"content": "{}"}}]}

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if "response_format" in body:
            return httpx2.Response(400, json={"error": {"message": "response_format unknown"}})
        return httpx2.Response(200, json=ok)

    llm = OpenAICompatLLM(
        "m", base_url="http://t/v1", api_key="k", transport=httpx2.MockTransport(handler)
    )
    req = Request.chat("hi").model_copy(update={"json_schema": '{"type": "object"}'})
    assert (await llm.complete(req)).text == "{}"
    first = bodies[0]["response_format"]
    assert isinstance(first, dict) and first["type"] == "json_schema"
    assert "response_format" not in bodies[1]
    await llm.aclose()


@pytest.mark.parametrize(
    ("max_concurrency", "budget"),
    [(1, None), (16, Budget(max_tokens=1000))],
    ids=["limiter-waits", "budget-waits"],
)
def test_one_llm_serves_one_asyncio_run_after_another(
    server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    max_concurrency: int,
    budget: Budget | None,
) -> None:
    # a script builds the LLM once and awaits each step in its own asyncio.run (as the
    # README's Python section does); the second run failed 'Event loop is closed' (the
    # client's pooled connections) or '... is bound to a different event loop' (the
    # concurrency limiter's or the budget's condition, once a request had waited on it:
    # here 3 at once past 1 slot, or past a budget that reserves 3 x 400 tokens of 1000)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = synthloop.LLMConfig(
        backend="openai", model="m", base_url=server.base_url, max_concurrency=max_concurrency
    )
    llm = synthloop.make_llm(config, budget=budget)

    async def three(run: int) -> list[str]:
        requests = [
            synthloop.Request(prompt=f"run {run}, review {i}", max_tokens=400) for i in range(3)
        ]
        return [r.text for r in await asyncio.gather(*(llm.complete(q) for q in requests))]

    for run in range(3):
        texts = asyncio.run(three(run))
        assert len(texts) == 3 and all("Review" in t for t in texts)
