from pathlib import Path

from synthloop.heldout import (
    HonestS3Config,
    best_round,
    grid,
    s3_with_real,
    should_stop,
)
from synthloop.io import load_records
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.records import Record
from synthloop.tasks import Task
from tests.conftest import FakeLLM


def with_hard_cases(real: list[Record]) -> list[Record]:
    """Add records no bag of words can get right, so every round has errors to mine."""
    hard = [
        Record(id=f"hard-{i}", inputs={"text": f"food and service {i % 3}"}, label=label)
        for i, label in enumerate(["positive", "negative"] * 4)
    ]
    return real + hard


def test_best_round_and_stopping_follow_the_held_out_scores() -> None:
    assert best_round([0.7, 0.72, 0.71, 0.75], patience=1) == 1  # stopped at round 2
    assert best_round([0.7, 0.72, 0.71, 0.75], patience=2) == 3
    assert best_round([0.7, 0.7, 0.7]) == 0  # a tie keeps the earlier, cheaper round
    assert not should_stop([0.7])
    assert not should_stop([0.7, 0.72])
    assert should_stop([0.7, 0.72, 0.72])
    assert not should_stop([0.7, 0.72, 0.71], patience=2)
    assert should_stop([0.7, 0.72, 0.71, 0.70], patience=2)


async def test_loop_extrapolates_held_out_errors_and_reports_both_scores(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    real = with_hard_cases(load_records(real_files["validation"], task, split_name="validation"))
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    cfg = HonestS3Config(
        seed_size=6,
        rationale_calls_per_label=1,
        rounds=2,
        per_error=2,
        max_errors_per_round=3,
        folds=4,
    )
    result = await s3_with_real(
        llm,
        Prompter(task, LLMConfig()),
        real,
        grid(["tfidf_lr"], cs=(10.0,)),
        cfg,
        stop_early=False,
        show_progress=False,
    )
    assert [r.round for r in result.rounds] == [0, 1, 2]
    # every call is counted, round by round
    assert result.rounds[-1].calls == llm.usage.calls
    assert result.rounds[0].calls == 2 + 6
    by_id = {r.id: r for r in real}
    for rnd in (1, 2):
        made = [r for r in result.synthetic if r.round == rnd]
        assert 0 < len(made) <= 3 * 2
        assert all(r.parent_id in by_id and r.label == by_id[r.parent_id].label for r in made)
        assert result.rounds[rnd].calls - result.rounds[rnd - 1].calls <= 3 * 2
    for r in result.rounds:
        assert 0 <= r.heldout.accuracy <= 1 and r.heldout.n == len(real)
        assert r.mined.n == len(real) and r.heldout_real_alone.n == len(real)
        # the chosen candidate is at least as good as real alone on the same folds
        assert r.heldout.accuracy >= r.heldout_real_alone.accuracy
        assert set(r.as_dict()) >= {"heldout", "mined", "choice", "calls"}
    scores = [r.heldout.accuracy for r in result.rounds]
    assert result.kept_round == best_round(scores)
    assert all((r.round or 0) <= result.kept_round for r in result.kept)
    model = result.final_model(real, task)
    assert set(model.predict([r.inputs["text"] for r in real])) <= {"positive", "negative"}


async def test_loop_stops_when_held_out_accuracy_stops_rising(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    real = load_records(real_files["validation"], task, split_name="validation")
    cfg = HonestS3Config(
        seed_size=6, rationale_calls_per_label=1, rounds=4, max_errors_per_round=3, folds=4
    )
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    result = await s3_with_real(
        llm,
        Prompter(task, LLMConfig()),
        real,
        grid(["tfidf_lr"], cs=(10.0,)),
        cfg,
        show_progress=False,
    )
    scores = [r.heldout.accuracy for r in result.rounds]
    # it ran until the rule said stop (or out of rounds), and not one round further
    assert all(not should_stop(scores[: i + 1]) for i in range(len(scores) - 1))
    assert should_stop(scores) or len(scores) == cfg.rounds + 1
    assert llm.usage.calls == result.rounds[-1].calls
