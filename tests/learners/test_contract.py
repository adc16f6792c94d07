"""The contract every learner must keep (scikit-learn style)."""

import inspect

import numpy as np
import pytest

from synthloop.core.errors import ConfigError, DataError
from synthloop.learners import LEARNERS, Learner, make_learner

TEXTS = ["great food", "lovely staff", "superb meal", "awful food", "rude staff", "cold meal"]
LABELS = ["pos", "pos", "pos", "neg", "neg", "neg"]


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_learner_contract(name: str) -> None:
    learner = make_learner(name)
    # __init__ stores keyword arguments only: no fitted state before fit()
    assert not [a for a in vars(learner) if a.endswith("_")]
    params = inspect.signature(type(learner).__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")

    fitted = learner.fit(TEXTS, LABELS)
    assert fitted is learner
    assert isinstance(learner, Learner)  # a classifier: classes_ and predict_proba
    assert list(learner.classes_) == ["neg", "pos"]
    assert list(learner.predict(["great meal", "rude food and awful"])) == ["pos", "neg"]
    proba = learner.predict_proba(["great meal"])
    assert proba.shape == (1, 2) and np.isclose(proba.sum(), 1.0)


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_sample_weight_changes_the_fit(name: str) -> None:
    texts = [*TEXTS, "food"]
    labels = [*LABELS, "pos"]
    light = make_learner(name).fit(texts, labels, sample_weight=[1, 1, 1, 1, 1, 1, 0.01])
    heavy = make_learner(name).fit(texts, labels, sample_weight=[1, 1, 1, 1, 1, 1, 50])
    assert isinstance(light, Learner) and isinstance(heavy, Learner)
    p_light = light.predict_proba(["food"])[0][list(light.classes_).index("pos")]
    p_heavy = heavy.predict_proba(["food"])[0][list(heavy.classes_).index("pos")]
    assert p_heavy > p_light


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_one_label_is_a_clear_error(name: str) -> None:
    with pytest.raises(DataError, match="fewer than two labels"):
        make_learner(name).fit(["a b", "c d"], ["pos", "pos"])


def test_unknown_learner_lists_the_options() -> None:
    with pytest.raises(
        ConfigError,
        match="choose one of: embed_lr, minilm_ft, retrieval_responder, span_lr, tfidf_lr",
    ):
        make_learner("bert-xxl")
