"""The README's Python section runs as written, and uses only the public API."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import TASK_YAML
from tests.llm.fault_server import FaultServer

README = Path(__file__).resolve().parents[1] / "README.md"


def python_section_example() -> str:
    """The first Python block under the README's "## Python" heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "no Python example in the README's Python section"
    return match.group(1)


def test_the_example_imports_only_the_public_api() -> None:
    tree = ast.parse(python_section_example())
    imported = [
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert "synthloop" in imported
    assert all(name == "synthloop" or not name.startswith("synthloop") for name in imported)


def test_the_example_runs(tmp_path: Path, real_files: dict[str, Path]) -> None:
    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    (tmp_path / "example.py").write_text(python_section_example(), encoding="utf-8")
    with FaultServer() as server:
        (tmp_path / "run.yaml").write_text(
            "task: task.yaml\n"
            "data: {validation: validation.jsonl, test: test.jsonl}\n"
            f"llm: {{backend: openai, model: m, base_url: '{server.base_url}', max_tokens: 40}}\n"
            "s3: {seed_size: 8, rationale_calls_per_label: 1, rounds: 1,"
            " max_errors_per_round: 3}\n",
            encoding="utf-8",
        )
        proc = subprocess.run(
            [sys.executable, "example.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "OPENAI_API_KEY": "sk-test"},
        )
    assert proc.returncode == 0, proc.stderr
    rounds, last = proc.stdout.strip().splitlines()[:2], proc.stdout.strip().splitlines()[-1]
    assert [line.split()[0] for line in rounds] == ["0", "1"]
    kept, accuracy = last.split()
    assert int(kept) > 0 and 0.0 <= float(accuracy) <= 1.0
    assert (tmp_path / "runs" / "movies" / "dataset.jsonl").is_file()
