"""S3 for data the LLM writes example by example from a label (classification) or from
kept real inputs (a premise for pairs, a passage and answer for QA).

- seed: the LLM lists rationales per label, then writes ``seed_size`` examples, each from
  its label and k sampled rationales (pair/QA: each keeps a real premise or passage);
- assess: the small model (the task type's default learner unless one is named) trained on
  the synthetic data, scored on real validation and test data; its validation mistakes are
  the errors (QA: answers that are not an exact match);
- extrapolate: ``per_error`` new examples like each error, with its gold label (at most
  ``max_errors_per_round`` errors, a seeded sample), optionally shown its retrieved real
  neighbours;
- beside the validation score (which rises by construction: its errors were imitated),
  held-out scores cross-fitted over the validation records (the synthetic data alone, and
  validation folds + synthetic data): fold k is scored by a model that never saw fold k
  nor anything extrapolated from it. They do not change which errors are mined.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from synthloop.compute.local import Compute
from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasktype import Scores
from synthloop.evaluate.heldout import Candidate, Folds, held_out
from synthloop.evaluate.indirect import predictions, score, scores_of, train_and_score, wrong
from synthloop.generate.anchors import seed_anchors
from synthloop.generate.common import Generation, Plan
from synthloop.generate.demos import DemoSelector
from synthloop.generate.extrapolate import extrapolate_plan
from synthloop.generate.s3_seed import rationales_then_seed_plan
from synthloop.learners.fit import fit_on
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.strategy import Assessment


class ExampleStrategy:
    def __init__(
        self,
        prompter: Prompter,
        validation: Sequence[Record],
        test: Sequence[Record] | None,
        cfg: S3Config,
        *,
        learner: str | None = None,
        seed: int = 0,
        neighbours: DemoSelector | None = None,
        compute: Compute | None = None,
    ) -> None:
        self.prompter = prompter
        self.task = prompter.task
        self.validation = list(validation)
        self.test = list(test) if test else None
        self.cfg = cfg
        chosen = learner or self.task.default_learner
        if chosen is None:
            raise ConfigError(
                f"S3 needs a small model to find errors; a {self.task.type} task has none"
            )
        self.learner: str = chosen
        self.seed_value = seed
        self.neighbours = neighbours
        self.compute = compute
        self.rationales: dict[str, list[str]] = {}
        self.folds = self._folds()

    def _folds(self) -> Folds | None:
        """The validation records' folds for held-out scores; none when too few to split
        (e.g. a label with a single record)."""
        if self.cfg.heldout_folds < 2:
            return None
        try:
            return Folds.split(
                self.validation,
                self.cfg.heldout_folds,
                self.seed_value,
                stratify=bool(self.task.labels),
                together=self.task.kept_fields,
            )
        except ConfigError:
            return None

    def heldout_scores(
        self, dataset: list[Record], learner: str, C: float | None = None
    ) -> tuple[Scores | None, Scores | None]:
        """(synthetic alone, validation + synthetic), each cross-fitted over the
        validation folds with ``learner``."""
        if self.folds is None or not dataset:
            return None, None
        task, validation = self.task, self.validation
        alone = held_out(
            Candidate(learner, C, 1.0, use_real=False), validation, dataset, self.folds, task
        )
        both = held_out(Candidate(learner, C, 1.0), validation, dataset, self.folds, task)
        return alone.scores, both.scores

    def seed(self) -> Plan[Generation]:
        cfg = self.cfg
        self.rationales, gen = yield from rationales_then_seed_plan(
            self.prompter,
            cfg.seed_size,
            calls_per_label=cfg.rationale_calls_per_label,
            per_call=cfg.rationales_per_call,
            k=cfg.rationales_per_example,
            seed=self.seed_value,
            # pair/QA: seed calls keep real premises or passages (their labels unused)
            anchors=seed_anchors(self.task, self.validation, cfg.seed_size, seed=self.seed_value),
        )
        return gen

    def assess(self, round: int, dataset: list[Record]) -> Assessment:
        """Train on the synthetic data so far; score it (predictions made where
        ``compute`` says); the validation errors."""
        task, validation = self.task, self.validation
        model = fit_on(dataset, task, self.learner)
        val_pred = predictions(model, validation, task, self.compute)
        errors = wrong(val_pred, validation, task)
        val = scores_of(val_pred, validation, task)
        test = test_with_real = None
        if self.test:
            test = score(model, self.test, task, self.compute)
            test_with_real = train_and_score(
                [*validation, *dataset], self.test, task, self.learner, self.compute
            )
        heldout, heldout_with_real = self.heldout_scores(dataset, self.learner)
        report = {
            "errors": len(errors),
            "val": val.as_dict(),
            "heldout": heldout.as_dict() if heldout else None,
            "test": test.as_dict() if test else None,
            "heldout_with_real": heldout_with_real.as_dict() if heldout_with_real else None,
            "test_with_real": test_with_real.as_dict() if test_with_real else None,
        }
        return Assessment(val, errors, test, test_with_real, report, heldout, heldout_with_real)

    def extrapolate(self, errors: list[Record], round: int) -> Plan[Generation]:
        cap = self.cfg.max_errors_per_round
        if cap and len(errors) > cap:
            rng = random.Random(derive_seed(self.seed_value, "errors", round - 1))
            errors = rng.sample(errors, cap)
        return extrapolate_plan(
            self.prompter,
            errors,
            per_error=self.cfg.per_error,
            round=round,
            seed=self.seed_value,
            neighbours=self.neighbours,
        )

    def worst_case_errors(self) -> list[Record]:
        return list(self.validation)
