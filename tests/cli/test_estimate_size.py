"""An estimate of any size is quick: past a few thousand calls the rest of the plan is
priced like what was walked last, and below that every call is priced as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthloop.generate.estimate import Estimate, walk
from synthloop.generate.registry import generator
from synthloop.run.config import load_config
from synthloop.run.estimate import estimate_run
from synthloop.run.generate import generator_inputs
from synthloop.run.instruct import load_instruct_config
from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.conftest import write_rows
from tests.task_fakes import pair_rows


def estimate_of(cwd: Path, *args: str) -> str:
    """The estimate ``synthloop ARGS --estimate`` prints, on one line; a huge one must end
    (the timeout fails the test rather than hanging it)."""
    proc = synthloop(*args, "--estimate", cwd=cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return " ".join(proc.stdout.split())


def instruct_config(tmp_path: Path) -> Path:
    (tmp_path / "seeds.jsonl").write_text(
        '{"instruction": "Name a colour.", "output": "Blue"}\n'
        '{"instruction": "Add two and two.", "input": "", "output": "4"}\n'
    )
    config = tmp_path / "i.yaml"
    config.write_text(
        "task: {name: h, type: instruction, domain: everyday tasks}\nseeds: seeds.jsonl\n"
        "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', max_tokens: 50}\n"
        "self_instruct: {batch: 2}\n"
    )
    return config


# the numbers the call-by-call walk gave before the limit existed
@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        (1, "≤11 calls, ≈675 prompt tokens + ≤760 completion tokens"),
        (3, "≤17 calls, ≈1,073 prompt tokens + ≤1,000 completion tokens"),
        (300, "≤908 calls, ≈60,378 prompt tokens + ≤36,640 completion tokens"),
    ],
)
def test_s3_estimates_of_normal_size_are_unchanged(
    run_config: Path, rounds: int, expected: str
) -> None:
    cfg = load_config(run_config)
    cfg = cfg.model_copy(update={"s3": cfg.s3.model_copy(update={"rounds": rounds})})
    assert estimate_run(cfg).line() == f"estimate: {expected}"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (3, "≤12 calls, ≈762 prompt tokens + ≤600 completion tokens"),
        (100, "≤400 calls, ≈24,818 prompt tokens + ≤20,000 completion tokens"),
        (400, "≤1,600 calls, ≈99,218 prompt tokens + ≤80,000 completion tokens"),
    ],
)
def test_self_instruct_estimates_of_normal_size_are_unchanged(
    tmp_path: Path, n: int, expected: str
) -> None:
    cfg = load_instruct_config(instruct_config(tmp_path))
    est = estimate_run(cfg, method="self-instruct", n=n)
    assert est.line() == f"estimate: {expected}"


def test_an_estimate_of_a_billion_rounds_or_instructions_ends(
    tmp_path: Path, run_config: Path
) -> None:
    # was: never ended (the estimate walked every round; s3 first listed every round's
    # folder)
    # rationales 2 + seed 6, then 3 errors a round: exact, as the rounds are alike
    assert estimate_of(tmp_path, "s3", str(run_config), "--rounds", "1000000000").startswith(
        "estimate: ≤3,000,000,008 calls"
    )

    instruct_config(tmp_path)
    # the config's cap, 4 x n calls, as a bound
    assert estimate_of(tmp_path, "self-instruct", "i.yaml", "-n", "1000000000").startswith(
        "estimate: ≤4,000,000,000 calls"
    )


def test_an_estimate_of_ten_million_examples_ends_and_states_a_bound(
    tmp_path: Path, run_config: Path
) -> None:
    # was: the estimate made and walked every call, 10 million prompts (over 30 GB); the
    # first 10,000 price the rest, and the count is a bound
    assert estimate_of(tmp_path, "generate", str(run_config), "-n", "10000000").startswith(
        "estimate: ≤10,000,000 calls"
    )
    # rationales 2, the seed, then round 1's 3 errors
    assert estimate_of(tmp_path, "s3", str(run_config), "--seed-size", "10000000").startswith(
        "estimate: ≤10,000,005 calls"
    )


def test_a_pair_tasks_estimate_of_ten_million_ends(tmp_path: Path) -> None:
    # was: 10 million premises were drawn before the estimate began
    write_rows(tmp_path / "validation.jsonl", pair_rows(20))
    (tmp_path / "pair.yaml").write_text(
        "task: {name: nli, type: pair, domain: city news, example_noun: hypothesis, labels: "
        "{entailment: it follows, not_entailment: it does not follow}}\n"
        "data: {validation: {path: validation.jsonl}}\n"
        "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', max_tokens: 50}\n"
    )
    assert estimate_of(tmp_path, "generate", "pair.yaml", "-n", "10000000").startswith(
        "estimate: ≤10,000,000 calls"
    )


def test_a_two_step_plan_past_the_limit_prices_each_step_by_its_own_calls(
    tmp_path: Path, run_config: Path
) -> None:
    # was: cut inside its first step, the rest (examples, whose prompts also carry their
    # rationale) was priced like the rationale calls: 24% too few prompt tokens
    cfg = load_config(run_config)
    n = 24_000  # 12,000 examples, two calls each
    est = estimate_run(cfg, method="rationale-example", n=n)
    inputs = generator_inputs(cfg, "rationale-example", n, tmp_path / "x.jsonl", save_tree=False)
    full = Estimate()  # every call walked
    walk(generator("rationale-example").plan(inputs), inputs.task, full, limit=10 * n)
    assert est.worst_case and est.calls == full.calls == n
    assert abs(est.prompt_tokens - full.prompt_tokens) <= 0.01 * full.prompt_tokens
    assert est.completion_tokens_max == full.completion_tokens_max


def test_s3_still_refuses_an_input_inside_a_round_folder(tmp_path: Path, run_config: Path) -> None:
    folder = tmp_path / "run" / "round_1"
    folder.mkdir(parents=True)
    (tmp_path / "validation.jsonl").rename(folder / "validation.jsonl")
    text = run_config.read_text()
    run_config.write_text(text.replace("validation.jsonl", "run/round_1/validation.jsonl"))
    proc = synthloop("s3", str(run_config), "-o", "run", "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "would write into run/round_1, which holds its input")
    proc = synthloop("s3", str(run_config), "-o", "run", "--rounds", "0", "--estimate",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # round 1 is not written
