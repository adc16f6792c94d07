from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from synthloop.core.tasks import Task
from synthloop.llm import LLM, Request, Response
from tests.reviews import NEGATIVE, POSITIVE, REVIEWS, TASK_YAML, labelled_rows, write_rows

# One Ray auth mode for every Ray process the tests start (ray.init clusters, `ray start`
# nodes, CLI subprocesses with --runner ray): Ray >= 2.59 secures clusters with a token once
# ~/.ray/auth_token exists, and full-suite runs here mixed modes and failed with
# InvalidAuthToken from the first cluster test on. The clusters listen on this machine only.
os.environ["RAY_AUTH_MODE"] = "disabled"

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def scripted_answer(request: Request) -> str:
    """A deterministic stand-in for an LLM: answers in the shape each prompt asks for."""
    text = request.messages[-1].content if request.messages else request.prompt or ""
    seed = request.seed or 0
    if "numbered list" in text:
        return "Here are some reasons:\n1. The food was tasty and fresh\n2. Staff were kind\n"
    first = re.search(r"\b(positive|negative)\b", text)
    label = first.group(1) if first else "positive"
    imitated = re.search(r'^"(.+)"$', text, re.MULTILINE)
    if imitated:  # error extrapolation: stay close to the real example
        return f"Much like this one, {imitated.group(1)}"
    # seed data knows only a few words per label, so real data leaves errors to extrapolate
    words = (POSITIVE if label == "positive" else NEGATIVE)[:3]
    picks = [words[(seed + i) % len(words)] for i in range(3)]
    meal, room, staff = picks
    return f'Review: "The meal was {meal}, the room {room} and the staff {staff} #{seed % 97}."'


class FakeLLM(LLM):
    """A backend with no model behind it: counts calls, can fail after N of them."""

    backend = "fake"

    def __init__(
        self, answer: Callable[[Request], str] = scripted_answer, fail_after: int | None = None
    ) -> None:
        self.answer = answer
        self.fail_after = fail_after
        self.calls = 0

    @property
    def model(self) -> str:
        return "fake-1"

    async def complete(self, request: Request) -> Response:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("simulated crash")
        self.calls += 1
        text = self.answer(request)
        return Response(text=text, prompt_tokens=10, completion_tokens=len(text.split()))


@pytest.fixture
def task() -> Task:
    return REVIEWS.model_copy(deep=True)  # each test its own: a frozen model's dicts still change


@pytest.fixture
def real_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "validation": write_rows(tmp_path / "validation.jsonl", labelled_rows(20)),
        "test": write_rows(tmp_path / "test.jsonl", labelled_rows(30)),
    }


@pytest.fixture
def run_config(tmp_path: Path, real_files: dict[str, Path]) -> Path:
    """A tiny run config on the embedded LLM, with its task file beside it."""
    (tmp_path / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text(
        "task: task.yaml\n"
        "data:\n  validation: {path: validation.jsonl}\n  test: {path: test.jsonl}\n"
        "llm: {max_tokens: 40}\n"
        "s3: {seed_size: 6, rationale_calls_per_label: 1, rounds: 1, max_errors_per_round: 3}\n",
        encoding="utf-8",
    )
    return config


requires_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data absent")


def use_fake_llm(monkeypatch: pytest.MonkeyPatch, fake: LLM) -> None:
    """Make the runner build ``fake`` in place of the configured backend, inside the run's
    cache as usual (whatever else make_llm is asked to wrap it in)."""
    import synthloop.run.generate
    import synthloop.run.s3
    from synthloop.llm import CachedLLM

    def make(_config: object, path: Path, *_: object, **__: object) -> CachedLLM:
        return CachedLLM(fake, path)

    for runner in (synthloop.run.s3, synthloop.run.generate):
        monkeypatch.setattr(runner, "make_llm", make)
