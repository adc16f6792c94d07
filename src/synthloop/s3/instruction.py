"""S3 for instruction data: Self-Instruct makes the seed set; then, round after round, the
small model (``retrieval_responder``) is trained on the synthetic pairs, scored on real
validation instructions by ROUGE-L against the human responses, and its worst-scored
items become errors the LLM writes new instruction/response pairs like
(:mod:`synthloop.generate.instruct_extrapolate`). Each round reports ROUGE-L and coverage
on validation and, when given, on a test part no generation has seen.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence

import numpy as np

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.generate.common import Generation, Plan
from synthloop.generate.instruct_extrapolate import extrapolate_instructions_plan
from synthloop.generate.self_instruct import (
    InstructionExample,
    NoveltyFilter,
    SelfInstructConfig,
    nothing_kept,
    self_instruct_plan,
)
from synthloop.learners import Predictor
from synthloop.learners.fit import fit_responder
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.strategy import Assessment
from synthloop.tasktypes.instruction.metrics import (
    Embed,
    instruction_scores,
    rouge_l,
    score_instructions,
)


class InstructionStrategy:
    """``responder``/``embed`` replace the small model and MiniLM (tests use cheap ones)."""

    def __init__(
        self,
        prompter: Prompter,
        seeds: Sequence[InstructionExample],
        cfg: SelfInstructConfig,
        s3: S3Config,
        validation: Sequence[Record],
        test: Sequence[Record] | None = None,
        *,
        seed: int = 0,
        responder: Callable[[], Predictor] | None = None,
        embed: Embed | None = None,
    ) -> None:
        if not validation:
            raise ConfigError("S3 for instructions needs real validation instructions")
        self.prompter = prompter
        self.task = prompter.task
        self.seeds = list(seeds)
        self.cfg = cfg
        self.s3 = s3
        self.validation = list(validation)
        self.test = list(test) if test else None
        self.seed_value = seed
        self.responder = responder
        self.embed = embed
        self.rationales: dict[str, list[str]] = {}
        self.seeded: list[Record] = []
        self.novelty: NoveltyFilter | None = None

    def seed(self) -> Plan[Generation]:
        gen = yield from self_instruct_plan(
            self.prompter, self.seeds, self.cfg, seed=self.seed_value
        )
        if not gen.records:  # no model to train: say why, not only that there is none
            raise nothing_kept(gen)
        self.seeded = list(gen.records)
        return gen

    def assess(self, round: int, dataset: list[Record]) -> Assessment:
        """Errors: the ``errors_per_round`` validation items answered worst, of those under
        ``error_below`` ROUGE-L."""
        task, validation = self.task, self.validation
        if not dataset:
            raise ConfigError("no synthetic instructions to train the small model on")
        model = fit_responder(dataset, task, self.responder() if self.responder else None)
        pred = [str(p) for p in model.predict([task.learner_input(r) for r in validation])]
        scores = rouge_l(pred, [r.label for r in validation])
        order = np.argsort(np.asarray(scores), kind="stable")[: self.s3.errors_per_round]
        worst = [(validation[i], scores[i]) for i in order if scores[i] < self.s3.error_below]
        val = instruction_scores(pred, validation, dataset, task, embed=self.embed)
        test = (
            score_instructions(model, dataset, self.test, task, embed=self.embed)
            if self.test
            else None
        )
        report = {
            "val": val.as_dict(),
            "test": test.as_dict() if test else None,
            "errors": [{"id": rec.id, "rouge_l": builtins.round(score, 4)} for rec, score in worst],
        }
        return Assessment(val, [rec for rec, _ in worst], test, None, report)

    def extrapolate(self, errors: list[Record], round: int) -> Plan[Generation]:
        if self.novelty is None:
            # every instruction so far, the seeds' and the validation set's too: new ones
            # must differ from all of them
            field = self.task.inputs[0]
            self.novelty = NoveltyFilter(
                [s.instruction for s in self.seeds]
                + [r.inputs[field] for r in self.seeded]
                + [r.inputs[field] for r in self.validation],
                self.cfg.rouge_threshold,
            )
        return extrapolate_instructions_plan(
            self.prompter,
            errors,
            self.novelty,
            self.cfg,
            per_error=self.s3.per_error,
            round=round,
            seed=self.seed_value,
        )

    def worst_case_errors(self) -> list[Record]:
        return self.validation[: self.s3.errors_per_round]
