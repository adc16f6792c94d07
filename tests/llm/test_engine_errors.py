"""A failure of the embedded engine reaches the user as one line of the error tree, not as
an internal error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from synthloop.core.errors import EngineError, LLMError


def test_engine_error_is_an_llm_error() -> None:
    assert issubclass(EngineError, LLMError)


def test_an_engine_without_memory_for_its_context_is_one_line(
    run_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import llama_cpp

    import synthloop.llm.engine as engine
    import synthloop.llm.weights as weights
    from synthloop.cli import main

    class Weights:  # what Llama gives the engine, without reading the model
        def __init__(self, **_: Any) -> None:
            self.metadata: dict[str, str] = {}

        def close(self) -> None:
            pass

    class NoMemory:  # llama_init_from_model returned NULL: the engine's own error
        def __init__(self, _llama: Any, *, n_slots: int, n_ctx_slot: int, **_: Any) -> None:
            raise EngineError(
                f"llama.cpp could not create a context for {n_slots} sequences of "
                f"{n_ctx_slot} tokens",
                hint="not enough memory? lower llm.max_concurrency or llm.n_ctx",
            )

    monkeypatch.setattr(llama_cpp, "Llama", Weights)
    monkeypatch.setattr(weights, "ensure_weights", lambda path, *_a, **_k: path)
    monkeypatch.setattr(engine, "BatchEngine", NoMemory)
    out = run_config.parent / "gen.jsonl"
    monkeypatch.setattr(sys, "argv", ["synthloop", "generate", str(run_config), "-n", "2",
                                      "-o", str(out), "-q"])  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "error: llama.cpp could not create a context for 16 sequences of 2048 tokens "
        "(hint: not enough memory? lower llm.max_concurrency or llm.n_ctx)"
    )
    assert not any("internal error" in line for line in err)
