import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.heldout import Candidate, Folds, fit, held_out
from synthloop.learners import TfidfLogisticRegression
from tests.evaluate.heldout.conftest import copies, real_records
from tests.task_fakes import qa_records


def test_every_real_record_is_held_out_exactly_once_in_stratified_folds() -> None:
    real = real_records(20)
    folds = Folds.split(real, k=5, seed=3)
    held = sorted(int(i) for idx in folds.held for i in idx)
    assert held == list(range(20))
    for idx in folds.held:  # 5 negatives in 20: one per fold
        assert sum(real[int(i)].label == "negative" for i in idx) == 1
    assert set(folds.fold_of) == {r.id for r in real}


def test_a_qa_passage_asked_several_questions_stays_in_one_fold() -> None:
    real = qa_records("validation")  # 4 passages, 3 questions each
    folds = Folds.split(real, k=5, seed=0, stratify=False, together=("context",))
    fold_of_passage: dict[str, set[int]] = {}
    for r in real:
        fold_of_passage.setdefault(r.inputs["context"], set()).add(folds.fold_of[r.id])
    assert len(fold_of_passage) == 4 and all(len(f) == 1 for f in fold_of_passage.values())
    assert len(folds.held) == 4  # one fold per passage: no more folds than passages
    # distinct passages: the plain shuffled split, as before
    distinct = Folds.split(real[::3], k=5, seed=0, stratify=False, together=("context",))
    plain = Folds.split(real[::3], k=5, seed=0, stratify=False)
    assert distinct.fold_of == plain.fold_of


def test_folds_need_two_records_of_each_label() -> None:
    real = real_records(6, minority_every=10)  # a single negative
    with pytest.raises(ConfigError, match="at least 2"):
        Folds.split(real, k=5)


def test_synthetic_copies_of_a_fold_never_help_score_that_fold(task: Task, memorizer: str) -> None:
    real = real_records(20)
    folds = Folds.split(real, k=5, seed=0)
    cand = Candidate(memorizer, 1.0, weight=1.0)
    # copies derived from each record: a model that saw them would score 100 %
    honest = held_out(cand, real, copies(real, derived=True), folds, task)
    assert honest.scores.accuracy == pytest.approx(0.75)  # the majority label, no more
    assert {r.id for r in honest.errors} == {r.id for r in real if r.label == "negative"}
    # the same texts with no parent are ordinary extra data and do help
    free = held_out(cand, real, copies(real, derived=False), folds, task)
    assert free.scores.accuracy == 1.0 and free.errors == []


def test_records_keeping_a_folds_premise_never_help_score_that_fold(
    task: Task, memorizer: str
) -> None:
    real = real_records(20)
    folds = Folds.split(real, k=5, seed=0)
    cand = Candidate(memorizer, 1.0, weight=1.0)
    # pair and QA generation keep a real record's premise and name it as the anchor
    anchored = [
        Record(id=c.id, inputs=c.inputs, label=c.label, method="zerogen", extra={"anchor": r.id})
        for c, r in zip(copies(real, derived=False), real, strict=True)
    ]
    honest = held_out(cand, real, anchored, folds, task)
    assert honest.scores.accuracy == pytest.approx(0.75)  # the majority label, no more


def test_weight_zero_trains_on_real_records_only(task: Task, memorizer: str) -> None:
    real = real_records(8)
    flipped = copies(real, derived=False, flip=True)
    model = fit(Candidate(memorizer, 1.0, weight=0.0), real, flipped, task)
    assert list(model.predict([r.inputs["text"] for r in real])) == [r.label for r in real]


def test_synthetic_only_candidates_ignore_the_real_records(task: Task, memorizer: str) -> None:
    real = real_records(8)
    flipped = copies(real, derived=False, flip=True)
    model = fit(Candidate(memorizer, 1.0, use_real=False), real, flipped, task)
    assert list(model.predict([r.inputs["text"] for r in real])) == [r.label for r in flipped]


def test_real_learners_take_their_regularisation_from_the_candidate(task: Task) -> None:
    real = [
        Record(id=f"r{i}", inputs={"text": t}, label=y)
        for i, (t, y) in enumerate([("good food", "positive"), ("bad food", "negative")] * 4)
    ]
    weak = fit(Candidate("tfidf_lr", 0.01, 0.0), real, [], task)
    strong = fit(Candidate("tfidf_lr", 100.0, 0.0), real, [], task)
    assert isinstance(weak, TfidfLogisticRegression)
    assert isinstance(strong, TfidfLogisticRegression)
    assert weak.C == 0.01 and strong.C == 100.0
    p_weak = weak.predict_proba(["good food"]).max()
    p_strong = strong.predict_proba(["good food"]).max()
    assert p_strong > p_weak  # less regularisation, more confident on what it saw


def test_unknown_learner_lists_the_options(task: Task) -> None:
    with pytest.raises(ConfigError, match="tfidf_lr"):
        fit(Candidate("nope", 1.0, 0.0), real_records(4, 2), [], task)


def test_out_of_fold_probabilities_follow_the_same_exclusions(task: Task, memorizer: str) -> None:
    from synthloop.evaluate.heldout.crossfit import out_of_fold_proba

    real = real_records(20)
    folds = Folds.split(real, k=5, seed=0)
    classes = ["negative", "positive"]
    cand = Candidate(memorizer, 1.0, weight=1.0)
    honest = out_of_fold_proba(cand, real, copies(real, derived=True), folds, task, classes)
    assert (honest.argmax(1) == 1).all()  # the majority, never the copied answer
    free = out_of_fold_proba(cand, real, copies(real, derived=False), folds, task, classes)
    assert [classes[i] for i in free.argmax(1)] == [r.label for r in real]
