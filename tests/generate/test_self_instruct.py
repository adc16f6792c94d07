"""Self-Instruct: bootstrapped instructions, ROUGE-L novelty filter, responses."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synthloop.cli import app
from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task
from synthloop.generate.self_instruct import (
    NoveltyFilter,
    SelfInstructConfig,
    distinct_n,
    instruction_stats,
    parse_response,
    self_instruct,
)
from synthloop.llm import LLMConfig
from synthloop.prompts import Prompter
from synthloop.run.instruct import load_instruct_config
from tests.conftest import FakeLLM
from tests.task_fakes import InstructWriter, seed_examples


def instruction_task() -> Task:
    return Task(
        name="helper", type="instruction", domain="everyday tasks", example_noun="instruction"
    )


SEEDS = seed_examples()


def test_novelty_filter_uses_rouge_l() -> None:
    f = NoveltyFilter(["Write a haiku about autumn leaves."], threshold=0.7)
    assert f.nearest("Write a haiku about autumn leaves falling.") > 0.7
    assert f.admit("List five fruits rich in vitamin C.") == (True, pytest.approx(0.0))
    assert f.admit("Write a haiku about autumn leaves falling.")[0] is False
    assert len(f.pool) == 2  # only the admitted one joined the pool


async def test_self_instruct_keeps_novel_answered_instructions() -> None:
    cfg = SelfInstructConfig(n=6, batch=4, max_calls=40)
    llm = FakeLLM(InstructWriter())
    prompter = Prompter(instruction_task(), LLMConfig())
    result = await self_instruct(llm, prompter, SEEDS, cfg, show_progress=False)
    instructions = [r.inputs["instruction"] for r in result.records]
    assert len(instructions) == 6 and len(set(instructions)) == 6
    assert result.dropped["too_similar"] >= 1 and result.dropped["needs_non_text"] >= 1
    assert not any("haiku" in i or "picture" in i for i in instructions)
    assert all(not i.startswith("Sure") for i in instructions)  # preambles cut
    translated = next(r for r in result.records if "Translate" in r.inputs["instruction"])
    assert translated.inputs["input"] == "The cat sat on the mat."
    assert translated.label == "Le chat était assis."
    assert all(r.method == "self-instruct" and r.prompt_hash for r in result.records)
    assert result.calls == llm.calls <= 40
    # every kept instruction is below the threshold against what came before it
    assert all(r.extra["rouge_l_nearest"] < 0.7 for r in result.records)


async def test_the_threshold_and_call_cap_are_respected() -> None:
    llm = FakeLLM(InstructWriter())
    prompter = Prompter(instruction_task(), LLMConfig())
    # a threshold of 1.0 only refuses exact repeats: the near copy of a seed now passes
    loose = await self_instruct(
        llm, prompter, SEEDS, SelfInstructConfig(n=3, batch=1, rouge_threshold=1.0)
    )
    assert any("haiku" in r.inputs["instruction"] for r in loose.records)
    capped = await self_instruct(
        FakeLLM(InstructWriter()), prompter, SEEDS, SelfInstructConfig(n=50, max_calls=7)
    )
    assert capped.calls <= 7 and len(capped.records) < 50


async def test_self_instruct_needs_an_instruction_task_and_seeds() -> None:
    prompter = Prompter(instruction_task(), LLMConfig())
    with pytest.raises(ConfigError, match="at least two seed"):
        await self_instruct(FakeLLM(), prompter, SEEDS[:1], SelfInstructConfig())


def test_parse_response_shapes() -> None:
    assert parse_response("Input: <none>\nOutput: 42", completion=False) == ("", "42")
    assert parse_response("a list\nOutput: b", completion=True) == ("a list", "b")
    assert parse_response("Just the answer.", completion=False) == ("", "Just the answer.")
    assert parse_response("Input: x\nOutput:   ", completion=False) is None


def test_stats_report_novelty_and_diversity() -> None:
    assert distinct_n(["a b c", "a b d"]) == pytest.approx(3 / 4)
    assert instruction_stats([], SEEDS, instruction_task())["count"] == 0


def test_instruct_config_from_yaml(tmp_path: Path) -> None:
    (tmp_path / "seeds.jsonl").write_text(
        '{"instruction": "Name a colour.", "output": "Blue"}\n'
        '{"instruction": "Add two and two.", "input": "", "output": "4"}\n'
    )
    (tmp_path / "instruct.yaml").write_text(
        "task: {name: h, type: instruction, domain: everyday tasks}\n"
        "seeds: seeds.jsonl\nself_instruct: {n: 5, rouge_threshold: 0.6}\n"
    )
    cfg = load_instruct_config(tmp_path / "instruct.yaml")
    assert len(cfg.seeds) == 2 and cfg.self_instruct.rouge_threshold == 0.6
    assert cfg.task.inputs == ("instruction", "input")


def test_cli_self_instruct_bad_seeds_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "seeds.jsonl").write_text('{"prompt": "x"}\n')
    (tmp_path / "i.yaml").write_text(
        "task: {name: h, type: instruction, domain: d}\nseeds: seeds.jsonl\n"
    )
    res = CliRunner().invoke(app, ["self-instruct", str(tmp_path / "i.yaml")])
    assert res.exit_code != 0
    assert "needs 'instruction' and 'output'" in str(res.exception)


def test_cli_self_instruct_says_why_its_candidates_were_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: "0 instructions from 4 calls", the reasons only in OUT.stats.json
    import json

    from tests.conftest import use_fake_llm

    use_fake_llm(monkeypatch, FakeLLM(InstructWriter()))  # some kept, some dropped
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(s.model_dump()) + "\n" for s in SEEDS))
    (tmp_path / "i.yaml").write_text(
        "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
        "self_instruct: {n: 6, batch: 4, max_calls: 40}\n"
    )
    out = tmp_path / "si.jsonl"
    res = CliRunner().invoke(app, ["self-instruct", str(tmp_path / "i.yaml"), "-o", str(out),
                                   "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert stats["count"] == 6 and stats["dropped"]
    shown = ", ".join(f"{k} {v}" for k, v in sorted(stats["dropped"].items()))
    assert f"; dropped: {shown}" in " ".join(res.output.split())


def test_cli_self_instruct_keeping_nothing_fails_and_says_why(tmp_path: Path) -> None:
    # was: exit 0, "0 instructions from 4 calls", and an empty OUT written over the
    # instructions of an earlier run
    import json

    from tests.cli.test_cli import (
        assert_a_rerun_keeps_the_earlier_output,
        assert_one_line_error,
        synthloop,
    )
    from tests.llm.fault_server import FaultServer

    (tmp_path / "seeds.jsonl").write_text(
        '{"instruction": "Name a colour.", "output": "Blue"}\n'
        '{"instruction": "Add two and two.", "input": "", "output": "4"}\n'
    )
    with FaultServer(answer=lambda _: "Draw a picture of a cat on a mat.") as server:
        (tmp_path / "i.yaml").write_text(
            "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
            f"llm: {{backend: openai, model: m, base_url: '{server.base_url}'}}\n"
            "self_instruct: {n: 2, batch: 2, max_calls: 4}\n"
        )
        out = tmp_path / "si.jsonl"
        args = ("self-instruct", "i.yaml", "-o", out.name, "-q")
        proc = synthloop(*args, cwd=tmp_path)
        stats = out.with_suffix(".stats.json")
        # still written, for the details
        assert json.loads(stats.read_text())["dropped"] == {"needs_non_text": 4}
        expected = "self-instruct kept no instructions from 4 calls (dropped: needs_non_text 4)"
        assert_one_line_error(proc, expected)
        assert f"the counts are in {stats.name}" in proc.stderr
        assert not out.exists()  # no empty dataset

        assert_a_rerun_keeps_the_earlier_output(args, out, tmp_path, expected)

        # with real: instructions (S3), the seed step says the same, not only that no model
        # can be trained
        (tmp_path / "val.jsonl").write_text('{"instruction": "Name a fruit.", "output": "Fig"}\n')
        with (tmp_path / "i.yaml").open("a") as f:
            f.write("real: {validation: val.jsonl}\n")
        proc = synthloop(*args[:3], "s3.jsonl", "-q", cwd=tmp_path)
        assert_one_line_error(proc, expected)


def test_cli_self_instruct_estimate_bounds_the_calls_a_run_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: "24 calls", as if a run made exactly that many; 24 (4 x n) is the call cap, and
    # a run stops sooner once n instructions are kept
    import json

    from tests.conftest import use_fake_llm

    use_fake_llm(monkeypatch, FakeLLM(InstructWriter()))
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(s.model_dump()) + "\n" for s in SEEDS))
    config = tmp_path / "i.yaml"
    config.write_text(
        "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
        "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1'}\n"
        "self_instruct: {n: 6, batch: 4}\n"
    )
    out = tmp_path / "si.jsonl"
    args = ["self-instruct", str(config), "-o", str(out)]
    res = CliRunner().invoke(app, [*args, "--estimate"])
    assert res.exit_code == 0, res.output
    assert " ".join(res.output.split()).startswith("estimate: ≤24 calls")
    res = CliRunner().invoke(app, [*args, "-q"])
    assert res.exit_code == 0, res.output
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert stats["count"] == 6 and stats["calls"] <= 24
