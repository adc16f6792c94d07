from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.heldout import Candidate
from synthloop.evaluate.heldout.realfilter import drop_rejected, relabel_confident

REAL = [
    Record(id=f"r{i}", inputs={"text": t}, label=y)
    for i, (t, y) in enumerate(
        [
            ("wonderful tasty food", "positive"),
            ("lovely friendly staff", "positive"),
            ("great fresh dishes", "positive"),
            ("awful cold food", "negative"),
            ("rude dirty staff", "negative"),
            ("terrible stale dishes", "negative"),
        ]
        * 3
    )
]
SYNTHETIC = [
    Record(id="s0", inputs={"text": "wonderful fresh food"}, label="positive", method="zerogen"),
    Record(id="s1", inputs={"text": "awful stale food"}, label="positive", method="zerogen"),
    Record(id="s2", inputs={"text": "friendly staff"}, label="positive", method="zerogen"),
]
AUX = Candidate("tfidf_lr", 100.0, 0.0)


def test_records_the_real_model_rejects_are_dropped(task: Task) -> None:
    kept = drop_rejected(AUX, task, 0.3)(REAL, SYNTHETIC)
    assert [r.id for r in kept] == ["s0", "s2"]
    assert drop_rejected(AUX, task, 0.0)(REAL, SYNTHETIC) == SYNTHETIC


def test_confident_disagreements_are_relabelled(task: Task) -> None:
    out = relabel_confident(AUX, task, 0.7)(REAL, SYNTHETIC)
    assert [r.label for r in out] == ["positive", "negative", "positive"]
    assert out[1].extra["label_history"] == ["positive"]
    assert relabel_confident(AUX, task, 1.0)(REAL, SYNTHETIC) == SYNTHETIC
