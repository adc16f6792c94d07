"""Other libraries' logs and bars are held back, and shown when their step fails or on -v."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(code: str, *, verbose: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SYNTHLOOP_VERBOSE"}
    if verbose:
        env["SYNTHLOOP_VERBOSE"] = "1"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


def test_loading_minilm_draws_no_bar_unless_verbose() -> None:
    code = "from synthloop.core.embeddings import embed; print(embed(['hi']).shape)"
    quiet = run(code)
    assert quiet.returncode == 0 and quiet.stdout == "(1, 384)\n"
    assert "Loading weights" not in quiet.stderr
    assert "Loading weights" in run(code, verbose=True).stderr


def test_embedding_with_progress_draws_our_bar_not_sentence_transformers() -> None:
    # was: sentence-transformers' tqdm "Batches: 100%|...| 1/1 [00:01<00:00, 1.19s/it]" in
    # the log of every `synthloop evaluate` / `report` / `curate` with stderr in a file
    code = (
        "from synthloop.core.embeddings import embed\n"
        "print(embed([f'text number {i}' for i in range(70)], show_progress=True).shape)"
    )
    proc = run(code)
    assert proc.returncode == 0 and proc.stdout == "(70, 384)\n", proc.stderr
    assert "Batches" not in proc.stderr and "it/s" not in proc.stderr
    # ours instead: rich, which writes a log one line, the bar as it ended
    (line,) = proc.stderr.splitlines()
    assert line.startswith("embedding ") and " 70/70 texts " in line


def test_a_failed_conversion_shows_llama_cpps_log_with_the_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF but not really a model")
    code = (
        "from pathlib import Path\n"
        "from synthloop.llm.weights import ensure_weights\n"
        "from synthloop.core.errors import ModelLoadError\n"
        "try:\n"
        f"    ensure_weights(Path({str(bogus)!r}), 'q8_0', Path({str(tmp_path)!r}))\n"
        "except ModelLoadError as exc:\n"
        "    print('error:', exc)\n"
    )
    proc = run(code)
    assert "error: llama.cpp could not convert bogus.gguf to q8_0" in proc.stdout
    shown = proc.stderr.splitlines()
    assert shown[0].startswith("--- the last") and "llama.cpp converting bogus.gguf" in shown[0]
    assert "failed to quantize" in proc.stderr


@pytest.mark.llm
def test_converting_the_embedded_model_logs_nothing_unless_verbose(tmp_path: Path) -> None:
    """The ~300-line quantize log of the first embedded run."""
    code = (
        "from pathlib import Path\n"
        "from synthloop.llm.embedded import default_model_path\n"
        "from synthloop.llm.weights import ensure_weights\n"
        "print(ensure_weights(default_model_path(), 'q4_0', Path({d!r})).name)\n"
    )
    quiet = run(code.format(d=str(tmp_path / "quiet")))
    assert quiet.returncode == 0 and quiet.stdout.endswith(".q4_0.gguf\n"), quiet.stderr
    assert quiet.stderr == ""
    loud = run(code.format(d=str(tmp_path / "loud")), verbose=True)
    assert len(loud.stderr.splitlines()) > 100  # llama.cpp's per-tensor lines
