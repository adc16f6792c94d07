"""Does a one-sequence embedded answer depend on how its prompt is cut into batches?

One slot and unfused attention (``llm.max_concurrency: 1``, the README's reproducible
setting): every prompt of 9 to 89 tokens (prefixes of one story), two seeds each, 24
sampled tokens, answered by a fresh ``BatchEngine`` with ``n_batch`` 256 (the prompt in one
chunk) and with ``n_batch`` 8 (chunks of 8). Lengths of 8k + 1 are those that whole chunks
of 8 would leave a single last row; they are counted apart from the rest.

    flock /tmp/synthloop-llm.lock .venv/bin/python bench/engine_chunking.py
"""

from __future__ import annotations

from llama_cpp import Llama
from rich.progress import track

from synthloop.llm.embedded import default_model_path
from synthloop.llm.engine import BatchEngine, GenParams

STORY = (
    "The keeper climbs the stairs and lights the lamp for the ships at sea. "
    "Ada found a map under the third step, drawn in faded ink. "
) * 4


def main() -> None:
    llama = Llama(model_path=str(default_model_path()), n_ctx=256, n_threads=2, verbose=False)
    tokens = llama.tokenize(STORY.encode())

    def answer(prompt: list[int], n_batch: int, seed: int) -> str:
        engine = BatchEngine(llama, n_slots=1, n_ctx_slot=256, n_batch=n_batch, flash_attn=False)
        try:
            params = GenParams(max_tokens=24, temperature=1.0, seed=seed)
            return engine.submit(prompt, params).result(timeout=120).text
        finally:
            engine.close()

    counts = {True: [0, 0], False: [0, 0]}  # one-row tail? -> [differ, asked]
    for n in track(range(9, 90), description="prompts"):
        for seed in (1, 2):
            differs = answer(tokens[:n], 256, seed) != answer(tokens[:n], 8, seed)
            tally = counts[n % 8 == 1]
            tally[0] += differs
            tally[1] += 1
    llama.close()
    for tail, (differ, asked) in counts.items():
        kind = "leaving one row after chunks of 8" if tail else "other lengths"
        print(f"{kind}: {differ} of {asked} answers differ between n_batch 8 and 256")


if __name__ == "__main__":
    main()
