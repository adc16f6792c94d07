import random

import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import CurateContext
from tests.conftest import NEGATIVE, POSITIVE

FILLER = ["the", "food", "was", "and", "service", "felt", "our", "dinner", "really", "quite"]


def review(rng: random.Random, label: str) -> str:
    words = POSITIVE if label == "positive" else NEGATIVE
    picked = [rng.choice(words) for _ in range(3)] + [rng.choice(FILLER) for _ in range(4)]
    rng.shuffle(picked)
    return " ".join(picked) + f" {rng.randrange(10_000)}"


def noisy_records(n: int = 80, flipped: int = 6, seed: int = 0) -> tuple[list[Record], set[str]]:
    """Separable reviews; the first ``flipped`` of them carry the wrong label."""
    rng = random.Random(seed)
    records, wrong = [], set()
    for i in range(n):
        true = "positive" if i % 2 == 0 else "negative"
        label = true
        if i < flipped:
            label = "negative" if true == "positive" else "positive"
            wrong.add(f"r{i}")
        records.append(
            Record(id=f"r{i}", inputs={"text": review(rng, true)}, label=label, method="zerogen")
        )
    return records, wrong


@pytest.fixture
def ctx(task: Task) -> CurateContext:
    return CurateContext(task=task)
