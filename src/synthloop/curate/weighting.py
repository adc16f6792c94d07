"""Per-record training weights, stored in ``record.extra["weight"]`` and passed to the
learner as ``sample_weight`` (see :func:`synthloop.evaluate.fit_on`).

- :class:`ConfidenceWeighting`: the weight is the small model's cross-validated
  probability of the record's own label (floored), so doubtful records count less.
- :class:`SunGenWeighting`: weights *learned* so that a model fit on the weighted synthetic
  set has a low noise-robust loss on held-out synthetic data (SunGen, Gao et al., ICLR
  2023). The approximation, honestly: SunGen trains the task model in the inner loop and
  differentiates through it; here the inner model is a linear softmax classifier on
  TF-IDF features reduced by truncated SVD (or on MiniLM embeddings), trained by a fixed
  number of unrolled gradient steps from zero, and the outer gradient flows through that
  unrolled optimisation (truncated back-propagation, as in SunGen's own implementation).
  The records are split in ``folds`` parts; the weights of each part are learned against
  the mean absolute error (``1 - p(label)``; reverse cross-entropy is the same up to
  scale) of the other parts. MAE is robust to label noise: a wrong label costs at most 1,
  so a few noisy held-out records cannot dominate. Weights are sigmoids of free
  parameters, normalised to mean 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from synthloop.core.records import Record
from synthloop.curate.base import AuditEntry, CurateContext, Step, StepResult, with_extra
from synthloop.curate.crossval import cross_val_proba
from synthloop.learners.crossval import record_groups


def weighted(name: str, records: Sequence[Record], weights: np.ndarray, reason: str) -> StepResult:
    kept = [with_extra(r, weight=round(float(w), 6)) for r, w in zip(records, weights, strict=True)]
    audit = [
        AuditEntry(r.id, name, "weight", reason, float(w))
        for r, w in zip(records, weights, strict=True)
    ]
    return StepResult(kept, audit)


def normalised(weights: np.ndarray) -> np.ndarray:
    mean = float(weights.mean()) if len(weights) else 1.0
    return weights / mean if mean > 0 else np.ones_like(weights)


class ConfidenceWeighting(Step):
    """weight = max(floor, cross-validated probability of the record's label), mean 1."""

    name = "confidence_weight"
    needs_labels = True
    folds: int = Field(default=5, ge=2)
    floor: float = Field(default=0.05, ge=0.0, le=1.0)
    learner: str | None = None

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        cv = cross_val_proba(records, ctx, folds=self.folds, learner=self.learner)
        weights = normalised(np.maximum(cv.given([r.label for r in records]), self.floor))
        return weighted(self.name, records, weights, "cv_confidence")


def _features(records: Sequence[Record], ctx: CurateContext, kind: str, dims: int) -> np.ndarray:
    texts = [ctx.task.joined_text(r) for r in records]
    if kind == "embed":
        return np.asarray(ctx.compute.embed(texts), dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(texts)
    k = min(dims, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
    if k < 2:
        return np.asarray(tfidf.toarray(), dtype=np.float32)
    reduced = TruncatedSVD(n_components=k, random_state=ctx.seed).fit_transform(tfidf)
    return np.asarray(normalize(reduced), dtype=np.float32)


class SunGenWeighting(Step):
    """Learned weights: bilevel optimisation against a noise-robust held-out loss."""

    name = "sungen_weight"
    needs_labels = True
    features: Literal["tfidf", "embed"] = "tfidf"
    dims: int = Field(default=256, ge=2, description="SVD dimensions of the TF-IDF features")
    folds: int = Field(default=2, ge=2)
    outer_steps: int = Field(default=60, ge=1)
    outer_lr: float = Field(default=0.3, gt=0)
    inner_steps: int = Field(default=20, ge=1)
    inner_lr: float = Field(default=2.0, gt=0)
    l2: float = Field(default=1e-3, ge=0)
    floor: float = Field(default=0.0, ge=0.0, le=1.0)

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        import torch

        labels = ctx.task.label_names
        y_all = np.array([labels.index(r.label) for r in records])
        if len(records) < 2 * self.folds or len(set(y_all.tolist())) < 2:
            return weighted(self.name, records, np.ones(len(records)), "too_few_to_learn")
        x_all = torch.from_numpy(_features(records, ctx, self.features, self.dims))
        y_t = torch.from_numpy(y_all)
        part = self._parts(records, ctx)
        weights = np.ones(len(records))
        torch.manual_seed(ctx.seed)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny matrices: extra threads only contend (measured 25x slower)
        try:
            for fold in range(self.folds):
                a = np.flatnonzero(part == fold)
                b = np.flatnonzero(part != fold)
                weights[a] = self._learn(x_all[a], y_t[a], x_all[b], y_t[b], len(labels))
        finally:
            torch.set_num_threads(threads)
        weights = normalised(np.maximum(weights, self.floor))
        return weighted(self.name, records, weights, "sungen")

    def _parts(self, records: Sequence[Record], ctx: CurateContext) -> np.ndarray:
        """Each record's part (seeded). Records that share a pair task's premise share a
        part when any premise repeats and there are ``folds`` premises or more: a weight
        learnt against a sibling hypothesis (the premise with another label) in the other
        part said how the premise was split, not whether the record's label is right."""
        rng = np.random.default_rng(ctx.seed)
        groups = record_groups(records, ctx.task.kept_fields)
        if len(set(groups)) >= self.folds:
            return (rng.permutation(max(groups) + 1) % self.folds)[groups]
        return rng.permutation(len(records)) % self.folds

    def _learn(self, xa: Any, ya: Any, xb: Any, yb: Any, n_classes: int) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        theta = torch.zeros(len(ya), requires_grad=True)
        opt = torch.optim.Adam([theta], lr=self.outer_lr)
        for _ in range(self.outer_steps):
            w = torch.sigmoid(theta)
            coef = torch.zeros(xa.shape[1], n_classes, requires_grad=True)
            bias = torch.zeros(n_classes, requires_grad=True)
            for _ in range(self.inner_steps):
                ce = F.cross_entropy(xa @ coef + bias, ya, reduction="none")
                inner = (w * ce).sum() / w.sum() + self.l2 * (coef**2).sum()
                g_coef, g_bias = torch.autograd.grad(inner, (coef, bias), create_graph=True)
                coef = coef - self.inner_lr * g_coef
                bias = bias - self.inner_lr * g_bias
            p_true = F.softmax(xb @ coef + bias, dim=1).gather(1, yb[:, None]).squeeze(1)
            outer = (1.0 - p_true).mean()  # MAE: bounded, so robust to noisy held-out labels
            opt.zero_grad()
            outer.backward()
            opt.step()
        return torch.sigmoid(theta).detach().numpy().astype(float)
