"""Fakes for the generation toolbox tests: an LLM that answers each prompt kind in its
shape and records what it was sent, and a cheap bag-of-words embedder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.demos import DemoPool
from synthloop.llm import Request, Response
from tests.conftest import FakeLLM

WORDS = re.compile(r"[a-z]+")


def bag_of_words_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors from hashed words: texts sharing words are similar, like MiniLM's."""
    out = np.zeros((len(texts), 256), dtype=np.float32)
    for i, text in enumerate(texts):
        for w in WORDS.findall(text.lower()):
            if len(w) > 2:
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 256] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def brunch_and_steak(task: Task) -> DemoPool:
    """Two real reviews to show as demonstrations: v1 "the brunch eggs were perfect"
    (positive) and v2 "awful steak, never again" (negative)."""
    real = [
        Record(id="v1", inputs={"text": "the brunch eggs were perfect"}, label="positive"),
        Record(id="v2", inputs={"text": "awful steak, never again"}, label="negative"),
    ]
    return DemoPool(real, task, embed=bag_of_words_embed)


def first_message(request: Request) -> str:
    """The text of a chat request's first message (these tests send chat requests)."""
    assert request.messages is not None, "a chat request was expected"
    return request.messages[0].content


def last_text(request: Request) -> str:
    if request.messages:
        return "\n".join(m.content for m in request.messages)
    return request.prompt or ""


def toolbox_answer(request: Request) -> str:
    """Answers in the shape each toolbox prompt asks for, varied by the request's seed."""
    text = last_text(request)
    seed = request.seed or 0
    topic = re.search(r'subtopics of "([^"]+)"', text)
    if topic:
        name = topic.group(1).split(" ")[-1]
        return "Here you go:\n" + "\n".join(f"{i}. {name} part {i}" for i in range(1, 6))
    if "describe a specific situation" in text:
        return f"The guest found a hair in the soup on visit {seed % 89}."
    cond = re.search(r"- topic: (.+)", text)
    about = cond.group(1).strip() if cond else "food"
    label = "positive" if "Write one positive" in text else "negative"
    mood = "loved" if label == "positive" else "hated"
    return f"I {mood} the {about} here, visit number {seed % 997} was memorable."


class RecordingLLM(FakeLLM):
    """A FakeLLM that keeps every request it was sent."""

    def __init__(self, answer: Callable[[Request], str] = toolbox_answer) -> None:
        super().__init__(answer)
        self.requests: list[Request] = []

    async def complete(self, request: Request) -> Response:
        self.requests.append(request)
        return await super().complete(request)
