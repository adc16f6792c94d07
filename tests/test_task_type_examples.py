"""The example configs for pair, QA and instruction tasks load and run (scripted LLM)."""

from pathlib import Path

import pytest

import synthloop.runner as runner
from synthloop.config import load_config
from synthloop.instruct import load_instruct_config
from synthloop.llm import CachedLLM
from tests.conftest import FakeLLM, requires_shared
from tests.task_fakes import qa_answer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "task-types"


@requires_shared
def test_rte_example_config_loads_real_data() -> None:
    cfg = load_config(EXAMPLES / "rte.run.yaml")
    assert cfg.task.type == "pair" and cfg.learner_name == "embed_lr"
    from synthloop.io import load_records

    val = load_records(cfg.data.validation, cfg.task)
    assert len(val) == 200 and set(val[0].inputs) == {"premise", "hypothesis"}


def test_instruct_example_config_loads() -> None:
    cfg = load_instruct_config(EXAMPLES / "instruct.yaml")
    assert len(cfg.seeds) == 6 and cfg.self_instruct.rouge_threshold == 0.7


async def test_qa_example_runs_s3_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_llm(cfg: object, path: Path, *_: object, **__: object) -> CachedLLM:
        return CachedLLM(FakeLLM(qa_answer), path)

    monkeypatch.setattr(runner, "make_llm", fake_llm)
    cfg = load_config(EXAMPLES / "qa.run.yaml")
    assert cfg.learner_name == "span_lr"
    run = await runner.run_s3(cfg, tmp_path / "run", show_progress=False)
    rounds = run.result.rounds
    assert len(rounds) == 3 and all(r.test and r.test.kind == "qa" for r in rounds)
    assert (tmp_path / "run" / "dataset.jsonl").exists()
    metrics = (tmp_path / "run" / "round_0" / "metrics.json").read_text()
    assert '"exact_match"' in metrics and '"f1"' in metrics
