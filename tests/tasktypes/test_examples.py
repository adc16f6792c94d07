"""The example configs for pair, QA and instruction tasks load and run (scripted LLM)."""

from pathlib import Path

import pytest

import synthloop.run.s3 as runner
from synthloop.run.config import load_config
from synthloop.run.generate import run_generate
from synthloop.run.instruct import load_instruct_config
from tests.conftest import FakeLLM, requires_shared, use_fake_llm
from tests.task_fakes import qa_answer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "task-types"


@requires_shared
def test_rte_example_config_loads_real_data() -> None:
    cfg = load_config(EXAMPLES / "rte.run.yaml")
    assert cfg.task.type == "pair" and cfg.learner_name == "embed_lr"
    from synthloop.core.io import load_records

    val = load_records(cfg.data.validation, cfg.task)
    assert len(val) == 200 and set(val[0].inputs) == {"premise", "hypothesis"}


def test_instruct_example_config_loads() -> None:
    cfg = load_instruct_config(EXAMPLES / "instruct.yaml")
    assert len(cfg.seeds) == 6 and cfg.self_instruct.rouge_threshold == 0.7


def test_instruct_s3_example_config_takes_seeds_from_real_data() -> None:
    cfg = load_instruct_config(EXAMPLES / "instruct_s3.yaml")
    assert cfg.seeds == [] and cfg.real is not None and cfg.real.source == "self-instruct"
    assert cfg.s3.rounds == 2 and cfg.real.seeds == 8


async def test_qa_example_runs_s3_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_llm(monkeypatch, FakeLLM(qa_answer))
    cfg = load_config(EXAMPLES / "qa.run.yaml")
    assert cfg.learner_name == "span_lr"
    run = await runner.run_s3(cfg, tmp_path / "run", show_progress=False)
    rounds = run.result.rounds
    assert len(rounds) == 3 and all(r.test and r.test.kind == "qa" for r in rounds)
    assert (tmp_path / "run" / "dataset.jsonl").exists()
    metrics = (tmp_path / "run" / "round_0" / "metrics.json").read_text()
    assert '"exact_match"' in metrics and '"f1"' in metrics


async def test_s3_refuses_an_instruction_task_before_any_call(tmp_path: Path) -> None:
    from synthloop.core.errors import ConfigError
    from synthloop.run.config import config_from_mapping

    (tmp_path / "v.jsonl").write_text('{"instruction": "a", "input": "", "label": "b"}\n')
    cfg = config_from_mapping(
        {
            "task": {"name": "h", "type": "instruction", "domain": "d"},
            "data": {"validation": "v.jsonl"},
        },
        tmp_path,
        "run.yaml",
    )
    with pytest.raises(ConfigError, match="instruction task has no small model"):
        await runner.run_s3(cfg, tmp_path / "run", show_progress=False)
    assert not (tmp_path / "run").exists()


async def test_generate_zerogen_for_a_pair_config_keeps_validation_premises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synthloop.core.io import load_dataset_file
    from synthloop.run.config import config_from_mapping
    from tests.conftest import write_rows
    from tests.task_fakes import pair_answer, pair_rows, pair_task

    use_fake_llm(monkeypatch, FakeLLM(pair_answer))
    write_rows(tmp_path / "v.jsonl", pair_rows(4))
    task = pair_task()
    cfg = config_from_mapping(
        {"task": task.model_dump(), "data": {"validation": "v.jsonl"}}, tmp_path, "run.yaml"
    )
    gen, _ = await run_generate(cfg, "zerogen", 6, tmp_path / "zs.jsonl", show_progress=False)
    written = load_dataset_file(tmp_path / "zs.jsonl", task)
    assert len(written) == len(gen.records) > 0
    premises = {r["premise"] for r in pair_rows(4)}
    assert all(r.inputs["premise"] in premises for r in written)


@requires_shared
def test_pair_estimates_keep_the_real_premises() -> None:
    from synthloop.run.estimate import estimate_run

    cfg = load_config(EXAMPLES / "rte.run.yaml")
    for method in ("zerogen", "s3-seed", "conditional"):
        est = estimate_run(cfg, method=method, n=10)
        assert est.calls >= 10 and est.prompt_tokens > 0
    est = estimate_run(cfg)  # synthloop s3
    assert est.worst_case and est.calls > cfg.s3.seed_size
