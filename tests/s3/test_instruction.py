"""S3 for instruction data: Self-Instruct seeds, a retrieval small model scored by ROUGE-L
on real instructions, and its worst items extrapolated into new pairs."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synthloop.cli import app
from synthloop.generate.self_instruct import SelfInstructConfig
from synthloop.learners.retrieval_responder import RetrievalResponder
from synthloop.llm import LLMConfig
from synthloop.prompts import Prompter
from synthloop.run.instruct import load_instruct_config, rows_to_records
from synthloop.s3.config import S3Config
from synthloop.s3.instruction import InstructionStrategy
from synthloop.s3.loop import s3_loop
from tests.conftest import FakeLLM, write_rows
from tests.generate.fakes import RecordingLLM, bag_of_words_embed, last_text
from tests.task_fakes import SEED_INSTRUCTIONS, InstructWriter, instruction_task, seed_examples
from tests.tasktypes.instruction.real_like import TEST, VALIDATION


def cheap_responder() -> RetrievalResponder:
    return RetrievalResponder(embed=bag_of_words_embed)


async def test_rounds_extrapolate_the_worst_real_items_and_raise_rouge() -> None:
    task = instruction_task()
    val = rows_to_records(VALIDATION, task, "val")
    test = rows_to_records(TEST, task, "test")
    llm = RecordingLLM(InstructWriter())
    strategy = InstructionStrategy(
        Prompter(task, LLMConfig()),
        seed_examples(),
        SelfInstructConfig(n=4, batch=4, max_calls=16),
        S3Config(rounds=2, errors_per_round=3),
        val,
        test,
        responder=cheap_responder,
        embed=bag_of_words_embed,
    )
    result = await s3_loop(llm, strategy, 2, show_progress=False)
    assert [r.round for r in result.rounds] == [0, 1, 2] and result.calls == llm.calls
    first, last = result.rounds[0], result.rounds[-1]
    # the errors of round 0 are the 3 worst-scored validation items, and round 1 imitates them
    assert len(first.errors) == 3
    worst_ids = {e.id for e in first.errors}
    assert [e["id"] for e in first.report["errors"]] == [e.id for e in first.errors]
    added = [r for r in result.dataset if r.method == "extrapolate" and r.round == 1]
    assert added and {r.parent_id for r in added} <= worst_ids
    by_id = {r.id: r for r in val}
    for rec in added:
        parent = by_id[rec.parent_id or ""]
        assert rec.label == parent.label  # "Sure!" and "I hope this helps!" were cut
        assert rec.inputs["instruction"] != parent.inputs["instruction"]
        assert rec.extra["rouge_l_nearest"] < 0.7
    asked = [last_text(r) for r in llm.requests if "of the same kind" in last_text(r)]
    assert len(asked) == sum(len(r.errors) for r in result.rounds[:-1])  # one per error
    assert last.val["rouge_l"] > first.val["rouge_l"]  # the pool now covers what it lacked
    assert last.val["coverage"] > first.val["coverage"]
    assert last.test is not None and 0.0 <= last.test["rouge_l"] <= 1.0 and last.test.n == 3


def write_config(tmp_path: Path, extra: str) -> Path:
    write_rows(tmp_path / "seeds.jsonl", SEED_INSTRUCTIONS)
    write_rows(tmp_path / "val.jsonl", VALIDATION)
    write_rows(tmp_path / "test.jsonl", TEST)
    path = tmp_path / "instruct.yaml"
    path.write_text(
        "task: {name: h, type: instruction, domain: everyday tasks, example_noun: instruction}\n"
        "seeds: seeds.jsonl\nself_instruct: {n: 3, batch: 3, max_calls: 12}\n" + extra,
        encoding="utf-8",
    )
    return path


def test_config_with_real_files_and_rounds(tmp_path: Path) -> None:
    cfg = load_instruct_config(
        write_config(tmp_path, "real: {validation: val.jsonl, test: test.jsonl}\ns3: {rounds: 1}\n")
    )
    assert cfg.real is not None and cfg.real.validation == str(tmp_path / "val.jsonl")
    assert cfg.s3.rounds == 1


@pytest.mark.parametrize(
    "extra,message",
    [
        ("s3: {rounds: 1}\n", "need real"),
        ("real: {source: self-instruct, validation: v.jsonl}\n", "either source"),
    ],
)
def test_inconsistent_configs_are_one_line_errors(tmp_path: Path, extra: str, message: str) -> None:
    res = CliRunner().invoke(app, ["self-instruct", str(write_config(tmp_path, extra))])
    assert res.exit_code != 0 and message in str(res.exception)


def cli_rounds_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A self-instruct config with real data, run on the fake LLM, a cheap responder and
    bag-of-words embeddings."""
    import synthloop.learners.fit as fit
    from tests.conftest import use_fake_llm

    use_fake_llm(monkeypatch, FakeLLM(InstructWriter()))
    monkeypatch.setattr(fit, "make_learner", lambda _name: cheap_responder())
    monkeypatch.setattr("synthloop.core.embeddings.embed", bag_of_words_embed)
    return write_config(tmp_path, "real: {validation: val.jsonl, test: test.jsonl}\n")


def test_cli_rounds_run_and_report_real_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    config = cli_rounds_config(tmp_path, monkeypatch)
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(
        app, ["self-instruct", str(config), "-o", str(out), "--rounds", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert [r["round"] for r in stats["rounds"]] == [0, 1]
    assert stats["real"] == {
        "source": str(tmp_path / "val.jsonl"),
        "seeds": 3,
        "validation": 6,
        "test": 3,
    }
    assert set(stats["rounds"][1]["test"]) == {"rouge_l", "coverage", "n"}
    assert "round 1: train" in res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert any(
        r["method"] == "extrapolate" and r["parent_id"].startswith("validation-") for r in rows
    )


def test_a_rounds_estimate_bounds_the_calls_the_round_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: a round was priced at one call per error (the estimate's stand-in instructions
    # were dropped as too similar), leaving out the second call, input and response, of
    # each instruction kept: the round on the fake LLM made more calls than estimated
    import json
    import re

    config = cli_rounds_config(tmp_path, monkeypatch)
    out = tmp_path / "out.jsonl"

    def estimated(rounds: str) -> int:
        args = ["self-instruct", str(config), "-o", str(out), "--rounds", rounds]
        res = CliRunner().invoke(app, [*args, "--estimate"])
        assert res.exit_code == 0, res.output
        found = re.search(r"estimate: ≤([\d,]+) calls", res.output)
        assert found, res.output
        return int(found.group(1).replace(",", ""))

    per_round = estimated("1") - estimated("0")
    res = CliRunner().invoke(
        app, ["self-instruct", str(config), "-o", str(out), "--rounds", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    rounds = json.loads(out.with_suffix(".stats.json").read_text())["rounds"]
    made = rounds[1]["calls"] - rounds[0]["calls"]
    assert 0 < made <= per_round, (made, per_round)
