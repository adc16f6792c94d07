"""Cross-partition relabelling: a model trained on the other parts fixes confident errors
and records both labels."""

from synthloop.curate import CrossPartitionRelabel, CurateContext
from synthloop.curate.base import with_extra
from tests.curate.conftest import noisy_records


def test_relabels_planted_errors_and_keeps_the_old_label(ctx: CurateContext) -> None:
    records, wrong = noisy_records(n=80, flipped=6)
    result = CrossPartitionRelabel(folds=5, min_confidence=0.6).run(records, ctx)
    changed = {e.record_id for e in result.audit}
    assert len(changed & wrong) >= 5 and len(changed - wrong) <= 1
    before = {r.id: r.label for r in records}
    for entry in result.audit:
        assert entry.action == "relabel" and entry.score is not None and entry.score >= 0.6
        assert entry.detail == {
            "old_label": before[entry.record_id],
            "new_label": next(r.label for r in result.kept if r.id == entry.record_id),
        }
    fixed = {r.id: r for r in result.kept}
    for rid in changed:
        assert fixed[rid].label != before[rid]
        assert fixed[rid].extra["label_history"][-1]["label"] == before[rid]
    assert len(result.kept) == len(records)  # relabelling drops nothing


def test_high_bar_changes_less_and_human_checks_are_respected(ctx: CurateContext) -> None:
    records, wrong = noisy_records(n=80, flipped=6)
    loose = CrossPartitionRelabel(min_confidence=0.6).run(records, ctx)
    strict = CrossPartitionRelabel(min_confidence=0.99).run(records, ctx)
    assert len(strict.audit) <= len(loose.audit)
    checked = [with_extra(r, review="keep") if r.id in wrong else r for r in records]
    result = CrossPartitionRelabel(min_confidence=0.6).run(checked, ctx)
    assert not {e.record_id for e in result.audit} & wrong
