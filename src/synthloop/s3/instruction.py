"""S3 for instruction data: Self-Instruct makes the seed set; then, round after round, the
small model (``retrieval_responder``) is trained on the synthetic pairs, scored on real
validation instructions by ROUGE-L against the human responses, and its worst-scored
items become errors the LLM writes new instruction/response pairs like
(:mod:`synthloop.generate.instruct_extrapolate`). Each round reports ROUGE-L and coverage
on validation and, when given, on a test part no generation has seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.generate.instruct_extrapolate import extrapolate_instructions
from synthloop.generate.self_instruct import (
    InstructionExample,
    NoveltyFilter,
    SelfInstructConfig,
    self_instruct,
)
from synthloop.learners import Predictor
from synthloop.learners.fit import fit_responder
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.tasktypes.instruction.metrics import (
    Embed,
    InstructScores,
    score_instructions,
    worst_items,
)


class InstructS3Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rounds: int = Field(default=0, ge=0, description="error-extrapolation rounds after the seed")
    errors_per_round: int = Field(
        default=20, gt=0, description="worst-scored real validation items extrapolated per round"
    )
    per_error: int = Field(default=1, gt=0, description="LLM calls per error")
    error_below: float = Field(
        default=0.5, gt=0.0, le=1.0, description="ROUGE-L under which a real item is an error"
    )


@dataclass
class InstructRound:
    round: int
    train_size: int
    added: int
    generation: dict[str, Any]
    val: InstructScores
    errors: list[dict[str, Any]]
    test: InstructScores | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "train_size": self.train_size,
            "added": self.added,
            "generation": self.generation,
            "val": self.val.as_dict(),
            "test": self.test.as_dict() if self.test else None,
            "errors": self.errors,
        }


@dataclass
class InstructS3Result:
    dataset: list[Record]
    rounds: list[InstructRound] = field(default_factory=list)
    calls: int = 0


async def instruct_s3(
    llm: LLM,
    prompter: Prompter,
    seeds: Sequence[InstructionExample],
    cfg: SelfInstructConfig,
    s3: InstructS3Config,
    validation: Sequence[Record],
    test: Sequence[Record] | None = None,
    *,
    seed: int = 0,
    responder: Callable[[], Predictor] | None = None,
    embed: Embed | None = None,
    show_progress: bool = True,
) -> InstructS3Result:
    """Seed with Self-Instruct (``cfg``), then ``s3.rounds`` rounds of extrapolation.
    ``responder``/``embed`` replace the small model and MiniLM (tests use cheap ones)."""
    task = prompter.task
    if not validation:
        raise ConfigError("S3 for instructions needs real validation instructions")
    seeded = await self_instruct(llm, prompter, seeds, cfg, seed=seed, show_progress=show_progress)
    dataset = list(seeded.records)
    result = InstructS3Result(dataset=dataset, calls=seeded.calls)
    field_instruction = task.inputs[0]
    # every instruction so far, the seeds' and the validation set's too: new ones must differ
    novelty = NoveltyFilter(
        [s.instruction for s in seeds]
        + [r.inputs[field_instruction] for r in dataset]
        + [r.inputs[field_instruction] for r in validation],
        cfg.rouge_threshold,
    )
    generation: dict[str, Any] = seeded.summary()
    added = len(dataset)
    for r in range(s3.rounds + 1):
        if not dataset:
            raise ConfigError("no synthetic instructions to train the small model on")
        model = fit_responder(dataset, task, responder() if responder else None)
        worst = [
            (rec, score)
            for rec, score in worst_items(model, validation, task, s3.errors_per_round)
            if score < s3.error_below
        ]
        round_result = InstructRound(
            round=r,
            train_size=len(dataset),
            added=added,
            generation=generation,
            val=score_instructions(model, dataset, validation, task, embed=embed),
            errors=[{"id": rec.id, "rouge_l": round(score, 4)} for rec, score in worst],
        )
        if test:
            round_result.test = score_instructions(model, dataset, test, task, embed=embed)
        result.rounds.append(round_result)
        if r == s3.rounds or not worst:
            break
        gen = await extrapolate_instructions(
            llm,
            prompter,
            [rec for rec, _ in worst],
            novelty,
            cfg,
            per_error=s3.per_error,
            round=r + 1,
            seed=seed,
            show_progress=show_progress,
        )
        result.calls += gen.calls
        dataset.extend(gen.records)
        generation, added = gen.summary(), len(gen.records)
    return result
