"""Curating each S3 round before the small model trains (the ``curate:`` run-config hook).

The whole dataset so far is curated every round (duplicates can span rounds); the
round's audit, dropped records and review queue go to ``RUN_DIR/round_N/curation/``.
"""

from __future__ import annotations

from pathlib import Path

from synthloop.core.records import Record
from synthloop.curate.base import CurateContext
from synthloop.curate.pipeline import CurateConfig, Pipeline, with_review


class RoundCurator:
    def __init__(self, config: CurateConfig, ctx: CurateContext, run_dir: str | Path) -> None:
        self.config = config
        self.ctx = ctx
        self.run_dir = Path(run_dir)
        #: the steps, made and checked to fit the task at the first round, for every round
        self._pipeline: Pipeline | None = None

    async def __call__(self, records: list[Record], round: int) -> list[Record]:
        out = self.run_dir / f"round_{round}" / "curation"
        if self._pipeline is None:
            self._pipeline = Pipeline.for_task(self.config.steps, self.ctx.task)
        # decisions a person made on the final curated set apply to later runs too
        pipeline = with_review(self._pipeline, self.run_dir / "curated")
        result = await pipeline.arun(records, self.ctx, review_queue=self.config.review_queue)
        result.write(out)
        return result.kept
