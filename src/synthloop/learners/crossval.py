"""Cross-validated probabilities: what a small model trained without a record thinks of it.

Split the records into k stratified parts (the records that share a pair task's premise in
one part); for each part, train the learner on the other k-1 and predict the held-out part.
Every record is judged by a model that never saw it, nor its premise, which is what makes
its probability an honest confidence (and what cross-partition relabelling needs).
Curation memoises them per context (:func:`synthloop.curate.crossval.cross_val_proba`);
:mod:`synthloop.compute` runs the folds here or on Ray Data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.learners.base import Learner
from synthloop.learners.fit import fit_on


@dataclass(frozen=True)
class CrossVal:
    classes: list[str]
    proba: np.ndarray  # (n, len(classes)), rows sum to 1
    #: which records a fold model judged (None: all); the others keep a uniform row, which
    #: is no opinion (a label with fewer than 2 records leaves no stratified split)
    judged: np.ndarray | None = None

    def judged_mask(self) -> np.ndarray:
        n = len(self.proba)
        return np.ones(n, dtype=bool) if self.judged is None else self.judged

    def given(self, labels: Sequence[str]) -> np.ndarray:
        """The probability each record's own label gets."""
        col = {c: i for i, c in enumerate(self.classes)}
        return np.array(
            [self.proba[i, col[lab]] if lab in col else 0.0 for i, lab in enumerate(labels)]
        )

    @property
    def predicted(self) -> list[str]:
        return [self.classes[i] for i in self.proba.argmax(axis=1)]

    @property
    def top(self) -> np.ndarray:
        return self.proba.max(axis=1)


def stratified_folds(
    labels: Sequence[str], folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) index pairs of a seeded stratified k-fold split; none when a label
    has fewer than 2 members or there is one label (every record then keeps a uniform
    probability)."""
    y = np.array(labels)
    # a label with fewer members than folds still needs a place in every split
    smallest = min((int((y == c).sum()) for c in set(labels)), default=0)
    k = min(folds, smallest) if smallest >= 2 else 0
    if k < 2 or len(set(labels)) < 2:
        return []
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [
        (train, test)
        for train, test in splitter.split(np.zeros(len(y)), y)
        if len(set(y[train])) >= 2
    ]


def stratified_group_folds(
    labels: Sequence[str], groups: Sequence[int], folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Like :func:`stratified_folds`, but the records of one group (e.g. the hypotheses of
    one premise) share a fold; none when fewer than 2 groups or labels leave no split."""
    y, g = np.array(labels), np.array(groups)
    smallest = min((int((y == c).sum()) for c in set(labels)), default=0)
    k = min(folds, smallest, len(set(groups)))
    if k < 2 or len(set(labels)) < 2:
        return []
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [
        (train, test)
        for train, test in splitter.split(np.zeros(len(y)), y, g)
        if len(test) and len(set(y[train])) >= 2
    ]


def record_groups(records: Sequence[Record], together: Sequence[str]) -> list[int]:
    """Each record's group (its values of the fields ``together``), or none when no value
    repeats. Premises shared across labels (NLI sets write one hypothesis per label for
    each) must not straddle folds: a model that saw a premise's other hypotheses, with their
    other labels, predicts one of those for the held-out one: held-out scores fall to 0 on a
    balanced set, and curation doubts (or relabels) a record for its sibling's label."""
    if not together:
        return []
    ids: dict[tuple[str, ...], int] = {}
    key = [tuple(r.inputs.get(f, "") for f in together) for r in records]
    groups = [ids.setdefault(k, len(ids)) for k in key]
    return groups if len(ids) < len(records) else []


def record_folds(
    records: Sequence[Record], folds: int, seed: int, *, together: Sequence[str] = ()
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) index pairs stratified by the records' labels; records that share
    their values of ``together`` (a pair task's kept premise, ``task.kept_fields``) share a
    fold when any value repeats, else (or when groups leave no split) exactly
    :func:`stratified_folds`."""
    labels = [r.label for r in records]
    groups = record_groups(records, together)
    pairs = stratified_group_folds(labels, groups, folds, seed) if groups else []
    return pairs or stratified_folds(labels, folds, seed)


def group_folds(
    records: Sequence[Record], folds: int, seed: int, *, together: Sequence[str]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) index pairs, not stratified (labels that are free text: QA
    answers), with the records that share their values of ``together`` (a QA passage) in
    one fold; none when no value repeats, and callers split plainly. A model that saw a
    passage with another question's answer leans towards that span for the held-out one."""
    groups = record_groups(records, together)
    n_groups = len(set(groups))
    if n_groups < 2:
        return []
    splitter = GroupKFold(n_splits=min(folds, n_groups), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(records)), groups=groups))


def fold_proba(
    train: Sequence[Record],
    held_out: Sequence[Record],
    task: Task,
    learner: str | None,
    classes: Sequence[str],
) -> np.ndarray:
    """Probabilities ``(len(held_out), len(classes))`` from a model fitted on ``train``
    (``learner`` None: the task's default)."""
    model = cast(Learner, fit_on(train, task, learner))  # a classifier: it has probabilities
    part = model.predict_proba([task.learner_input(r) for r in held_out])
    fold = np.zeros((len(held_out), len(classes)))
    fold[:, [list(classes).index(str(c)) for c in model.classes_]] = part
    return fold
