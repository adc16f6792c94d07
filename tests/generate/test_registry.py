"""The generator registry, and the toolbox as a user drives it: a run YAML's generation:
section."""

import asyncio
from pathlib import Path

import pytest

import synthloop
from synthloop.core.errors import ConfigError
from synthloop.generate.registry import GeneratorInputs, demo_pool, generate
from synthloop.llm import LLMConfig
from synthloop.prompts import Prompter
from synthloop.run.config import load_config
from tests.generate.fakes import RecordingLLM, bag_of_words_embed

GENERATION = """\
generation:
  conditions:
    scopes:
      length: {short: 2, long: 1}
      audience: [families, critics]
    exclude:
      - {length: long, audience: families}
  concept_tree: {root: dining, depth: 1, branching: 3, file: trees/dining.yaml}
  demonstrations: {k: 1, select: similar, max_prompt_tokens: 200}
  rounds: 2
"""


def write_config(run_config: Path, extra: str) -> Path:
    run_config.write_text(run_config.read_text() + extra, encoding="utf-8")
    return run_config


async def test_conditional_from_yaml_uses_every_part(run_config: Path) -> None:
    cfg = load_config(write_config(run_config, GENERATION))
    gen_cfg = cfg.generation
    assert gen_cfg.concept_tree is not None and gen_cfg.concept_tree.file is not None
    assert Path(gen_cfg.concept_tree.file) == run_config.parent / "trees" / "dining.yaml"
    llm = RecordingLLM()
    prompter = Prompter(cfg.task, LLMConfig())
    pool = demo_pool(gen_cfg, cfg.task, cfg.data.validation, embed=bag_of_words_embed)
    inputs = GeneratorInputs(
        prompter=prompter, n=12, generation=gen_cfg, pool=pool, embed=bag_of_words_embed
    )
    gen = await generate(llm, "conditional", inputs, show_progress=False)
    assert gen.calls == 13 == llm.calls  # 1 tree call on top of 12 examples over 2 rounds
    assert (run_config.parent / "trees" / "dining.yaml").is_file()
    assert {r.round for r in gen.records} == {0, 1}
    for rec in gen.records:
        cond = rec.extra["conditions"]
        assert cond["length"] in ("short", "long") and cond["topic"].startswith("dining part")
        assert cond != {"length": "long", "audience": "families", "topic": cond["topic"]}
        assert len(rec.extra["demos"]) == 1 and rec.extra["leaf"][0] == "dining"


@pytest.mark.parametrize(("method", "calls"), [("rationale-example", 10), ("dialogue", 8)])
async def test_multi_step_methods_from_yaml(run_config: Path, method: str, calls: int) -> None:
    cfg = load_config(write_config(run_config, "generation: {dialogue: {turns: 2}}\n"))
    llm = RecordingLLM()
    inputs = GeneratorInputs(
        prompter=Prompter(cfg.task, LLMConfig()), n=calls, generation=cfg.generation
    )
    gen = await generate(llm, method, inputs, show_progress=False)
    assert llm.calls == gen.calls == calls and gen.records
    assert all(r.method == method for r in gen.records)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("generation: {conditions: {scopes: {topic: []}}}\n", "has no values"),
        (
            "generation: {conditions: {scopes: {topic: [a]}, exclude: [{topic: a}]}}\n",
            "rule out every combination",
        ),
        ("generation: {concept_tree: {depth: 9}}\n", "depth"),
        ("generation: {demonstrations: {select: best}}\n", "select"),
    ],
)
def test_bad_generation_sections_are_config_errors(
    run_config: Path, section: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(run_config, section))


@pytest.mark.parametrize("n", [0, -1])
def test_run_generate_from_python_refuses_no_calls_as_the_cli_does(
    run_config: Path, tmp_path: Path, n: int
) -> None:
    # `generate -n 0` is refused; run_generate(..., 0, out) wrote an empty file and its
    # stats, as if the generator had run and kept nothing
    out = tmp_path / "zg.jsonl"
    with pytest.raises(ConfigError, match=f"zerogen needs n of at least 1 .*not {n}"):
        asyncio.run(synthloop.run_generate(load_config(run_config), "zerogen", n, out))
    assert not out.exists()
    # ... and a Python caller is told the keyword, beside the command line's option
    with pytest.raises(ConfigError, match=r"errors_path= from Python"):
        asyncio.run(synthloop.run_generate(load_config(run_config), "extrapolate", 5, out))
