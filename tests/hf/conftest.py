from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from synthloop.run.config import load_config
from synthloop.run.s3 import run_s3
from tests.conftest import FakeLLM


@pytest.fixture
def finished_run(tmp_path: Path, run_config: Path) -> Path:
    """A real S3 run directory, made with the scripted fake LLM."""
    out = tmp_path / "run"
    asyncio.run(
        run_s3(load_config(run_config), out, show_progress=False, backend=lambda _c: FakeLLM())
    )
    return out
