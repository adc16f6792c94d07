"""The fine-tuned MiniLM learner on what the shared contract test does not cover: pairs."""

import numpy as np
import pytest

from synthloop.core.errors import DataError
from synthloop.learners import FineTunedMiniLM


def test_pairs_are_cross_encoded() -> None:
    pairs = [("a man sleeps", "a person rests"), ("a man sleeps", "a man runs a race")] * 2
    labels = ["entailment", "not_entailment"] * 2
    model = FineTunedMiniLM(min_steps=2, epochs=1).fit(pairs, labels)
    assert list(model.classes_) == ["entailment", "not_entailment"]
    proba = model.predict_proba(pairs[:2])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)


def test_mixed_inputs_are_refused() -> None:
    with pytest.raises(DataError, match="mixed single texts and text pairs"):
        FineTunedMiniLM(min_steps=1).fit(["one text", ("a", "pair")], ["x", "y"])
