"""Label enhancement with an auxiliary model: data-split training and cross-partition
labelling. The records are split into k stratified parts; a model trained on k-1 parts
labels the held-out part; where it is confident (probability >= ``min_confidence``) and
disagrees with the given label, the label is replaced. The old label stays in the record
(``extra["label_history"]``) and in the audit (``detail``: old and new label).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from synthloop.core.records import Record
from synthloop.curate.base import (
    AuditEntry,
    CurateContext,
    Step,
    StepResult,
    is_human_checked,
    relabelled,
)
from synthloop.curate.crossval import cross_val_proba


class CrossPartitionRelabel(Step):
    name = "relabel"
    needs_labels = True
    folds: int = Field(default=5, ge=2)
    min_confidence: float = Field(default=0.8, gt=0.0, le=1.0)
    learner: str | None = Field(default=None, description="the auxiliary model [the run's]")

    def run(self, records: Sequence[Record], ctx: CurateContext) -> StepResult:
        cv = cross_val_proba(records, ctx, folds=self.folds, learner=self.learner)
        kept: list[Record] = []
        audit: list[AuditEntry] = []
        for record, new, p, judged in zip(
            records, cv.predicted, cv.top, cv.judged_mask(), strict=True
        ):
            mute = not judged or p < self.min_confidence  # no fold model, or unsure
            if mute or new == record.label or is_human_checked(record):
                kept.append(record)
                continue
            kept.append(relabelled(record, new, self.name, float(p)))
            detail = {"old_label": record.label, "new_label": new}
            audit.append(
                AuditEntry(
                    record.id, self.name, "relabel", "confident_disagreement", float(p), detail
                )
            )
        return StepResult(kept, audit)
