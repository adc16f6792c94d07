"""A fine-tuned small transformer: all-MiniLM-L6-v2 (the packaged weights) with a linear
classification head on its mean-pooled output, every layer trained with AdamW.

Runs on CPU here and on a GPU where torch finds one. Pairs (premise, hypothesis) go in as
one cross-encoded sequence ``[CLS] a [SEP] b [SEP]``, so attention sees both texts at once.
Tiny datasets get at least ``min_steps`` updates: a few epochs over six examples would
leave the head at its random start.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from synthloop.core.errors import DataError, ModelLoadError
from synthloop.core.tasks import LearnerInput
from synthloop.learners.base import check_training_data


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class FineTunedMiniLM:
    def __init__(
        self,
        *,
        epochs: int = 3,
        batch_size: int = 16,
        learning_rate: float = 5e-5,
        head_learning_rate: float = 2e-3,
        min_steps: int = 6,
        max_length: int = 128,
        random_state: int = 0,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.min_steps = min_steps
        self.max_length = max_length
        self.random_state = random_state

    def _load(self) -> tuple[Any, Any]:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from synthloop.core.embeddings import model_dir

        try:
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise ModelLoadError(
                "the fine-tuned learner needs transformers", hint="run `make install`"
            ) from exc
        path = str(model_dir())
        return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)

    def _encode(self, inputs: Sequence[LearnerInput]) -> dict[str, Any]:
        if not inputs:
            raise DataError("no examples to encode")
        first = [x if isinstance(x, str) else x[0] for x in inputs]
        arity = {1 if isinstance(x, str) else len(x) for x in inputs}
        if len(arity) > 1:
            raise DataError("mixed single texts and text pairs in one dataset")
        if arity == {1}:
            second = None
        elif arity == {2}:
            second = [x[1] for x in inputs if not isinstance(x, str)]
        else:
            raise DataError(f"minilm_ft handles one text or a pair, not {arity.pop()} fields")
        return dict(
            self.tokenizer_(
                first,
                second,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
        )

    def _logits(self, batch: dict[str, Any]) -> Any:
        out = self.encoder_(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head_(pooled)

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> FineTunedMiniLM:
        import torch

        check_training_data(texts, labels)
        if len({1 if isinstance(x, str) else len(x) for x in texts}) > 1:
            raise DataError("mixed single texts and text pairs in one dataset")
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.asarray(sorted(set(labels)))
        index = {c: i for i, c in enumerate(self.classes_)}
        y = torch.tensor([index[label] for label in labels])
        w = (
            torch.ones(len(texts))
            if sample_weight is None
            else torch.tensor(np.asarray(sample_weight, dtype=np.float32))
        )
        self.tokenizer_, self.encoder_ = self._load()
        self.device_ = _device()
        self.head_ = torch.nn.Linear(self.encoder_.config.hidden_size, len(self.classes_))
        self.encoder_.to(self.device_)
        self.head_.to(self.device_)
        optimizer = torch.optim.AdamW(
            [
                {"params": self.encoder_.parameters(), "lr": self.learning_rate},
                {"params": self.head_.parameters(), "lr": self.head_learning_rate},
            ]
        )
        per_epoch = math.ceil(len(texts) / self.batch_size)
        steps = max(self.epochs * per_epoch, self.min_steps)
        self.encoder_.train()
        order: list[int] = []
        for _ in range(steps):
            if not order:
                order = list(rng.permutation(len(texts)))
            take, order = order[: self.batch_size], order[self.batch_size :]
            batch = {
                k: v.to(self.device_) for k, v in self._encode([texts[i] for i in take]).items()
            }
            loss = torch.nn.functional.cross_entropy(
                self._logits(batch), y[take].to(self.device_), reduction="none"
            )
            weights = w[take].to(self.device_)
            # weighted mean: a weight scales a record's pull against the rest of its batch
            loss = (loss * weights).sum() / weights.sum().clamp(min=1e-12)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        self.encoder_.eval()
        return self

    def predict_proba(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        import torch

        if not hasattr(self, "head_"):
            raise RuntimeError("call fit() before predict()")
        chunks = []
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                batch = {k: v.to(self.device_) for k, v in self._encode(texts[i : i + 64]).items()}
                chunks.append(torch.softmax(self._logits(batch), dim=-1).cpu().numpy())
        return np.concatenate(chunks).astype(np.float64)

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(texts).argmax(axis=1)])
