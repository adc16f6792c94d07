"""How close converted weights (and the fused attention kernel) stay to the shipped model.

The engine decodes SmolLM2 from a copy of the shipped Q4_1 file converted once to a type
with fast batched kernels (Q8_0 or Q4_0). A conversion changes the model a little; this
measures how much, the way llama.cpp's ``perplexity --kl-divergence`` does: both models
read the same real text (teacher forcing) and we compare their next-token distributions.

Text: SST-2 validation sentences (from ../shared/data) written as the assistant's answer
to "Write a one-sentence movie review.", in the chat template, so the tokens scored are the
kind synthloop generates. Scored: every answer token. Reported per variant:
perplexity of the real text, mean KL(shipped || variant) in nats, 99th percentile of
per-token KL, and how often both pick the same top token.

    .venv/bin/python bench/weights_quality.py --texts 200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "sst2" / "validation.jsonl"
QUESTION = "Write a one-sentence movie review."


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


class Scorer:
    """One weights variant, teacher-forced through llama-cpp-python's high-level API."""

    def __init__(self, weights: str, flash_attn: bool) -> None:
        from llama_cpp import Llama

        from synthloop.llm.embedded import default_model_path
        from synthloop.llm.weights import ensure_weights

        path = ensure_weights(default_model_path(), weights)
        self.llama = Llama(
            model_path=str(path), n_ctx=512, n_threads=os.cpu_count() or 1,
            logits_all=True, flash_attn=flash_attn, verbose=False,
        )  # fmt: skip

    def logprobs(self, tokens: list[int], start: int) -> np.ndarray:
        """Log-probabilities of the next token at positions start-1 .. len-2."""
        self.llama.reset()
        self.llama.eval(tokens)
        return log_softmax(np.asarray(self.llama.scores[start - 1 : len(tokens) - 1], np.float64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument(
        "--variants", default="original+fa q8_0 q8_0+fa bf16 bf16+fa f16+fa q4_0+fa iq4_nl+fa",
        help="WEIGHTS[+fa], compared with the shipped file read without flash attention",
    )  # fmt: skip
    parser.add_argument("--out", default=str(ROOT / "bench/results/weights_quality.md"))
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in DATA.read_text().splitlines()[: args.texts]]

    ref = Scorer("original", flash_attn=False)
    prefix = ref.llama.tokenize(
        f"<|im_start|>user\n{QUESTION}<|im_end|>\n<|im_start|>assistant\n".encode(),
        add_bos=False, special=True,
    )  # fmt: skip
    docs = [
        prefix + ref.llama.tokenize(t.encode() + b"<|im_end|>", add_bos=False, special=True)
        for t in texts
    ]
    ref_lp = [ref.logprobs(d, len(prefix)) for d in docs]
    rows = [("original (shipped Q4_1)", ref_lp)]
    for variant in args.variants.split():
        weights, _, fa = variant.partition("+")
        scorer = Scorer(weights, flash_attn=fa == "fa")
        rows.append((variant, [scorer.logprobs(d, len(prefix)) for d in docs]))
        scorer.llama.close()

    gold = [np.asarray(d[len(prefix) :]) for d in docs]
    n_tok = sum(len(g) for g in gold)
    lines = [
        "| weights | perplexity (real text) | mean KL vs shipped (nats) | p99 KL | same top |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, lps in rows:
        nll = -sum(lp[np.arange(len(g)), g].sum() for lp, g in zip(lps, gold, strict=True))
        kl = np.concatenate(
            [(np.exp(r) * (r - v)).sum(axis=-1) for r, v in zip(ref_lp, lps, strict=True)]
        )
        top = np.mean(
            np.concatenate([r.argmax(-1) == v.argmax(-1) for r, v in zip(ref_lp, lps, strict=True)])
        )
        lines.append(
            f"| {name} | {math.exp(nll / n_tok):.3f} | {kl.mean():.4f} | "
            f"{np.quantile(kl, 0.99):.4f} | {100 * top:.1f}% |"
        )
    import llama_cpp

    lines += [
        "",
        f"{len(texts)} SST-2 validation sentences as chat answers, {n_tok} scored tokens; "
        "`+fa` = flash attention on (the engine's setting), else llama-cpp-python's default.",
        f"Command: `.venv/bin/python bench/weights_quality.py --texts {args.texts}`. "
        f"llama-cpp-python {llama_cpp.__version__}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    out = Path(args.out)
    marker = "<!-- written by bench/weights_quality.py below this line -->\n"
    before, found, _ = out.read_text().partition(marker) if out.exists() else ("", "", "")
    head = before + marker if found else ""
    out.write_text(head + "\n".join(lines) + "\n")  # keeps the reading written above it
    print("\n".join(lines))


if __name__ == "__main__":
    main()
