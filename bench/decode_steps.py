"""Time ``llama_decode`` alone: one step of N sequences, one token each, no sampling.

The ceiling of batched decoding on this machine, below any engine: each weight type is
loaded once, N sequences are prefilled with 200 tokens in their own KV streams, then 30
steps of N tokens (consecutive sequence ids, in order) are timed, with flash attention as
the engine uses it (``--unfused`` for llama.cpp's default attention).

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/decode_steps.py original bf16 q8_0
"""

from __future__ import annotations

import argparse
import ctypes
import time

import llama_cpp as lc
from llama_cpp import Llama

from synthloop.llm.embedded import default_model_path
from synthloop.llm.weights import ensure_weights

PREFILL, STEPS = 200, 30


def step_seconds(llama: Llama, n_seq: int, flash_attn: bool = True) -> float:
    params = lc.llama_context_params()
    ctypes.pointer(params)[0] = llama.context_params
    params.n_ctx, params.n_batch, params.n_ubatch = n_seq * 512, 512, 512
    params.n_seq_max, params.kv_unified = n_seq, False
    params.flash_attn_type = lc.LLAMA_FLASH_ATTN_TYPE_ENABLED if flash_attn else 0
    ctx = lc.llama_init_from_model(llama._model.model, params)
    batch = lc.llama_batch_init(512, 0, 1)
    try:

        def decode(rows: list[tuple[int, int, int, bool]]) -> None:
            batch.n_tokens = len(rows)
            for i, (token, pos, seq, logits) in enumerate(rows):
                batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, pos, 1
                batch.seq_id[i][0], batch.logits[i] = seq, logits
            if lc.llama_decode(ctx, batch) != 0:
                raise RuntimeError("llama_decode failed")

        for s in range(n_seq):
            decode([(100 + i, i, s, i == PREFILL - 1) for i in range(PREFILL)])
        start = time.perf_counter()
        for k in range(STEPS):
            decode([(300 + k, PREFILL + k, s, True) for s in range(n_seq)])
        return (time.perf_counter() - start) / STEPS
    finally:
        lc.llama_batch_free(batch)
        lc.llama_free(ctx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", nargs="+", help="original, bf16, f16, q8_0, q4_0, iq4_nl")
    parser.add_argument("--sequences", default="1,8,16,32")
    parser.add_argument("--unfused", action="store_true", help="flash attention off")
    args = parser.parse_args()
    print("| weights | sequences per step | ms per step | tokens/s |\n| --- | ---: | ---: | ---: |")
    for w in args.weights:
        path = ensure_weights(default_model_path(), w)
        llama = Llama(model_path=str(path), n_ctx=256, n_threads=2, verbose=False)
        for n in (int(x) for x in args.sequences.split(",")):
            sec = step_seconds(llama, n, flash_attn=not args.unfused)
            print(f"| {w} | {n} | {sec * 1000:.1f} | {n / sec:.0f} |", flush=True)
        llama.close()


if __name__ == "__main__":
    main()
