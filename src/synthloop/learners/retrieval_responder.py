"""The small model for instruction data: answer with the response of the most similar
training instruction.

Fitting embeds each training instruction (with its input, when it has one) with
all-MiniLM-L6-v2; predicting embeds the query the same way and returns the response of
the nearest training item by cosine. It generates nothing of its own, so what it scores
on real instructions (ROUGE-L against human responses) measures how well the synthetic
pool covers what people ask for, and its worst-scored real items are the ones the pool
lacks: S3's errors for instruction data. It runs on two CPU cores in seconds, which no
fine-tuned generator does.

Inputs are ``(instruction, input)`` tuples (:meth:`Task.learner_input` for
``instruction`` tasks) or plain instructions; labels are the responses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from synthloop.core.errors import DataError
from synthloop.core.tasks import LearnerInput

Embed = Callable[[Sequence[str]], np.ndarray]


def query_text(item: LearnerInput) -> str:
    """What is embedded for one item: the instruction, and its input below it if any."""
    if isinstance(item, str):
        return item
    if not 1 <= len(item) <= 2:
        raise DataError(f"retrieval_responder takes (instruction, input), not {len(item)} fields")
    instruction, given = (item[0], item[1]) if len(item) == 2 else (item[0], "")
    return f"{instruction}\n{given}" if given.strip() else instruction


class RetrievalResponder:
    """Nearest-neighbour responder on MiniLM embeddings (see the module docstring)."""

    def __init__(self, *, embed: Embed | None = None) -> None:
        self.embed = embed

    def _encode(self, items: Sequence[LearnerInput]) -> np.ndarray:
        texts = [query_text(x) for x in items]
        if self.embed is not None:
            return np.asarray(self.embed(texts), dtype=np.float32)
        from synthloop.core.embeddings import embed

        return embed(texts)

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> RetrievalResponder:
        """Remember every (instruction, response); ``sample_weight`` is accepted for the
        common contract and unused (a nearest neighbour has nothing to weigh)."""
        if len(texts) != len(labels):
            raise DataError(f"{len(texts)} instructions but {len(labels)} responses")
        if not texts:
            raise DataError("cannot train a responder on no instructions")
        self.vectors_ = self._encode(texts)
        self.responses_ = np.asarray([str(x) for x in labels], dtype=object)
        return self

    def _fitted(self) -> np.ndarray:
        if not hasattr(self, "vectors_"):
            raise RuntimeError("call fit() before predict()")
        return self.vectors_

    def nearest(self, texts: Sequence[LearnerInput]) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest training item for each query, and its cosine."""
        vectors = self._fitted()
        if not texts:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=np.float32)
        sims = self._encode(texts) @ vectors.T
        idx = np.argmax(sims, axis=1)
        return idx, sims[np.arange(len(idx)), idx]

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        idx, _ = self.nearest(texts)
        return np.asarray(self.responses_[idx], dtype=object)
