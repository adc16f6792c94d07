"""Honest held-out scores for a model trained on real + synthetic data, by cross-fitting.

The user's real labelled records are split into K stratified folds. Fold k is scored by a
model trained on the other folds plus the synthetic records that were *not* derived from
fold k (an extrapolation whose ``parent_id`` lies in fold k imitates a record being scored,
and a pair or QA record whose ``anchor`` lies there keeps its premise or passage, so either
is left out of that fold's model). Every real record is thus scored once, by a model
that never saw it nor anything made from it: the out-of-fold (OOF) predictions. Their
accuracy is the held-out score; their mistakes are the errors S3 may mine next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores
from synthloop.evaluate.indirect import scores_of, wrong
from synthloop.learners import LEARNERS, Learner, Predictor, make_learner
from synthloop.learners.crossval import group_folds, record_folds

#: A curation of the synthetic records that may use the real records a model trains on
#: (e.g. drop those a real-trained model confidently rejects); called with (real, synthetic).
Prepare = Callable[[Sequence[Record], Sequence[Record]], list[Record]]


@dataclass(frozen=True)
class Candidate:
    """One way to train the final model: a learner, its regularisation (``None``: the
    learner's own default, for any learner, QA's and instruction data's included), how
    much each synthetic record weighs against a real one, and whether real records are
    used at all (``use_real=False``: the synthetic data alone)."""

    learner: str
    C: float | None
    weight: float = 1.0
    use_real: bool = True

    @property
    def name(self) -> str:
        data = "real" if self.use_real else "synthetic only"
        if self.use_real and self.weight > 0:
            data += f" + synthetic x{self.weight:g}"
        c = "" if self.C is None else f"(C={self.C:g})"
        return f"{self.learner}{c} on {data}"

    def make(self) -> Predictor:
        if self.C is None:
            return make_learner(self.learner)
        if self.learner not in LEARNERS:
            raise ConfigError(
                f"unknown learner {self.learner!r}; choose one of: {', '.join(LEARNERS)}"
            )
        learner: Learner = LEARNERS[self.learner](C=self.C)  # type: ignore[call-arg]
        return learner


def training_set(
    candidate: Candidate, real: Sequence[Record], synthetic: Sequence[Record]
) -> tuple[list[Record], list[float]]:
    """The records a candidate trains on and their weights; a synthetic record's own
    ``extra["weight"]`` (curation's re-weighting) multiplies the candidate's weight."""
    records: list[Record] = list(real) if candidate.use_real else []
    weights = [1.0] * len(records)
    scale = candidate.weight if candidate.use_real else 1.0
    if scale > 0:
        for r in synthetic:
            records.append(r)
            weights.append(scale * float(r.extra.get("weight", 1.0)))
    return records, weights


def fit(
    candidate: Candidate,
    real: Sequence[Record],
    synthetic: Sequence[Record],
    task: Task,
    prepare: Prepare | None = None,
) -> Predictor:
    """Train the candidate; ``prepare`` curates the synthetic records first, seeing only
    the real records this model trains on."""
    if prepare is not None and synthetic and (candidate.weight > 0 or not candidate.use_real):
        synthetic = prepare(real, synthetic)
    records, weights = training_set(candidate, real, synthetic)
    model = candidate.make()
    uniform = all(w == 1.0 for w in weights)
    return model.fit(
        [task.learner_input(r) for r in records],
        [r.label for r in records],
        sample_weight=None if uniform else weights,
    )


@dataclass(frozen=True)
class Folds:
    """K stratified folds of the real records (indices), and each record's fold."""

    held: list[np.ndarray]
    fold_of: dict[str, int]

    @classmethod
    def split(
        cls,
        real: Sequence[Record],
        k: int = 5,
        seed: int = 0,
        *,
        stratify: bool = True,
        together: Sequence[str] = (),
    ) -> Folds:
        """Stratified by label; ``stratify=False`` (labels that are free text: QA answers,
        responses) a shuffled plain split. Records that share the value of every field in
        ``together`` (a pair task's premise, a QA passage) share a fold when any value
        repeats."""
        if stratify:
            pairs = record_folds(real, k, seed, together=together)
            if not pairs:
                counts = Counter(str(r.label) for r in real)
                rare = [f"{label!r} has {n}" for label, n in counts.items() if n < 2]
                raise ConfigError(
                    f"cannot cross-fit {len(real)} real records in {k} folds: every label "
                    f"needs at least 2 records ({'; '.join(rare) or 'there is one label'})"
                )
            held = [test for _, test in pairs]
        else:
            if len(real) < 2:
                raise ConfigError(f"cannot cross-fit {len(real)} real records: need 2")
            held = [test for _, test in group_folds(real, k, seed, together=together)]
            if not held:
                order = np.random.default_rng(seed).permutation(len(real))
                held = [part for part in np.array_split(order, min(k, len(real)))]
        fold_of = {real[int(i)].id: f for f, idx in enumerate(held) for i in idx}
        return cls(held=held, fold_of=fold_of)

    def derived_from(self, record: Record, fold: int) -> bool:
        """Whether a synthetic record imitates a real record of ``fold``, or keeps one's
        premise or passage (a pair or QA anchor)."""
        sources = (record.parent_id, record.extra.get("anchor"))
        return any(s is not None and self.fold_of.get(s) == fold for s in sources)


def out_of_fold(
    candidate: Candidate,
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    prepare: Prepare | None = None,
) -> list[Any]:
    """Each real record's prediction by a model trained without its fold and without the
    synthetic records derived from its fold."""
    pred: list[Any] = [None] * len(real)
    shared: Predictor | None = None  # synthetic alone, no fold's records imitated
    for f, idx in enumerate(folds.held):
        train_syn = [s for s in synthetic if not folds.derived_from(s, f)]
        if not candidate.use_real and prepare is None and len(train_syn) == len(synthetic):
            # the same training set for every such fold: train it once
            shared = shared or fit(candidate, [], train_syn, task, prepare)
            model = shared
        else:
            in_fold = set(int(i) for i in idx)
            train_real = [r for i, r in enumerate(real) if i not in in_fold]
            model = fit(candidate, train_real, train_syn, task, prepare)
        part = model.predict([task.learner_input(real[int(i)]) for i in idx])
        for i, p in zip(idx, part, strict=True):
            pred[int(i)] = p.item() if isinstance(p, np.generic) else p
    if any(p is None for p in pred):  # every record sits in exactly one fold
        raise RuntimeError("a real record was in no fold")
    return pred


@dataclass(frozen=True)
class HeldOut:
    """A candidate's cross-fitted predictions, scores and the real records it got wrong."""

    candidate: Candidate
    predictions: list[Any]
    scores: Scores
    errors: list[Record]


def held_out(
    candidate: Candidate,
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    prepare: Prepare | None = None,
) -> HeldOut:
    pred = out_of_fold(candidate, real, synthetic, folds, task, prepare)
    return HeldOut(candidate, pred, scores_of(pred, real, task), wrong(pred, real, task))


def proba_in(model: Any, inputs: Sequence[object], classes: Sequence[str]) -> np.ndarray:
    """``model``'s probabilities in the column order of ``classes`` (0 for a class the
    model never saw)."""
    part = model.predict_proba(inputs)
    out = np.zeros((len(inputs), len(classes)))
    out[:, [list(classes).index(str(c)) for c in model.classes_]] = part
    return out


def out_of_fold_proba(
    candidate: Candidate,
    real: Sequence[Record],
    synthetic: Sequence[Record],
    folds: Folds,
    task: Task,
    classes: Sequence[str],
) -> np.ndarray:
    """Like :func:`out_of_fold`, but each real record's class probabilities."""
    out = np.zeros((len(real), len(classes)))
    for f, idx in enumerate(folds.held):
        in_fold = set(int(i) for i in idx)
        train_real = [r for i, r in enumerate(real) if i not in in_fold]
        train_syn = [s for s in synthetic if not folds.derived_from(s, f)]
        model = fit(candidate, train_real, train_syn, task)
        out[idx] = proba_in(model, [task.learner_input(real[int(i)]) for i in idx], classes)
    return out
