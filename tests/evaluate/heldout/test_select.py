import pytest

from synthloop.core.tasks import Task
from synthloop.evaluate.heldout import Folds, choose, final_grid, grid
from tests.evaluate.heldout.conftest import copies, real_records


def test_grid_lists_less_synthetic_weight_first() -> None:
    cands = grid(["a", "b"], cs=(1.0, 10.0), weights=(1.0, 0.0, 0.3))
    assert [c.weight for c in cands] == [0.0] * 4 + [0.3] * 4 + [1.0] * 4
    alone = grid(["a"], cs=(1.0,), use_real=False)
    assert [(c.use_real, c.weight) for c in alone] == [(False, 1.0)]


def test_a_final_grid_tunes_c_only_where_a_learner_has_one() -> None:
    # minilm_ft has no C: it was given one, and the final model's choice crashed
    cands = final_grid(["embed_lr", "minilm_ft"])
    assert {c.learner: c.C for c in cands if c.learner == "minilm_ft"} == {"minilm_ft": None}
    assert len(cands) == 4 * (3 + 1)  # per weight: embed_lr's 3 values of C, minilm_ft once
    for c in cands:
        c.make()  # each builds


def test_helpful_synthetic_data_earns_a_weight(task: Task, memorizer: str) -> None:
    real = real_records(20)
    folds = Folds.split(real, 5, seed=0)
    sel = choose(grid([memorizer], cs=(1.0,)), real, copies(real, derived=False), folds, task)
    assert sel.best.candidate.weight == 0.1  # the first weight that reaches 100 %
    assert sel.best.scores.accuracy == 1.0
    assert len(sel.tried) == 4 and len(sel.table()) == 4


def test_harmful_synthetic_data_is_left_out(task: Task, memorizer: str) -> None:
    real = real_records(20)
    folds = Folds.split(real, 5, seed=0)
    flipped = copies(real, derived=False, flip=True)
    sel = choose(grid([memorizer], cs=(1.0,)), real, flipped, folds, task)
    assert sel.best.candidate.weight == 0.0
    assert sel.best.scores.accuracy == pytest.approx(0.75)


def test_without_synthetic_data_only_real_candidates_are_tried(task: Task, memorizer: str) -> None:
    real = real_records(20)
    sel = choose(grid([memorizer], cs=(1.0, 2.0)), real, [], Folds.split(real, 5), task)
    assert [h.candidate.weight for h in sel.tried] == [0.0, 0.0]
    with pytest.raises(ValueError, match="synthetic"):
        choose(grid([memorizer], use_real=False), real, [], Folds.split(real, 5), task)
