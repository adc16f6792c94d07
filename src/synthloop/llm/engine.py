"""Continuous batching on llama.cpp: many requests decoded together, one sequence each.

llama-cpp-python's high-level ``Llama`` decodes one sequence at a time, so on a CPU each
matrix of weights is streamed from memory once per generated token. This engine keeps up
to ``n_slots`` requests in flight, each under its own llama.cpp sequence id (and its own
KV stream, so attention reads only its own cells), and puts one token of every running
request (plus the prompts of newly admitted ones) into a single ``llama_decode`` call, so
the weights are read once per step for all of them.

Four details decide the speed. llama.cpp splits a batch into micro-batches of consecutive
sequence ids, so each step lists its tokens in slot order (an unordered batch of 16 ran
2.7x slower per step). A finished request's cells stay in its slot: a new request goes to
the free slot sharing the longest prompt prefix with it (the lowest on a tie), keeps that
prefix (a task's prompts share their instructions) and decodes only the rest. When a busy
slot holds a longer shared prefix, its cells are copied over instead. And attention runs
through ggml's fused (flash) kernel: the unfused one was the hottest function of a step.

llama.cpp should be built without OpenMP (the Makefile does): with it, libgomp is shared
with torch and any other context in the process, and once it counts more threads than
cores it stops spinning between parallel regions, which halves every decode.

Sampling runs in C through one llama.cpp sampler chain per request, built like
``Llama._init_sampler`` (top-k 40, typical 1.0, top-p, min-p 0.05, temperature, seeded
dist), so the settings match the high-level API's defaults. A grammar (GBNF) can lead the
chain for structured output.

Determinism: a request's tokens depend on its seed and on the logits it is given, and those
depend on the schedule: which requests share its steps, how its prompt is chunked, and
whether its prefix comes from cells computed for another request (llama.cpp's kernels round
differently for each). The schedule follows when callers submit, so it is not reproducible:
on other schedules 35-43 of 64 answers stayed the same (bench/engine_determinism.py). With
one slot and unfused attention (the high-level API's default) an answer is the same on every
schedule there (64 of 64), whatever prefix the slot held: a prompt chunk of two rows or more
runs the same kernels however it is split, and no prompt row is ever decoded alone: ``_admit``
keeps the last two prompt tokens to decode, and ``_step`` never cuts a prompt into a one-row
chunk (a prompt longer than ``n_batch`` once was, and answered otherwise). The response
cache makes reruns exact either way.

All llama.cpp calls happen on the engine's own thread (llama.cpp contexts are not
thread-safe); callers get a ``concurrent.futures.Future`` per request.
"""

from __future__ import annotations

import ctypes
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import llama_cpp as lc

from synthloop.core.errors import EngineError

#: llama-cpp-python's defaults for the samplers we do not expose
TOP_K = 40
MIN_P = 0.05
TYPICAL_P = 1.0
#: how long an idle engine waits for more requests before its first step
GATHER_SECONDS = 0.005


@dataclass(frozen=True)
class GenParams:
    max_tokens: int = 128
    temperature: float = 0.8
    top_p: float = 0.95
    seed: int | None = None
    stop: tuple[str, ...] = ()
    grammar: str | None = None  # GBNF, root rule "root"


@dataclass(frozen=True)
class GenResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length"


@dataclass
class _Seq:
    tokens: list[int]
    params: GenParams
    future: Future[GenResult]
    slot: int = -1
    sampler: Any = None
    fed: int = 0  # prompt tokens already in the KV cache
    kv: list[int] = field(default_factory=list)  # the tokens its slot's cells hold
    last: int = -1  # the token sampled last, fed at the next step
    generated: int = 0
    out: bytearray = field(default_factory=bytearray)
    checked: int = 0  # characters of decoded text already searched for stops

    @property
    def prefilling(self) -> bool:
        return self.fed < len(self.tokens)


class BatchEngine:
    """Decode many requests at once on one llama.cpp model.

    ``model`` is a loaded ``llama_cpp.Llama``: its model weights, tokenizer and context
    parameters (threads, RoPE/YaRN, attention) are reused, so the engine computes what
    the high-level API computes, only for several sequences per step.
    """

    def __init__(
        self,
        model: Any,
        *,
        n_slots: int = 16,
        n_ctx_slot: int = 1024,
        n_batch: int = 512,
        kv_unified: bool = False,
        flash_attn: bool = True,
    ) -> None:
        self.llama = model
        self.n_slots = n_slots
        self.n_ctx_slot = n_ctx_slot
        self.n_batch = n_batch
        params = lc.llama_context_params()
        ctypes.pointer(params)[0] = model.context_params  # copy every field Llama chose
        params.n_ctx = n_slots * n_ctx_slot
        params.n_batch = n_batch
        params.n_ubatch = n_batch
        params.n_seq_max = n_slots
        # Separate KV streams: each sequence attends over its own cells only, instead of
        # over every sequence's cells behind a mask.
        params.kv_unified = kv_unified
        # ggml's fused attention kernel: the unfused path multiplies every query with each
        # F16 key one dot product at a time, the hottest function of a step (perf: 27%).
        params.flash_attn_type = (
            lc.LLAMA_FLASH_ATTN_TYPE_ENABLED if flash_attn else lc.LLAMA_FLASH_ATTN_TYPE_DISABLED
        )
        params.no_perf = True
        self._ctx = lc.llama_init_from_model(model._model.model, params)
        if not self._ctx:
            raise EngineError(
                f"llama.cpp could not create a context for {n_slots} sequences of "
                f"{n_ctx_slot} tokens",
                hint="not enough memory? lower llm.max_concurrency or llm.n_ctx",
            )
        self._mem = lc.llama_get_memory(self._ctx)
        self._vocab = model._model.vocab
        self._batch = lc.llama_batch_init(n_batch, 0, 1)
        self._piece = ctypes.create_string_buffer(256)
        self._pending: deque[_Seq] = deque()
        self._active: list[_Seq] = []
        self._free = list(range(n_slots))
        self._held: list[list[int]] = [[] for _ in range(n_slots)]  # tokens left in each slot
        self._cond = threading.Condition()
        self._closed = False
        self.steps = 0
        self.reused_tokens = 0  # prompt tokens served from cells computed earlier
        self.copied_prefixes = 0  # prompts whose prefix was copied from another slot
        self.copy_min_tokens = max(8, n_ctx_slot // 128)
        self._thread = threading.Thread(target=self._loop, name="llama-batch", daemon=True)
        self._thread.start()

    # -- public -------------------------------------------------------------------------

    def submit(self, tokens: list[int], params: GenParams) -> Future[GenResult]:
        fut: Future[GenResult] = Future()
        if not tokens:
            fut.set_exception(EngineError("empty prompt"))
            return fut
        if len(tokens) + params.max_tokens > self.n_ctx_slot:
            fut.set_exception(
                EngineError(
                    f"prompt ({len(tokens)} tokens) + max_tokens ({params.max_tokens}) exceeds "
                    f"the context of one sequence ({self.n_ctx_slot} tokens)"
                )
            )
            return fut
        with self._cond:
            if self._closed:
                raise EngineError("the engine is closed")
            self._pending.append(_Seq(tokens=list(tokens), params=params, future=fut))
            self._cond.notify()
        return fut

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()
        for seq in list(self._pending) + self._active:
            if not seq.future.done():
                seq.future.set_exception(EngineError("the engine was closed"))
            self._release(seq)
        lc.llama_batch_free(self._batch)
        lc.llama_free(self._ctx)
        self._ctx = None

    # -- the decode loop (engine thread only) -------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._pending and not self._active:
                    self._cond.wait()
                while not self._active and not self._closed and len(self._pending) < self.n_slots:
                    # Starting from idle: let the caller's burst of requests arrive, so they
                    # start together (one prefill, a stable schedule); stop at a quiet gap.
                    before = len(self._pending)
                    self._cond.wait(timeout=GATHER_SECONDS)
                    if len(self._pending) == before:
                        break
                if self._closed:
                    return
                while self._pending and self._free:
                    self._admit(self._pending.popleft())
            try:
                self._step()
            except Exception as exc:  # never leave a caller waiting on a dead thread
                for seq in self._active:
                    if not seq.future.done():
                        seq.future.set_exception(exc)
                    self._release(seq, trusted=False)
                self._active = []

    def _admit(self, seq: _Seq) -> None:
        try:
            seq.sampler = self._make_sampler(seq.params)
        except EngineError as exc:
            seq.future.set_exception(exc)
            return
        # Prefix reuse: every slot's cells hold tokens of an earlier or running request;
        # keep the part this prompt shares (a task's requests share their instructions) and
        # decode the rest. The request goes to the free slot sharing most (the lowest on a
        # tie, since llama.cpp decodes consecutive sequence ids together, see ``_step``).
        contents = list(self._held)
        for other in self._active:
            contents[other.slot] = other.kv
        shared = [_shared_prefix(held, seq.tokens) for held in contents]
        seq.slot = slot = max(self._free, key=lambda s: (shared[s], -s))
        self._free.remove(slot)
        keep = shared[slot]
        # A longer shared prefix may sit in a busy slot (at the start of a run every slot
        # computes the same instructions). Streams copy whole, so copying pays only for
        # enough tokens (measured: 2 ms at 512 cells per slot, 4 ms at 2048; a prompt token
        # costs about 1 ms of a batched step).
        source = max(range(self.n_slots), key=lambda s: (shared[s], -s))
        if shared[source] - keep >= self.copy_min_tokens:
            lc.llama_memory_seq_cp(self._mem, source, slot, -1, -1)
            keep = shared[source]
            self.copied_prefixes += 1
        # The last prompt token is decoded again, for its logits, and never alone: a one-row
        # decode runs other kernels (and rounds otherwise) than the chunk of a prompt
        # computed whole, so a fully held prompt would be answered differently.
        keep = min(keep, max(0, len(seq.tokens) - 2))
        lc.llama_memory_seq_rm(self._mem, slot, keep, -1)
        seq.fed = keep
        seq.kv = seq.tokens[:keep]
        self.reused_tokens += keep
        self._active.append(seq)

    def _make_sampler(self, p: GenParams) -> Any:
        chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
        add = lc.llama_sampler_chain_add
        if p.grammar is not None:
            grammar = lc.llama_sampler_init_grammar(self._vocab, p.grammar.encode(), b"root")
            if not grammar:
                lc.llama_sampler_free(chain)
                raise EngineError("llama.cpp rejected the grammar")
            add(chain, grammar)
        if p.temperature == 0.0:
            add(chain, lc.llama_sampler_init_greedy())
        else:
            seed = lc.LLAMA_DEFAULT_SEED if p.seed is None else p.seed & 0xFFFFFFFF
            add(chain, lc.llama_sampler_init_top_k(TOP_K))
            add(chain, lc.llama_sampler_init_typical(TYPICAL_P, 1))
            add(chain, lc.llama_sampler_init_top_p(p.top_p, 1))
            add(chain, lc.llama_sampler_init_min_p(MIN_P, 1))
            add(chain, lc.llama_sampler_init_temp(p.temperature))
            add(chain, lc.llama_sampler_init_dist(seed))
        return chain

    def _step(self) -> None:
        batch = self._batch
        n = 0
        outputs: list[tuple[_Seq, int]] = []
        seqs_kv = {seq.slot: seq.kv for seq in self._active}

        def put(token: int, pos: int, slot: int, logits: bool) -> None:
            nonlocal n
            batch.token[n] = token
            batch.pos[n] = pos
            batch.n_seq_id[n] = 1
            batch.seq_id[n][0] = slot
            batch.logits[n] = logits
            n += 1
            seqs_kv[slot].append(token)

        # Every running sequence gets its next token; prompt chunks share the room left.
        room = self.n_batch - sum(1 for seq in self._active if not seq.prefilling)
        chunks: dict[int, int] = {}
        for seq in self._active:
            if not seq.prefilling:
                continue
            left = len(seq.tokens) - seq.fed
            take = min(room, left)
            # A one-row decode runs other kernels (and rounds otherwise) than a chunk, so the
            # answer would depend on n_batch and on the batch mates: never leave one prompt
            # row for a later chunk, nor decode one now (a one-token prompt aside).
            if left - take == 1:
                take -= 1
            if take < min(2, left):
                continue
            chunks[id(seq)] = take
            room -= take
        # In slot order: with one KV stream per sequence llama.cpp splits a batch into
        # micro-batches of consecutive sequence ids, so an unordered batch of 16 decodes
        # as many small ones (measured: 2.7x slower per step).
        for seq in sorted(self._active, key=lambda s: s.slot):
            if not seq.prefilling:
                outputs.append((seq, n))
                put(seq.last, len(seq.tokens) + seq.generated - 1, seq.slot, True)
            elif take := chunks.get(id(seq), 0):
                for i in range(seq.fed, seq.fed + take):
                    last = i == len(seq.tokens) - 1
                    if last:
                        outputs.append((seq, n))
                    put(seq.tokens[i], i, seq.slot, last)
                seq.fed += take
        if n == 0:
            return
        batch.n_tokens = n
        rc = lc.llama_decode(self._ctx, batch)
        if rc != 0:
            raise EngineError(f"llama_decode failed with code {rc}")
        self.steps += 1
        finished = []
        for seq, idx in outputs:
            token = lc.llama_sampler_sample(seq.sampler, self._ctx, idx)
            if self._advance(seq, token):
                finished.append(seq)
        for seq in finished:
            self._active.remove(seq)
            self._release(seq)

    def _advance(self, seq: _Seq, token: int) -> bool:
        """Take one sampled token; True when the sequence is finished (future resolved)."""
        seq.generated += 1
        seq.last = token
        if lc.llama_vocab_is_eog(self._vocab, token):
            seq.generated -= 1  # like the high-level API, the end token is not counted
            return self._finish(seq, seq.out.decode("utf-8", errors="ignore"), "stop")
        n = lc.llama_token_to_piece(self._vocab, token, self._piece, len(self._piece), 0, False)
        seq.out += self._piece.raw[: max(0, n)]
        stops = seq.params.stop
        if stops:
            text = seq.out.decode("utf-8", errors="ignore")
            start = max(0, seq.checked - max(len(s) for s in stops))
            cut = min((i for s in stops if (i := text.find(s, start)) >= 0), default=-1)
            if cut >= 0:
                return self._finish(seq, text[:cut], "stop")
            seq.checked = len(text)
        if seq.generated >= seq.params.max_tokens:
            return self._finish(seq, seq.out.decode("utf-8", errors="ignore"), "length")
        return False

    def _finish(self, seq: _Seq, text: str, reason: str) -> bool:
        seq.future.set_result(
            GenResult(
                text=text,
                prompt_tokens=len(seq.tokens),
                completion_tokens=seq.generated,
                finish_reason=reason,
            )
        )
        return True

    def _release(self, seq: _Seq, *, trusted: bool = True) -> None:
        if seq.sampler is not None:
            lc.llama_sampler_free(seq.sampler)
            seq.sampler = None
        if seq.slot >= 0:
            # Its cells stay filled for the next request's prefix (_admit trims them), unless
            # a failed decode left them in doubt.
            if trusted:
                self._held[seq.slot] = seq.kv
            elif self._ctx:
                lc.llama_memory_seq_rm(self._mem, seq.slot, -1, -1)
                self._held[seq.slot] = []
            self._free.append(seq.slot)
            seq.slot = -1


def _shared_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
