"""The command line as a user meets it: clear one-line errors, nothing destroyed."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reviews import TASK_YAML, labelled_rows, write_rows


def command(*args: str) -> list[str]:
    """The argv of ``synthloop ARGS``: the script installed beside this Python, else the
    module."""
    exe = Path(sys.executable).parent / "synthloop"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "synthloop.cli"]
    return [*cmd, *args]


def synthloop(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )  # fmt: skip


def assert_one_line_error(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    assert expected in errors[0], errors[0]
    assert proc.stderr.rstrip().endswith(errors[0])  # nothing after it


def assert_a_rerun_keeps_the_earlier_output(args: tuple[str, ...], out: Path, cwd: Path,
                                            expected: str) -> None:  # fmt: skip
    """Over an earlier run's OUT and its stats, ``args`` (writing OUT) fails again with
    ``expected`` and leaves both as they were, not replaced by nothing."""
    stats = out.with_suffix(".stats.json")
    out.write_text('{"precious": true}\n')
    stats.write_text('{"count": 1}\n')
    assert_one_line_error(synthloop(*args, cwd=cwd), expected)
    assert out.read_text() == '{"precious": true}\n' and stats.read_text() == '{"count": 1}\n'


def test_help_explains_each_command(tmp_path: Path) -> None:
    for cmd in ("s3", "generate", "evaluate", "demo"):
        proc = synthloop(cmd, "--help", cwd=tmp_path)
        assert proc.returncode == 0 and "Usage" in proc.stdout


def test_malformed_task_file(tmp_path: Path, run_config: Path) -> None:
    (tmp_path / "task.yaml").write_text("name: reviews\nlabels: {positive: [unclosed\n")
    assert_one_line_error(synthloop("s3", str(run_config), cwd=tmp_path), "malformed YAML")


def test_malformed_run_config(tmp_path: Path, run_config: Path) -> None:
    run_config.write_text(run_config.read_text() + "s3_rounds: 3\n")
    assert_one_line_error(synthloop("s3", str(run_config), cwd=tmp_path), "s3_rounds")


def test_data_file_missing_a_declared_column(tmp_path: Path, run_config: Path) -> None:
    (tmp_path / "validation.jsonl").write_text('{"sentence": "ok food", "label": "positive"}\n')
    assert_one_line_error(synthloop("s3", str(run_config), cwd=tmp_path), "no column 'text'")


def test_empty_validation_set(tmp_path: Path, run_config: Path) -> None:
    (tmp_path / "validation.jsonl").write_text("")
    assert_one_line_error(
        synthloop("s3", str(run_config), cwd=tmp_path), "the validation set is empty"
    )


def test_unreachable_server(tmp_path: Path, run_config: Path) -> None:
    run_config.write_text(
        run_config.read_text().replace(
            "llm: {max_tokens: 40}",
            "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', max_retries: 0, "
            "unreachable_timeout: 1.5}",
        )
    )
    proc = synthloop("s3", str(run_config), cwd=tmp_path)
    assert_one_line_error(proc, "cannot reach http://127.0.0.1:9/v1 (Connection refused) for 2s")
    assert "run the same command again once the server is up" in proc.stderr
    # it waited visibly before giving up: 1 s, then the 0.5 s left
    waits = [ln for ln in proc.stderr.splitlines() if "server unreachable" in ln]
    assert [w.split("retrying in ")[1] for w in waits] == ["1s (attempt 1)", "0s (attempt 2)"]


def test_bad_input_never_destroys_earlier_output(tmp_path: Path, run_config: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "dataset.jsonl").write_text('{"precious": true}\n')
    shutil.copy(run_config, out / "config.yaml")
    (tmp_path / "test.jsonl").write_text("")  # bad input found before any work
    proc = synthloop("s3", str(run_config), "--out", str(out), cwd=tmp_path)
    assert_one_line_error(proc, "the test set is empty")
    assert (out / "dataset.jsonl").read_text() == '{"precious": true}\n'
    assert (out / "config.yaml").read_text() == run_config.read_text()


def test_a_run_dir_with_another_config_is_refused(tmp_path: Path, run_config: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.yaml").write_text("something: else\n")
    proc = synthloop("s3", str(run_config), "--out", str(out), cwd=tmp_path)
    assert_one_line_error(proc, "holds a run with a different config")


@pytest.mark.parametrize("method", ["bogus"])
def test_unknown_generate_method(tmp_path: Path, run_config: Path, method: str) -> None:
    proc = synthloop("generate", str(run_config), "--method", method, cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "bogus" in proc.stderr


def test_generate_with_a_bad_generation_section(tmp_path: Path, run_config: Path) -> None:
    run_config.write_text(
        run_config.read_text()
        + "generation: {conditions: {scopes: {tone: [dry]}, exclude: [{mood: x}]}}\n"
    )
    proc = synthloop(
        "generate", str(run_config), "--method", "conditional", "-n", "4", cwd=tmp_path
    )
    assert_one_line_error(proc, "'mood', which is not a condition scope")
    assert not (tmp_path / "generated.jsonl").exists()


def own_columns(tmp_path: Path) -> Path:
    """A run config over CSV files in a user's own columns, mapped in its data: section."""
    (tmp_path / "task.yaml").write_text(TASK_YAML)
    for name, n in (("validation", 20), ("test", 10)):
        rows = labelled_rows(n)
        lines = [f'"{r["text"]}",{r["label"]}' for r in rows]
        (tmp_path / f"{name}.csv").write_text("utterance,intent\n" + "\n".join(lines) + "\n")
    mapping = "columns: {text: utterance, label: intent}"
    config = tmp_path / "run.yaml"
    config.write_text(
        f"task: task.yaml\ndata:\n  validation: {{path: validation.csv, {mapping}}}\n"
        f"  test: {{path: test.csv, {mapping}}}\n"
    )
    return config


def test_a_config_data_file_on_the_command_line_keeps_its_column_mapping(
    tmp_path: Path,
) -> None:
    # was: "validation.csv: row 1 has no column 'text' ... map it in the data spec": the
    # options read the file without the mapping the config gives that very file
    config = own_columns(tmp_path)
    here = tmp_path / "elsewhere"  # relative paths are the working directory's
    here.mkdir()
    proc = synthloop("generate", str(config), "--method", "extrapolate", "--from",
                     "../validation.csv", "-n", "3", "--estimate", cwd=here)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "estimate: 3 calls" in proc.stdout
    write_rows(tmp_path / "synthetic.jsonl", labelled_rows(12, start=100))
    proc = synthloop("evaluate", "../synthetic.jsonl", "--config", str(config),
                     "--real", "../validation.csv", "--test", "../test.csv", "--no-embeddings",
                     "--json", "s.json", "-q", cwd=here)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((here / "s.json").read_text())
    assert scores["n"] == 10 and scores["train_size"] == 12
