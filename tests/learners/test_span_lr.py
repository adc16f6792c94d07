"""span_lr: the extractive-QA small model ranks candidate spans of the passage."""

import pytest

from synthloop.core.errors import DataError
from synthloop.learners import make_learner
from synthloop.learners.span_lr import span_shape, wh_type
from synthloop.tasktypes.qa.spans import candidate_spans, salient_spans, tokenize

PASSAGE = (
    "The Harlow Bridge was built across the river Dene in 1887. It was designed by the "
    "engineer Margaret Ashby and cost 42,000 pounds."
)


def test_candidates_and_salient_spans() -> None:
    tokens = tokenize(PASSAGE)
    texts = {PASSAGE[s.char_start : s.char_end] for s in candidate_spans(tokens)}
    assert {"1887", "Margaret Ashby", "42,000 pounds"} <= texts
    assert "in 1887" not in texts  # spans start and end on content words
    assert not any("1887. It" in t for t in texts)  # and stay inside one sentence
    assert {"1887", "Margaret Ashby", "Dene"} <= set(salient_spans(PASSAGE))


def test_question_and_span_types() -> None:
    assert wh_type("In which year was it built?") == "what"
    assert wh_type("How many people came?") == "how many"
    assert wh_type("Who designed it?") == "who"
    assert span_shape(tokenize("1887")) == "year"
    assert span_shape(tokenize("Margaret Ashby")) == "name"


def test_span_lr_learns_to_answer_from_question_answer_pairs() -> None:
    passages = [
        "The Orvin mill was built in 1850 by the miller Jon Hale. It ground wheat for 80 years.",
        "The Tamsk school was opened in 1902 by the teacher Ada Lind. It had 40 pupils.",
        "The Brell bridge was finished in 1791 by the mason Karl Berg. It has 6 arches.",
        "The Ostara tower was raised in 1744 by the builder Max Roth. It is 30 metres tall.",
    ]
    train, answers = [], []
    for p in passages[:3]:
        year = p.split(" in ")[1][:4]
        name = " ".join(p.split(" by the ")[1].split()[1:3]).rstrip(".")
        train += [(p, "When was it built?"), (p, "Who built it?")]
        answers += [year, name]
    model = make_learner("span_lr").fit(train, answers)
    test = passages[3]
    assert list(model.predict([(test, "When was the tower raised?")])) == ["1744"]
    assert list(model.predict([(test, "Who raised the tower?")])) == ["Max Roth"]


def test_span_lr_needs_answers_that_are_spans() -> None:
    with pytest.raises(DataError, match="none of 1 answers is a span"):
        make_learner("span_lr").fit([("The mill was built in 1850.", "When?")], ["1900"])
    with pytest.raises(DataError, match="context, question"):
        make_learner("span_lr").fit(["just one text"], ["x"])
