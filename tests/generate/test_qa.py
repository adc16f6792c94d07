"""Extractive QA: questions written for a real passage and answer span; S3 on QA."""

from pathlib import Path

import pytest

from synthloop.core.errors import DataError
from synthloop.core.io import DataSpec, load_records
from synthloop.core.records import Record
from synthloop.generate import Generation, extrapolate, seed_anchors, zerogen
from synthloop.generate.anchors import Anchor
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from tests.conftest import FakeLLM, write_rows
from tests.task_fakes import QA_DEMO, qa_answer, qa_task


def demo(split: str) -> list:
    spec = DataSpec(path=str(QA_DEMO / f"{split}.jsonl"), columns={"label": "answer"})
    return load_records(spec, qa_task(), split_name=split)


async def ask_about_the_bridge(answer: str) -> Generation:
    """One question generated for the bridge passage (validation row 1), anchored to its
    answer "Margaret Ashby", the model replying ``answer``."""
    context = demo("validation")[1].inputs["context"]
    anchors = [Anchor(fixed={"context": context}, label="Margaret Ashby")]
    llm = FakeLLM(lambda req: answer)
    prompter = Prompter(qa_task(), LLMConfig())
    return await zerogen(llm, prompter, 1, anchors=anchors, show_progress=False)


def test_qa_task_defaults_and_record_shape() -> None:
    task = qa_task()
    assert task.inputs == ("context", "question") and task.labels == {}
    assert task.kept_fields == ("context",) and task.default_learner == "span_lr"
    rec = demo("validation")[0]
    assert rec.label == "1887" and task.learner_input(rec) == (
        rec.inputs["context"],
        rec.inputs["question"],
    )


def test_an_answer_outside_its_passage_is_a_clear_error(tmp_path: Path) -> None:
    rows = [{"context": "Paris is in France.", "question": "Where?", "label": "Spain"}]
    with pytest.raises(DataError, match="not a span of its context"):
        load_records(write_rows(tmp_path / "qa.jsonl", rows), qa_task())


async def test_questions_keep_the_passage_and_answer() -> None:
    task = qa_task()
    anchors = seed_anchors(task, demo("validation"), 10, seed=1)
    assert all(a.label and a.label in a.fixed["context"] for a in anchors)
    gen = await zerogen(
        FakeLLM(qa_answer), Prompter(task, LLMConfig()), 10, anchors=anchors, show_progress=False
    )
    assert gen.records
    for rec, anchor in zip(gen.records, anchors, strict=False):
        assert rec.inputs["context"] in {a.fixed["context"] for a in anchors}
        assert rec.inputs["question"].endswith("?")  # "That is my question." is cut
        assert rec.inputs["question"][0].isalpha()  # and so is the opening quote
        assert rec.label in rec.inputs["context"]
        assert rec.label.lower() not in rec.inputs["question"].lower()
        del anchor


@pytest.mark.parametrize(
    "question", ["What is the answer to this question?", "Who wrote the famous novel?"]
)
async def test_a_question_about_nothing_in_its_passage_is_dropped(question: str) -> None:
    task = qa_task()
    anchors = seed_anchors(task, demo("validation"), 3)
    gen = await zerogen(
        FakeLLM(lambda req: question),
        Prompter(task, LLMConfig()),
        3,
        anchors=anchors,
        show_progress=False,
    )
    assert gen.records == [] and gen.dropped["question_off_passage"] == 3


def test_a_question_sharing_a_stem_with_its_passage_is_kept() -> None:
    task = qa_task()
    passage = "The Harlow Bridge was built across the river Dene in 1887."
    fixed = {"context": passage}
    assert task.spec.reject(task, "When was Harlow's bridge finished?", "1887", fixed) is None
    founded = {"context": "The school was founded by Ada Lyle in 1887."}
    assert task.spec.reject(task, "When did its founder start?", "1887", founded) is None
    assert task.spec.reject(task, "When did it open?", "1887", fixed) == "question_off_passage"


@pytest.mark.parametrize(
    "answer",
    [
        "What is the answer to the question: Who designed the bridge?",
        "What's the answer to this question - Who designed the bridge?",
        "Answer the following question: 'Who designed the bridge?'",
        'What is the answer to the question "Who designed the bridge?"',
        # was: one wrapper cut, the inner one kept (SmolLM2-135M on real passages)
        'What is the answer to the question "What is the answer to the question: Who designed'
        ' the bridge?"',
        'What does the answer to the question "Who designed the bridge?"',  # was: kept whole
        # was: kept whole (SmolLM2-135M, extrapolating real questions)
        'I\'m not sure where to place the question "Who designed the bridge?"',
        'In this context, the question "Who designed the bridge?"',
        'The question is "Who designed the bridge?"',
        'A question about this context, which is "Who designed the bridge?"',
        "Question: Who designed the bridge?",
        "Question 2: Who designed the bridge? Answer: the engineer.",
        "Here is a question about the passage: Who designed the bridge?",
        "1. Who designed the bridge?",  # was: kept with its number
        "- Question: Who designed the bridge?",
        "Who designed the bridge?",
    ],
)
async def test_a_question_wrapped_in_meta_text_is_kept_without_it(answer: str) -> None:
    gen = await ask_about_the_bridge(answer)
    assert [r.inputs["question"] for r in gen.records] == ["Who designed the bridge?"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Question: Who designed the bridge?", "Who designed the bridge?"),  # any example_noun
        ("Question marks: where do they go?", "Question marks: where do they go?"),
        ("What is the answer to the question of tolls?", None),  # a question itself
        ("What is the answer to this question?", None),  # nothing inside
    ],
)
def test_only_a_wrapper_is_cut_from_a_question(text: str, kept: str | None) -> None:
    task = qa_task()
    assert task.spec.clean(text) == (kept or text)


@pytest.mark.parametrize(
    "answer",
    [
        "1. Who designed the bridge?\n2. When was the bridge built?",
        "- When was the bridge built?\n- Who designed the bridge?",
        "Here are two questions:\n1) Who designed the bridge?\n2) What did the bridge cost?",
    ],
)
async def test_a_list_of_questions_is_dropped(answer: str) -> None:
    # was: the first item kept, though the anchored answer may answer another
    gen = await ask_about_the_bridge(answer)
    assert gen.records == [] and gen.dropped == {"list_of_answers": 1}


async def test_a_question_that_gives_its_answer_away_is_dropped() -> None:
    task = qa_task()
    anchors = seed_anchors(task, demo("validation"), 3)
    llm = FakeLLM(lambda req: f"Is the answer {anchors[0].label} or not?")
    gen = await zerogen(llm, Prompter(task, LLMConfig()), 1, anchors=anchors, show_progress=False)
    assert gen.dropped == {"answer_in_question": 1}


async def test_qa_extrapolation_keeps_passage_and_gold_answer() -> None:
    task = qa_task()
    errors = demo("validation")[:3]
    gen = await extrapolate(FakeLLM(qa_answer), Prompter(task, LLMConfig()), errors)
    assert len(gen.records) == 3
    for rec, err in zip(gen.records, errors, strict=True):
        assert rec.parent_id == err.id and rec.label == err.label
        assert rec.inputs["context"] == err.inputs["context"]
        assert rec.inputs["question"] != err.inputs["question"]


async def test_s3_on_qa_scores_exact_match_and_f1(tmp_path: Path) -> None:
    task = qa_task()
    val, test = demo("validation"), demo("test")
    llm = CachedLLM(FakeLLM(qa_answer), tmp_path / "c.sqlite")
    cfg = S3Config(seed_size=24, rounds=1, max_errors_per_round=6)
    result = await s3_loop(
        llm,
        ExampleStrategy(Prompter(task, LLMConfig()), val, test, cfg),
        cfg.rounds,
        show_progress=False,
    )
    assert result.rationales == {}  # no labels, no rationales: no calls spent on them
    first = result.rounds[0]
    assert first.test is not None and first.test.kind == "qa"
    assert set(first.test.as_dict()) == {"exact_match", "f1", "n"}
    assert first.test.macro_f1 >= first.test.accuracy  # token F1 credits partial answers
    # a span model trained on synthetic questions answers real ones better than chance
    assert first.test.macro_f1 > 0.3
    extrapolated = [r for r in result.dataset if r.method == "extrapolate"]
    assert len(extrapolated) == min(6, len(first.errors))


@pytest.mark.parametrize(
    "answer",
    [
        'What is the answer to the question "Who designed the bridge?"',
        "Question: Who designed the bridge?",
    ],
)
async def test_extrapolation_drops_the_error_question_in_a_wrapper(answer: str) -> None:
    # was: kept, the wrapper cut after the copy check, so the validation question itself
    # went into the training data as a "new" example
    task = qa_task()
    error = demo("validation")[1]
    assert error.inputs["question"] == "Who designed the bridge?"
    gen = await extrapolate(FakeLLM(lambda req: answer), Prompter(task, LLMConfig()), [error])
    assert gen.records == [] and gen.dropped == {"copy_of_source": 1}


def test_a_passage_without_anything_to_ask_about_is_skipped_not_counted_each_pass() -> None:
    task = qa_task()
    real = demo("validation")
    barren = Record(
        id="barren", inputs={"context": "it rained and then it stopped", "question": "?"}, label=""
    )
    # every pass meets the barren passage once; it must not count again and again
    anchors = seed_anchors(task, [*real, barren], 2000, seed=0)
    assert anchors[1999].source_id != "barren"
    passages = {r.inputs["context"] for r in real}
    assert {a.fixed["context"] for a in anchors} == passages  # every other one, in turn
    with pytest.raises(DataError, match="no passage has a name, number or year"):
        seed_anchors(task, [barren], 3, seed=0)[0]
