from pathlib import Path

import pytest

from synthloop.core.io import load_records
from synthloop.core.tasks import Task
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from tests.conftest import FakeLLM


async def test_s3_loop_seeds_then_extrapolates_each_error(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    val = load_records(real_files["validation"], task, split_name="validation")
    test = load_records(real_files["test"], task, split_name="test")
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    cfg = S3Config(seed_size=6, rationale_calls_per_label=1, rounds=2, max_errors_per_round=4)
    result = await s3_loop(
        llm,
        ExampleStrategy(Prompter(task, LLMConfig()), val, test, cfg),
        cfg.rounds,
        show_progress=False,
    )

    assert [r.round for r in result.rounds] == [0, 1, 2]
    assert result.rationales["positive"] == ["The food was tasty and fresh", "Staff were kind"]
    seed = [r for r in result.dataset if r.method == "s3-seed"]
    assert len(seed) == 6 and {r.label for r in seed} == {"positive", "negative"}
    assert all(r.extra["rationales"] for r in seed)
    # every extrapolated record points at a real validation error with the same gold label
    by_id = {r.id: r for r in val}
    extrapolated = [r for r in result.dataset if r.method == "extrapolate"]
    for rec in extrapolated:
        assert rec.parent_id in by_id and rec.label == by_id[rec.parent_id].label
        assert rec.round in (1, 2) and rec.prompt_hash and rec.model == "fake-1"
    assert result.rounds[1].train_size == 6 + result.rounds[1].added
    assert result.rounds[0].errors  # the scripted LLM leaves work for extrapolation
    assert all(r.test is not None and 0 <= r.test.accuracy <= 1 for r in result.rounds)
    # calls: 2 rationale lists + 6 seeds + at most 4 errors per round
    assert llm.usage.calls <= 2 + 6 + 4 + 4
    # extrapolating the errors teaches the small model the words it was missing
    assert len(result.rounds[-1].errors) < len(result.rounds[0].errors)


async def test_seed_examples_without_rationales_are_said_to_be(
    tmp_path: Path, task: Task, capsys: pytest.CaptureFixture[str]
) -> None:
    # a small model whose lists parse to nothing left S3's seed step writing from the label
    # description alone (ZeroGen by another name) without a word
    from synthloop import s3_seed

    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    prompter = Prompter(task, LLMConfig())
    rationales = {"positive": ["The food was tasty"], "negative": []}
    gen = await s3_seed(llm, prompter, rationales, 4, show_progress=False)
    assert len(gen.records) + sum(gen.dropped.values()) == 4
    err = capsys.readouterr().err
    assert err.count("warning:") == 1
    assert "no rationales for 'negative': its seed examples are written from the label" in err
    await s3_seed(llm, prompter, {**rationales, "negative": ["Cold soup"]}, 4, show_progress=False)
    assert "warning" not in capsys.readouterr().err
