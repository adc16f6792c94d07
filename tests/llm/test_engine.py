"""The batching engine on the real SmolLM2 (tiny sizes): parity with the high-level API,
determinism, stops, limits, and grammar-constrained structured output."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from synthloop.llm import Request, complete_many
from synthloop.llm.embedded import EmbeddedLLM
from synthloop.llm.structured import complete_structured

pytestmark = pytest.mark.llm


def chats(n: int, max_tokens: int = 16) -> list[Request]:
    return [
        Request.chat(f"Write a one-line review of cafe number {i}.", seed=i, max_tokens=max_tokens)
        for i in range(n)
    ]


async def test_one_sequence_gives_exactly_the_high_level_answer() -> None:
    llm = EmbeddedLLM(max_concurrency=1, n_ctx=512)
    try:
        ours = [await llm.complete(r) for r in chats(2)]
        raw = llm._llama
        for req, mine in zip(chats(2), ours, strict=True):
            assert req.messages is not None
            theirs = raw.create_chat_completion(
                messages=[m.model_dump() for m in req.messages],
                temperature=req.temperature,
                top_p=req.top_p,
                max_tokens=req.max_tokens,
                seed=req.seed,
            )
            assert mine.text == theirs["choices"][0]["message"]["content"]
            assert mine.prompt_tokens == theirs["usage"]["prompt_tokens"]
    finally:
        await llm.aclose()


async def test_a_reused_prompt_prefix_gives_the_answers_of_a_fresh_context() -> None:
    reqs = chats(3, max_tokens=12)
    shared = EmbeddedLLM(max_concurrency=1, n_ctx=256, weights="original")
    try:
        reused = [(await shared.complete(r)).text for r in reqs]
        # the chat template and "Write a one-line review of cafe number " are shared
        assert shared.reused_prompt_tokens > 2 * 10
    finally:
        await shared.aclose()
    fresh = []
    for r in reqs:
        llm = EmbeddedLLM(max_concurrency=1, n_ctx=256, weights="original")
        try:
            fresh.append((await llm.complete(r)).text)
            assert llm.reused_prompt_tokens == 0
        finally:
            await llm.aclose()
    assert reused == fresh


async def test_one_sequence_answers_alike_on_any_schedule() -> None:
    # the README's recipe for a reproducible embedded run (max_concurrency 1): all at once in
    # order, then one by one in reverse, so each request meets another predecessor's cells
    # and the first its own whole prompt (which once was decoded again alone, and answered
    # otherwise)
    reqs = chats(4, max_tokens=12)
    llm = EmbeddedLLM(max_concurrency=1, n_ctx=256)
    try:
        at_once = [a.text for a in await asyncio.gather(*map(llm.complete, reqs))]
        backwards = [(await llm.complete(r)).text for r in reversed(reqs)]
        assert backwards[::-1] == at_once
    finally:
        await llm.aclose()


async def test_batched_requests_in_both_modes_answered_in_full_and_reproducibly() -> None:
    from synthloop.core.errors import LLMResponseError

    mixed = [
        *chats(4),
        Request(prompt="Three fruits:\n1.", stop=("\n",), seed=3, max_tokens=24),
        Request(prompt="Once upon a time", seed=4, max_tokens=5),
    ]

    async def run() -> list[str]:
        llm = EmbeddedLLM(max_concurrency=4, n_ctx=256, weights="original")
        try:
            out = await complete_many(llm, mixed)
            with pytest.raises(LLMResponseError, match="exceeds the context"):
                await llm.complete(Request.chat("word " * 300, max_tokens=8))
        finally:
            await llm.aclose()
        assert all(0 < r.completion_tokens <= q.max_tokens for r, q in zip(out, mixed, strict=True))
        assert "\n" not in out[4].text  # the stop string ended it
        assert out[5].completion_tokens == 5 and out[5].finish_reason == "length"
        return [r.text for r in out]

    first = await run()
    assert len(set(first)) > 1 and all(first)
    assert await run() == first  # same requests, same order, same slots: same answers


class Verdict(BaseModel):
    sentiment: str
    stars: int


async def test_json_schema_is_enforced_by_a_grammar(tmp_path: Path) -> None:
    llm = EmbeddedLLM(max_concurrency=2, n_ctx=512, weights="q8_0", weights_dir=tmp_path)
    try:
        req = Request.chat("Rate this review: 'Great soup!'", seed=5, max_tokens=48)
        verdict = await complete_structured(llm, req, Verdict, max_reasks=0)
    finally:
        await llm.aclose()
    assert isinstance(verdict.stars, int)
    assert list(tmp_path.glob("*.q8_0.gguf"))  # the converted weights were cached there
    assert json.loads(verdict.model_dump_json())["sentiment"] == verdict.sentiment


def test_a_prefix_copied_from_a_busy_slot_gives_the_answer_of_computing_it() -> None:
    from llama_cpp import Llama

    from synthloop.llm.embedded import default_model_path
    from synthloop.llm.engine import BatchEngine, GenParams

    llama = Llama(model_path=str(default_model_path()), n_ctx=256, n_threads=2, verbose=False)
    story = "Tell a long story about a lighthouse keeper named Ada who finds a map. "
    a = llama.tokenize((story + "Begin.").encode())  # long: keeps slot 0 busy
    b = llama.tokenize(b"Say hi.")  # short, shares nothing: frees slot 1 first
    c = llama.tokenize((story + "End.").encode())  # waits; its prefix is in busy slot 0
    greedy = GenParams(max_tokens=12, temperature=0.0)

    def run(copy_min_tokens: int) -> tuple[str, int]:
        engine = BatchEngine(llama, n_slots=2, n_ctx_slot=256, n_batch=256)
        engine.copy_min_tokens = copy_min_tokens
        try:
            futures = [
                engine.submit(a, GenParams(max_tokens=40, temperature=0.0)),
                engine.submit(b, GenParams(max_tokens=2, temperature=0.0)),
                engine.submit(c, greedy),
            ]
            texts = [f.result(timeout=120).text for f in futures]
            return texts[2], engine.copied_prefixes
        finally:
            engine.close()

    copied, n_copies = run(copy_min_tokens=8)
    computed, no_copies = run(copy_min_tokens=10**9)
    llama.close()
    assert (n_copies, no_copies) == (1, 0)
    assert copied == computed and copied


def test_a_prompt_longer_than_a_batch_is_never_left_a_one_row_chunk() -> None:
    # One slot, unfused attention: the README's reproducible setting. A prompt longer than
    # n_batch is decoded in chunks, and no chunk may be a single row (a one-row decode runs
    # other kernels and rounds otherwise), so the answer must not depend on n_batch.
    from llama_cpp import Llama

    from synthloop.llm.embedded import default_model_path
    from synthloop.llm.engine import BatchEngine, GenParams

    llama = Llama(model_path=str(default_model_path()), n_ctx=256, n_threads=2, verbose=False)
    story = "The keeper climbs the stairs and lights the lamp for the ships at sea. "
    story += "Ada found a map under the third step, drawn in faded ink. "
    tokens = llama.tokenize((story * 4).encode())[:89]
    sampled = GenParams(max_tokens=24, temperature=1.0, seed=1)

    def answer(n_batch: int) -> str:
        engine = BatchEngine(llama, n_slots=1, n_ctx_slot=256, n_batch=n_batch, flash_attn=False)
        try:
            return engine.submit(tokens, sampled).result(timeout=120).text
        finally:
            engine.close()

    try:
        whole = answer(n_batch=256)
        assert whole
        # 89 = 11 x 8 + 1: chunks of 8 would leave the last token alone (on this machine
        # that answered otherwise)
        assert answer(n_batch=8) == whole
        assert answer(n_batch=16) == whole
    finally:
        llama.close()
