"""Which weight type batches best: for each type, raw single-stream
``Llama.create_chat_completion`` (6 requests), then the batching engine itself
(:class:`synthloop.llm.engine.BatchEngine`) at 1, 4 and 16 sequences, on the same loaded
model; max_tokens 64, temperature 0.9, top-p 0.95, 2 threads. Quick and rough: one run each.

    flock /tmp/synthloop-llm.lock python bench/engine_probe.py original,q8_0,q4_0
"""

from __future__ import annotations

import sys
import time
from typing import Any

from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from synthloop.llm.embedded import default_model_path
from synthloop.llm.engine import BatchEngine, GenParams
from synthloop.llm.weights import ensure_weights

MAX_TOKENS = 64
KINDS = ["nice", "bad", "odd", "cheap"]
PROMPTS = [
    f"Write a short restaurant review number {i} about a {KINDS[i % 4]} place." for i in range(32)
]


def encode(llama: Any, prompt: str) -> tuple[list[int], tuple[str, ...]]:
    model = llama._model
    formatter = Jinja2ChatFormatter(
        llama.metadata["tokenizer.chat_template"],
        model.token_get_text(llama.token_eos()),
        model.token_get_text(llama.token_bos()),
    )
    result = formatter(messages=[{"role": "user", "content": prompt}])
    tokens = llama.tokenize(result.prompt.encode(), add_bos=not result.added_special, special=True)
    stop = result.stop if isinstance(result.stop, list) else [result.stop]
    return tokens, tuple(s for s in stop if s)


def main() -> None:
    for weights in sys.argv[1].split(","):
        path = ensure_weights(default_model_path(), weights)
        llama = Llama(model_path=str(path), n_ctx=1024, n_threads=2, verbose=False)
        start, tokens = time.perf_counter(), 0
        for i in range(6):
            out = llama.create_chat_completion(
                messages=[{"role": "user", "content": PROMPTS[i]}],
                max_tokens=MAX_TOKENS,
                temperature=0.9,
                top_p=0.95,
                seed=i,
            )
            tokens += out["usage"]["completion_tokens"]
        rate = tokens / (time.perf_counter() - start)
        print(f"{weights} single create_chat_completion: {rate:.1f} tok/s", flush=True)
        for slots in (1, 4, 16):
            engine = BatchEngine(llama, n_slots=slots, n_ctx_slot=512)
            encoded = [encode(llama, PROMPTS[i % 32]) for i in range(max(6, 2 * slots))]
            start = time.perf_counter()
            futures = [
                engine.submit(
                    toks,
                    GenParams(MAX_TOKENS, temperature=0.9, top_p=0.95, seed=i, stop=stop),
                )
                for i, (toks, stop) in enumerate(encoded)
            ]
            results = [f.result() for f in futures]
            rate = sum(r.completion_tokens for r in results) / (time.perf_counter() - start)
            print(f"{weights} engine slots={slots}: {rate:.1f} tok/s", flush=True)
            engine.close()
        llama.close()


if __name__ == "__main__":
    main()
