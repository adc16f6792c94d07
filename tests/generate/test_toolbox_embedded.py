"""The toolbox through the CLI on the real embedded LLM, at a tiny size."""

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import synthloop

pytestmark = pytest.mark.llm


def test_conditional_with_tree_demos_and_rounds_end_to_end(
    tmp_path: Path, run_config: Path
) -> None:
    run_config.write_text(
        run_config.read_text() + "generation:\n"
        "  conditions: {scopes: {length: [short, long]}}\n"
        "  concept_tree: {root: restaurants, depth: 1, branching: 2, file: tree.yaml}\n"
        "  demonstrations: {k: 1, max_prompt_tokens: 300}\n"
        "  rounds: 2\n",
        encoding="utf-8",
    )
    out = tmp_path / "cond.jsonl"
    args = ("generate", str(run_config), "--method", "conditional", "-n", "4", "-o", str(out))
    first = synthloop(*args, "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "tree.yaml").is_file()
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert stats["calls"] == 5 and stats["usage"]["calls"] == 5  # 1 tree call + 4 examples
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    for row in rows:
        assert row["method"] == "conditional" and row["model"].startswith("SmolLM2")
        assert row["extra"]["conditions"]["length"] in ("short", "long")
        assert row["extra"]["leaf"][0] == "restaurants" and len(row["extra"].get("demos", [])) <= 1
    again = synthloop(*args, "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(out.with_suffix(".stats.json").read_text())["usage"]["calls"] == 0
