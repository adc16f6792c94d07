"""Per-record weights: stored on records, used by the learner, lower for wrong labels."""

import numpy as np

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import ConfidenceWeighting, CurateContext, SunGenWeighting
from synthloop.curate.base import with_extra
from synthloop.evaluate import fit_on
from tests.curate.conftest import noisy_records
from tests.task_fakes import flip_labels, pair_task, said_pairs


def weights_of(records: list[Record]) -> dict[str, float]:
    return {r.id: r.extra["weight"] for r in records}


def test_confidence_weights_are_low_for_wrong_labels(ctx: CurateContext) -> None:
    records, wrong = noisy_records()
    result = ConfidenceWeighting().run(records, ctx)
    w = weights_of(result.kept)
    assert np.isclose(np.mean(list(w.values())), 1.0)
    assert max(w[i] for i in wrong) < min(w[i] for i in w if i not in wrong)
    assert len(result.audit) == len(records) and {e.action for e in result.audit} == {"weight"}


def test_sungen_weights_learn_to_down_weight_wrong_labels(ctx: CurateContext) -> None:
    records, wrong = noisy_records(n=80, flipped=8)
    result = SunGenWeighting(outer_steps=40).run(records, ctx)
    w = weights_of(result.kept)
    right = [w[i] for i in w if i not in wrong]
    assert np.mean([w[i] for i in wrong]) < 0.6 * np.mean(right)
    assert np.isclose(np.mean(list(w.values())), 1.0)
    # deterministic for a given seed
    assert weights_of(SunGenWeighting(outer_steps=40).run(records, ctx).kept) == w


def test_sungen_weights_a_premise_shared_across_labels_by_its_labels_not_its_split() -> None:
    # was: the parts split a premise's hypotheses, so a record's weight was learnt against
    # its sibling (another label, the same premise) and said how the premise fell; planted
    # errors got weights up to 1.0. A premise's records now share a part
    task = pair_task()
    flipped = {"r0", "r3", "r10", "r25", "r40", "r51"}
    noisy = flip_labels(task, said_pairs(task), flipped)
    result = SunGenWeighting().run(noisy, CurateContext(task))
    w = weights_of(result.kept)
    assert max(w[i] for i in flipped) < 0.05 < 1.0 < np.mean([w[i] for i in w if i not in flipped])


def test_fit_on_passes_record_weights_to_the_learner(task: Task) -> None:
    # Two contradicting records: the weights decide which label the model learns.
    a = Record(id="a", inputs={"text": "great food"}, label="positive")
    b = Record(id="b", inputs={"text": "great food"}, label="negative")
    c = Record(id="c", inputs={"text": "other words"}, label="negative")
    d = Record(id="d", inputs={"text": "more words"}, label="positive")
    favour_a = [with_extra(a, weight=5.0), with_extra(b, weight=0.01), c, d]
    favour_b = [with_extra(a, weight=0.01), with_extra(b, weight=5.0), c, d]
    assert fit_on(favour_a, task).predict(["great food"])[0] == "positive"
    assert fit_on(favour_b, task).predict(["great food"])[0] == "negative"
