"""The whole evaluation of one synthetic dataset against real data, as one JSON-able dict.

Size-sensitive metrics (vocabulary, distinct-n, entropy, compression, Vendi) grow with the
number of texts, so the synthetic and real sides are compared on samples of equal size.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.errors import DataError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.distance import distribution_distance
from synthloop.evaluate.diversity import lexical_diversity, sample_indices, semantic_diversity
from synthloop.evaluate.faithfulness import faithfulness, sample_records
from synthloop.evaluate.heldout.prior import match_real_prior
from synthloop.evaluate.indirect import indirect_evaluation
from synthloop.evaluate.judge import judge_pairs
from synthloop.evaluate.text import tokenize
from synthloop.llm import LLM

#: Label mixes closer than this (total variation) give re-weights near 1: the second fit
#: would repeat the first, at twice the cost of a slow learner.
LABEL_MIX_TOLERANCE = 0.02


async def evaluate_dataset(
    synthetic: Sequence[Record],
    real: Sequence[Record],
    task: Task,
    *,
    test: Sequence[Record] | None = None,
    indirect_train: Sequence[Record] | None = None,
    learners: Sequence[str] = ("tfidf_lr",),
    aux_learner: str | None = None,
    llm: LLM | None = None,
    judge_sample: int = 40,
    references: Sequence[Record] | None = None,
    pairwise_sample: int = 20,
    bleu_sample: int = 1000,
    mmd_sample: int = 2000,
    embeddings: bool = True,
    seed: int = 0,
    show_progress: bool = False,
    compute: Compute | None = None,
) -> dict[str, Any]:
    """Direct metrics of ``synthetic`` beside ``real``; faithfulness (with the LLM judge when
    ``llm`` is given); indirect scores on ``test`` of learners trained on ``indirect_train``
    (default: the synthetic set); pairwise judge against ``references``. Embeddings and
    the small models' predictions are computed where ``compute`` says (default: here).

    A model trained on synthetic data alone also learns the label mix the generator was
    asked for (S3 follows a model's errors, ZeroGen asks for every label equally often).
    When that mix differs from ``real``'s, each learner is trained a second time with the
    synthetic records re-weighted to ``real``'s mix, and its scores are added under
    ``indirect[learner]["label_mix_matched"]``: the gap between the two is the mix, not
    the texts. The first score keeps its meaning (what this data trains as it is)."""
    compute = compute or LOCAL
    if not synthetic:
        raise DataError("nothing to evaluate: the synthetic set is empty")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    all_texts = {
        "synthetic": [task.joined_text(r) for r in synthetic],
        "real": [task.joined_text(r) for r in real],
    }
    all_tokens = {k: [tokenize(t) for t in v] for k, v in all_texts.items()}
    matched = min(len(synthetic), len(real))
    picked = {k: sample_indices(len(v), matched, seed) for k, v in all_texts.items()}
    diversity: dict[str, Any] = {"compared_on": {"size": matched, "seed": seed}}
    for side, idx in picked.items():
        diversity[side] = lexical_diversity(
            [all_texts[side][i] for i in idx],
            [all_tokens[side][i] for i in idx],
            bleu_sample=bleu_sample,
            seed=seed,
        )
    timings["lexical"] = time.perf_counter() - start
    vectors: dict[str, np.ndarray] = {}
    if embeddings:
        t0 = time.perf_counter()
        # one call for both sides: on Ray that is one pool of embedding actors, not two
        both = compute.embed(
            [*all_texts["synthetic"], *all_texts["real"]], show_progress=show_progress
        )
        vectors = {"synthetic": both[: len(synthetic)], "real": both[len(synthetic) :]}
        timings["embed"] = time.perf_counter() - t0
        for side, idx in picked.items():
            diversity[side].update(semantic_diversity(vectors[side][idx]))
        diversity["embedding_model"] = "all-MiniLM-L6-v2"
    t0 = time.perf_counter()
    distance = distribution_distance(
        all_tokens["synthetic"],
        all_tokens["real"],
        [r.label for r in synthetic],
        [r.label for r in real],
        task.label_names,
        vectors.get("synthetic"),
        vectors.get("real"),
        mmd_sample=mmd_sample,
        seed=seed,
    )
    timings["distance"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    faithful = await faithfulness(
        synthetic,
        real,
        task,
        llm=llm,
        aux_learner=aux_learner,
        sample_size=judge_sample,
        seed=seed,
        show_progress=show_progress,
    )
    timings["faithfulness"] = time.perf_counter() - t0
    out: dict[str, Any] = {
        "sizes": {"synthetic": len(synthetic), "real": len(real), "test": len(test or [])},
        "diversity": diversity,
        "distance": distance,
        "faithfulness": faithful,
    }
    if test:
        t0 = time.perf_counter()
        out["indirect"] = indirect_evaluation(
            indirect_train or synthetic, test, task, learners, compute=compute
        )
        mix_gap = distance["labels"]["total_variation"]
        if indirect_train is None and mix_gap is not None and mix_gap > LABEL_MIX_TOLERANCE:
            reweighted = match_real_prior()(real, synthetic)
            again = indirect_evaluation(reweighted, test, task, learners, compute=compute)
            for name, scores in again.items():
                out["indirect"][name]["label_mix_matched"] = {
                    k: v for k, v in scores.items() if k not in ("confusion", "train_size")
                }
        timings["indirect"] = time.perf_counter() - t0
    if references and llm is not None:
        cands = sample_records(synthetic, pairwise_sample, seed)
        refs = sample_records(references, len(cands), seed + 1)
        out["pairwise"] = await judge_pairs(
            llm,
            task,
            [task.shown_text(r) for r in cands],
            [task.shown_text(r) for r in refs],
            seed=seed,
            show_progress=show_progress,
        )
    out["seconds"] = {k: round(v, 3) for k, v in timings.items()}
    return out
