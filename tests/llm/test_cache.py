from pathlib import Path
from typing import Any

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task
from synthloop.llm import CachedLLM, Prices, Request, Response, complete_many
from tests.conftest import FakeLLM


def requests(n: int, **params: Any) -> list[Request]:
    return [Request.chat(f"write example {i}", seed=i, **params) for i in range(n)]


async def test_second_run_makes_zero_calls(tmp_path: Path) -> None:
    first = FakeLLM()
    cache = CachedLLM(first, tmp_path / "c.sqlite")
    answers = await complete_many(cache, requests(5))
    await cache.aclose()
    assert first.calls == 5 and cache.usage.calls == 5

    second = FakeLLM()
    cache = CachedLLM(second, tmp_path / "c.sqlite")  # a new process, same file
    again = await complete_many(cache, requests(5))
    assert second.calls == 0 and cache.usage.cache_hits == 5
    assert [a.text for a in again] == [a.text for a in answers]
    assert all(a.cached for a in again)


async def test_key_covers_prompt_parameters_and_model(tmp_path: Path) -> None:
    inner = FakeLLM()
    cache = CachedLLM(inner, tmp_path / "c.sqlite")
    base = Request.chat("hello", seed=1)
    variants = [
        base,
        Request.chat("hello!", seed=1),
        Request.chat("hello", seed=2),
        Request.chat("hello", seed=1, temperature=0.1),
        Request.chat("hello", seed=1, max_tokens=7),
        Request(prompt="hello", seed=1),
    ]
    for req in variants:
        await cache.complete(req)
    assert inner.calls == len(variants)

    class OtherModel(FakeLLM):
        @property
        def model(self) -> str:
            return "fake-2"

    other = OtherModel()
    await CachedLLM(other, tmp_path / "c.sqlite").complete(base)
    assert other.calls == 1


async def test_a_run_killed_halfway_resumes_without_paying_twice(tmp_path: Path) -> None:
    crashing = FakeLLM(fail_after=3)
    cache = CachedLLM(crashing, tmp_path / "c.sqlite")
    with pytest.raises(RuntimeError, match="simulated crash"):
        await complete_many(cache, requests(8))
    await cache.aclose()
    assert crashing.calls == 3

    resumed = FakeLLM()
    cache = CachedLLM(resumed, tmp_path / "c.sqlite")
    out = await complete_many(cache, requests(8))
    assert len(out) == 8
    assert resumed.calls == 5 and cache.usage.cache_hits == 3


async def test_an_edited_template_is_not_served_a_stale_answer(tmp_path: Path, task: Task) -> None:
    from synthloop.llm import LLMConfig
    from synthloop.prompts import Prompter

    def ask(prompter: Prompter) -> Request:
        return prompter.request(
            "zerogen", seed=1, label="positive", label_description=task.labels["positive"]
        )

    shipped = Prompter(task, LLMConfig())
    folder = tmp_path / "templates"
    folder.mkdir()
    source = shipped.env.loader.get_source(shipped.env, "zerogen.chat.j2")[0]  # type: ignore[union-attr]
    (folder / "zerogen.chat.j2").write_text(source + " Keep it short.")
    edited = Prompter(task, LLMConfig(), folder)

    inner = FakeLLM()
    cache = CachedLLM(inner, tmp_path / "c.sqlite")
    await cache.complete(ask(shipped))
    await cache.complete(ask(edited))
    await cache.complete(ask(shipped))
    assert inner.calls == 2 and cache.usage.cache_hits == 1


def test_embedded_identity_covers_weights_batching_and_attention_kernel() -> None:
    from synthloop.llm.embedded import EmbeddedLLM

    single = EmbeddedLLM(max_concurrency=1)  # nothing is loaded until the first call
    batched = EmbeddedLLM(max_concurrency=8)
    other = EmbeddedLLM(max_concurrency=8, weights="q4_0")
    unfused = EmbeddedLLM(max_concurrency=8, flash_attn=False)
    models = {single.model, batched.model, other.model, unfused.model}
    assert len(models) == 4
    # the single-sequence engine computes what the old backend did: same key as before
    assert single.model == f"{single.model_path.name}:{single.model_path.stat().st_size}"
    assert batched.weights in batched.model and "batch8" in batched.model


def test_a_declared_server_identity_keys_the_cache_in_place_of_the_url(tmp_path: Path) -> None:
    from synthloop.llm import LLMConfig, make_llm

    def key(model: str = "m", **config: str) -> str:
        llm = make_llm(LLMConfig(backend="openai", model=model, **config), tmp_path / "c.sqlite")
        assert isinstance(llm, CachedLLM)
        llm.close()
        return llm.key(Request.chat("hi", seed=1))

    declared = "vllm 0.6 Llama-3.1-8B@0e9e39f"
    # where a declared server lives does not change what it answers
    assert key(base_url="http://a:8000/v1", server_identity=declared) == key(
        base_url="http://b:9000/v1", server_identity=declared
    )
    # what it runs, and the model name, do
    assert key(base_url="http://a:8000/v1", server_identity=declared) != key(
        base_url="http://a:8000/v1", server_identity=declared + "-awq"
    )
    assert key(base_url="http://a:8000/v1", server_identity=declared) != key(
        base_url="http://a:8000/v1", server_identity=declared, model="m2"
    )
    # undeclared, the URL stands for the server (as before: old caches stay valid)
    assert key(base_url="http://a:8000/v1") != key(base_url="http://b:9000/v1")


async def test_run_usage_adds_up_every_invocation_of_a_run(tmp_path: Path) -> None:
    """Killed after 3 of 5, resumed (2 paid), rerun for free: each reports 5 calls in all."""
    first = CachedLLM(FakeLLM(fail_after=3), tmp_path / "c.sqlite")
    with pytest.raises(RuntimeError):
        await complete_many(first, requests(5))
    await first.aclose()
    resumed = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    await complete_many(resumed, requests(5))
    await resumed.aclose()
    free = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    await complete_many(free, requests(5))
    for cache, paid_now in ((resumed, 2), (free, 0)):
        usage = cache.run_usage(Prices(prompt=1e6, completion=0))
        assert usage["calls"] == 5 and usage["prompt_tokens"] == 50 and usage["cost"] == 50
        now = usage["this_invocation"]
        assert now["calls"] == paid_now and now["cache_hits"] == 5 - paid_now
        assert now["cost"] == 10 * paid_now


async def test_an_answer_replayed_from_a_journal_is_a_cache_hit(tmp_path: Path) -> None:
    cache = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    req = requests(1)[0]
    cache.replayed(req, Response(text="from the journal", prompt_tokens=7, completion_tokens=3))
    assert cache.usage.cache_hits == 1 and cache.usage.calls == 0
    assert cache.run_usage()["calls"] == 1 and cache.run_usage()["completion_tokens"] == 3


@pytest.mark.parametrize("problem", ["cannot be opened", "not a database"])
def test_a_cache_that_cannot_be_used_is_one_clear_error(tmp_path: Path, problem: str) -> None:
    """(A read-only folder fails as a folder in the cache's place does: sqlite cannot open
    the file; tests run as root here, which chmod cannot stop.)"""
    path = tmp_path / "c.sqlite"
    if problem == "cannot be opened":
        path.mkdir()
    else:
        path.write_bytes(b"this is not SQLite " * 100)
    with pytest.raises(ConfigError, match=r"cannot use .*c\.sqlite as the response cache"):
        CachedLLM(FakeLLM(), path)
