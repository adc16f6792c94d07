"""The instruction small model: nearest training instruction (+input) -> its response."""

import pytest

from synthloop.core.errors import DataError
from synthloop.learners import make_learner
from synthloop.learners.retrieval_responder import RetrievalResponder, query_text
from tests.generate.fakes import bag_of_words_embed


def test_it_answers_with_the_nearest_instruction_s_response() -> None:
    model = RetrievalResponder(embed=bag_of_words_embed).fit(
        [
            ("Translate the sentence into French.", "Good morning."),
            ("List three fruits rich in vitamin C.", ""),
            ("Summarise the paragraph in one sentence.", "The council met on Monday."),
        ],
        ["Bonjour.", "Oranges, kiwis, lemons.", "The council met."],
    )
    pred = model.predict(
        [
            ("Please translate this sentence into French.", "Thank you."),
            "Which fruits have vitamin C?",
        ]
    )
    assert list(pred) == ["Bonjour.", "Oranges, kiwis, lemons."]
    idx, sims = model.nearest(["Summarise this paragraph."])
    assert idx.tolist() == [2] and 0 < sims[0] <= 1.0001


def test_contract_errors_are_clear() -> None:
    model = RetrievalResponder(embed=bag_of_words_embed)
    with pytest.raises(RuntimeError, match="fit"):
        model.predict(["x"])
    with pytest.raises(DataError, match="2 instructions but 1 responses"):
        model.fit(["a b c", "d e f"], ["x"])
    with pytest.raises(DataError, match="no instructions"):
        model.fit([], [])
    assert query_text(("Do this.", "  ")) == "Do this."
    assert query_text(("Do this.", "on that")) == "Do this.\non that"


def test_it_is_registered_with_the_learners() -> None:
    assert isinstance(make_learner("retrieval_responder"), RetrievalResponder)


def test_minilm_by_default() -> None:
    model = make_learner("retrieval_responder").fit(
        ["How do I boil an egg?", "Name a famous painter."],
        ["Boil it for eight minutes.", "Monet."],
    )
    assert list(model.predict(["What is the way to cook an egg in water?"])) == [
        "Boil it for eight minutes."
    ]
