"""The contract between the S3 loop and a kind of data: seed → assess → extrapolate.

A strategy holds the real data and the settings; the loop holds the order and the
bookkeeping. Seeding and extrapolating return plans (generators of LLM calls, see
:mod:`synthloop.generate.common`), so the loop runs them and the estimate prices them
from the same code. Assessing trains the small model on the synthetic data so far, scores
it on the real validation (and test) data, and collects the validation records it gets
wrong: the errors the next round extrapolates.

An assessment may also carry *held-out* scores, cross-fitted over the real validation
records (:mod:`synthloop.evaluate.heldout`): fold k is scored by a model that never saw
fold k nor any synthetic record made from fold k's errors. The validation score cannot
judge the loop (its errors were imitated, so it rises by construction); the held-out
scores can, and the loop stops and keeps rounds by ``heldout_with_real``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import Scores
from synthloop.generate.common import Generation, Plan


@dataclass
class Assessment:
    """One round's small model on real data."""

    val: Scores
    errors: list[Record]  # real validation records to extrapolate
    test: Scores | None = None
    test_with_real: Scores | None = None
    report: dict[str, Any] = field(default_factory=dict)  # the figures a round records
    heldout: Scores | None = None  # the synthetic data alone, cross-fitted on validation
    heldout_with_real: Scores | None = None  # real validation folds + synthetic, cross-fitted


class Strategy(Protocol):
    task: Task
    #: reasons per label the seed step wrote (empty when it writes none)
    rationales: dict[str, list[str]]

    def seed(self) -> Plan[Generation]:
        """The seed set's LLM calls."""
        ...

    def assess(self, round: int, dataset: list[Record]) -> Assessment:
        """Train on ``dataset``, score on real data, collect the validation errors."""
        ...

    def extrapolate(self, errors: list[Record], round: int) -> Plan[Generation]:
        """New examples like each of ``errors`` (those the round picks of them)."""
        ...

    def worst_case_errors(self) -> list[Record]:
        """The errors an estimate assumes each round: every real validation record."""
        ...
