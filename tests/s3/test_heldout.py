"""The held-out strategy runs in the one S3 loop: it mines the cross-fitted errors of the
model chosen on held-out data, and the loop stops when held-out accuracy stops rising."""

import re
from pathlib import Path

import synthloop
from synthloop.core.io import load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.evaluate.heldout import grid
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.heldout import HeldOutStrategy
from synthloop.s3.loop import best_round, s3_loop, should_stop
from tests.conftest import FakeLLM

SRC = Path(synthloop.__file__).parent


def with_hard_cases(real: list[Record]) -> list[Record]:
    """Add records no bag of words can get right, so every round has errors to mine."""
    hard = [
        Record(id=f"hard-{i}", inputs={"text": f"food and service {i % 3}"}, label=label)
        for i, label in enumerate(["positive", "negative"] * 4)
    ]
    return real + hard


def strategy(task: Task, real: list[Record], cfg: S3Config) -> HeldOutStrategy:
    return HeldOutStrategy(
        Prompter(task, LLMConfig()), real, None, cfg, candidates=grid(["tfidf_lr"], cs=(10.0,))
    )


def test_best_round_and_stopping_follow_the_held_out_scores() -> None:
    assert best_round([0.7, 0.72, 0.71, 0.75], patience=1) == 1  # stopped at round 2
    assert best_round([0.7, 0.72, 0.71, 0.75], patience=2) == 3
    assert best_round([0.7, 0.7, 0.7]) == 0  # a tie keeps the earlier, cheaper round
    assert best_round([0.7, None]) == 1  # no held-out scores: the last round
    assert not should_stop([0.7], 1)
    assert not should_stop([0.7, 0.72], 1)
    assert should_stop([0.7, 0.72, 0.72], 1)
    assert not should_stop([0.7, 0.72, 0.71], 2)
    assert should_stop([0.7, 0.72, 0.71, 0.70], 2)
    assert not should_stop([0.7, 0.6, 0.5], None)  # no patience: every round runs


async def test_held_out_strategy_extrapolates_held_out_errors_and_reports_both_scores(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    real = with_hard_cases(load_records(real_files["validation"], task, split_name="validation"))
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    cfg = S3Config(
        seed_size=6,
        rationale_calls_per_label=1,
        rounds=2,
        per_error=2,
        max_errors_per_round=3,
        heldout_folds=4,
    )
    result = await s3_loop(llm, strategy(task, real, cfg), cfg.rounds, show_progress=False)
    assert [r.round for r in result.rounds] == [0, 1, 2]
    # every request is counted, round by round, the rationales' included
    assert result.rounds[-1].requests == llm.usage.calls
    assert result.rounds[0].requests == 2 + 6
    by_id = {r.id: r for r in real}
    for rnd in (1, 2):
        made = [r for r in result.dataset if r.round == rnd]
        assert 0 < len(made) <= 3 * 2
        assert all(r.parent_id in by_id and r.label == by_id[r.parent_id].label for r in made)
        # the parents are the previous round's held-out errors
        assert {r.parent_id for r in made} <= {e.id for e in result.rounds[rnd - 1].errors}
    for r in result.rounds:
        assert r.heldout_with_real is not None and r.heldout_with_real.n == len(real)
        figures = r.as_dict()
        assert figures["mined"]["n"] == len(real) and figures["choice"].startswith("tfidf_lr")
        # the chosen candidate is at least as good as real alone on the same folds
        assert r.heldout_with_real.accuracy >= figures["heldout_real_alone"]["accuracy"]
        assert len(r.errors) == figures["errors"]
    assert result.kept_round == len(result.rounds) - 1  # no patience: every round kept


async def test_the_loop_stops_when_held_out_accuracy_stops_rising(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    real = with_hard_cases(load_records(real_files["validation"], task, split_name="validation"))
    cfg = S3Config(
        seed_size=6, rationale_calls_per_label=1, rounds=4, max_errors_per_round=3, patience=1
    )
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    result = await s3_loop(
        llm, strategy(task, real, cfg), cfg.rounds, show_progress=False, patience=cfg.patience
    )
    scores = [r.heldout_with_real.accuracy for r in result.rounds if r.heldout_with_real]
    assert len(scores) == len(result.rounds)
    # the scripted answers never lift held-out accuracy: one round without a gain, stop
    assert len(result.rounds) < cfg.rounds + 1
    # it ran until the rule said stop, and not one round further
    assert all(not should_stop(scores[: i + 1], 1) for i in range(len(scores) - 1))
    assert should_stop(scores, 1)
    assert llm.usage.calls == result.rounds[-1].requests
    assert result.kept_round == best_round(scores, 1)
    assert all((r.round or 0) <= result.kept_round for r in result.kept)


def test_there_is_one_s3_loop() -> None:
    """Only the one loop assesses a strategy and extrapolates round after round; the
    held-out machinery is a strategy and measurements, not a second loop."""
    assessing = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"\.assess\(", p.read_text(encoding="utf-8"))
    )
    assert assessing == ["s3/loop.py"]
    everything = "".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    assert "s3_with_real" not in everything and "HonestS3" not in everything


async def test_example_strategy_scores_held_out_beside_validation_unless_turned_off(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    from synthloop.s3.examples import ExampleStrategy

    val = load_records(real_files["validation"], task, split_name="validation")
    for folds in (5, 0):
        cfg = S3Config(
            seed_size=6,
            rationale_calls_per_label=1,
            rounds=1,
            max_errors_per_round=3,
            heldout_folds=folds,
        )
        llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
        strategy = ExampleStrategy(Prompter(task, LLMConfig()), val, None, cfg)
        result = await s3_loop(llm, strategy, cfg.rounds, show_progress=False)
        for r in result.rounds:
            assert (r.heldout is not None) == (folds > 0)
            assert (r.as_dict()["heldout_with_real"] is not None) == (folds > 0)
        # held-out scores never change what is mined: the same errors, the same data
        if folds:
            mined = [rec.id for rec in result.dataset]
        else:
            assert [rec.id for rec in result.dataset] == mined


PREMISES = [
    "A man plays a guitar on a busy street corner.",
    "Two children build a sandcastle at the beach.",
    "A woman rides a red bicycle through the park.",
    "An old dog sleeps beside the warm fireplace.",
    "Workers repair the bridge over the river at night.",
    "A chef slices onions in a crowded kitchen.",
    "Students read quietly in the university library.",
]
WEATHER = [
    "cold",
    "warm",
    "windy",
    "rainy",
    "grey",
    "bright",
    "foggy",
    "icy",
    "humid",
    "dry",
    "mild",
    "calm",
    "stormy",
    "clear",
    "cloudy",
    "hazy",
    "damp",
    "fresh",
    "sunny",
    "chilly",
    "dull",
]


def test_premises_shared_across_labels_are_held_out_together() -> None:
    # was: 0.0 held-out accuracy for every candidate. NLI sets write one hypothesis per
    # label for each premise; folds split a premise's three records, so each fold's model
    # had learnt the premise with the two other labels and predicted one of them
    task = Task(
        name="nli3",
        type="pair",
        domain="everyday scenes",
        example_noun="hypothesis",
        labels={
            "entailment": "the hypothesis must be true",
            "neutral": "the hypothesis may be true",
            "contradiction": "the hypothesis must be false",
        },
    )
    real = [
        Record(
            id=f"v{3 * i + j}",
            inputs={"premise": p, "hypothesis": f"The weather is {WEATHER[3 * i + j]} today."},
            label=label,
        )
        for i, p in enumerate(PREMISES)
        for j, label in enumerate(task.labels)
    ]
    synthetic = [
        Record(id=f"s{i}", inputs={"premise": PREMISES[i % 7], "hypothesis": f"Item {i}."},
               label=list(task.labels)[i % 3], method="s3-seed")
        for i in range(12)
    ]  # fmt: skip
    cfg = S3Config(heldout_folds=5)
    held = HeldOutStrategy(
        Prompter(task, LLMConfig()), real, None, cfg, candidates=grid(["tfidf_lr"]),
        learner="tfidf_lr",
    )  # fmt: skip
    held.assess(0, synthetic)
    tried = held.selections[0].tried
    assert len(tried) == 12 and all(h.scores.accuracy > 0.2 for h in tried), [
        h.scores.accuracy for h in tried
    ]
    assert held.folds is not None
    for f, idx in enumerate(held.folds.held):  # a premise's records in one fold
        premises = {real[int(i)].inputs["premise"] for i in idx}
        assert all(held.folds.fold_of[r.id] == f for r in real if r.inputs["premise"] in premises)
