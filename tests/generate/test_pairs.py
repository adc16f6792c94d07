"""Sentence-pair tasks: generation keeps the real premise, S3 extrapolates per error."""

from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.io import load_records
from synthloop.core.records import Record
from synthloop.generate import Generation, extrapolate, seed_anchors, zerogen
from synthloop.llm import CachedLLM, LLMConfig, Request
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from synthloop.tasktypes.rules import copies_context
from tests.conftest import FakeLLM, write_rows
from tests.task_fakes import fact_check_task, pair_answer, pair_rows, pair_task


def test_pair_task_defaults() -> None:
    task = pair_task()
    assert task.inputs == ("premise", "hypothesis")
    assert task.generated_field == "hypothesis" and task.kept_fields == ("premise",)
    assert task.default_learner == "embed_lr"


async def zero_shot_on_two_premises(tmp_path: Path, answer: str) -> Generation:
    """Zero-shot hypotheses for two real premises, the model answering ``answer`` to both."""
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(2)), task)
    anchors = seed_anchors(task, val, 2)
    llm = FakeLLM(lambda req: answer)
    return await zerogen(llm, Prompter(task, LLMConfig()), 2, anchors=anchors, show_progress=False)


async def test_zero_shot_keeps_the_real_premise_and_balances_labels(tmp_path: Path) -> None:
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(6)), task)
    anchors = seed_anchors(task, val, 8, seed=0)
    assert len(anchors) == 8 and all(a.fixed["premise"] for a in anchors)
    # premises are used in turn: all six before any repeats
    assert len({a.fixed["premise"] for a in anchors[:6]}) == 6
    llm = FakeLLM(pair_answer)
    gen = await zerogen(llm, Prompter(task, LLMConfig()), 8, anchors=anchors, show_progress=False)
    premises = {r.inputs["premise"] for r in val}
    assert gen.records and all(r.inputs["premise"] in premises for r in gen.records)
    assert {r.label for r in gen.records} == {"entailment", "not_entailment"}
    # each record names the real record its premise is kept from (held-out leaves it out)
    by_id = {r.id: r for r in val}
    assert all(
        by_id[r.extra["anchor"]].inputs["premise"] == r.inputs["premise"] for r in gen.records
    )
    entailed = [r for r in gen.records if r.label == "entailment"]
    # the preamble and quotes are cut: only the hypothesis is kept
    assert all(r.inputs["hypothesis"].startswith("The ") for r in entailed)
    assert all(r.inputs["hypothesis"].endswith("was opened.") for r in entailed)


async def test_extrapolation_keeps_the_error_premise_and_gold_label(tmp_path: Path) -> None:
    task = pair_task()
    errors = load_records(write_rows(tmp_path / "e.jsonl", pair_rows(4)), task)
    llm = FakeLLM(pair_answer)
    gen = await extrapolate(llm, Prompter(task, LLMConfig()), errors, show_progress=False)
    assert len(gen.records) == 4
    by_id = {e.id: e for e in errors}
    for rec in gen.records:
        parent = by_id[rec.parent_id or ""]
        assert rec.inputs["premise"] == parent.inputs["premise"]
        assert rec.label == parent.label
        assert rec.inputs["hypothesis"] != parent.inputs["hypothesis"]


async def test_a_hypothesis_that_copies_its_premise_is_dropped(tmp_path: Path) -> None:
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(2)), task)
    anchors = seed_anchors(task, val, 2)
    llm = FakeLLM(lambda req: anchors[0].fixed["premise"])
    gen = await zerogen(llm, Prompter(task, LLMConfig()), 2, anchors=anchors, show_progress=False)
    assert gen.dropped["copy_of_context"] >= 1


async def test_a_hypothesis_that_is_its_premise_cut_short_is_dropped(tmp_path: Path) -> None:
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(2)), task)
    anchors = seed_anchors(task, val, 2)
    premises = [a.fixed["premise"] for a in anchors]

    def truncated_copy(req: Request) -> str:
        prompt = req.messages[-1].content if req.messages else req.prompt or ""
        premise = next(p for p in premises if p in prompt)
        return premise[: int(len(premise) * 0.6)]  # cut mid-word, as max_tokens does

    llm = FakeLLM(truncated_copy)
    gen = await zerogen(llm, Prompter(task, LLMConfig()), 2, anchors=anchors, show_progress=False)
    assert gen.records == [] and gen.dropped["copy_of_context"] == 2


PREMISE = "The Osaka World Trade Center is the tallest building in Western Japan, built in 1995."


@pytest.mark.parametrize(
    ("hypothesis", "copy"),
    [
        (PREMISE, True),
        ("the osaka world trade center is the tallest buil", True),  # truncated
        ("The Osaka World Trade Center is the tallest building in Japan.", False),  # a change
        ("The tallest building in Western Japan was built in 1995.", False),
        ("It was built in 1995.", False),  # a short run: an extraction, not a copy
    ],
)
def test_a_copy_of_the_premise_is_an_unchanged_run_of_half_of_it(
    hypothesis: str, copy: bool
) -> None:
    assert copies_context(hypothesis, PREMISE) is copy


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("I am ready to assist you with any questions you have.", "chatter"),
        ("I will be happy to write one for this news story.", "chatter"),
        ("The city opened a park, but as an AI I cannot know it.", "refusal"),
        # a reply word before the assistant's "I'll" (found as a fact-checking evidence
        # sentence); neither single-text parsing nor the pair rules dropped it
        ("No, I'll provide a concise and non-defensive reply.", "chatter"),
        ("Okay, I’ll write one about the bakery in Paris.", "chatter"),
    ],
)
async def test_a_hypothesis_of_assistant_talk_is_dropped(
    tmp_path: Path, answer: str, reason: str
) -> None:
    gen = await zero_shot_on_two_premises(tmp_path, answer)
    assert gen.records == [] and gen.dropped[reason] == 2


def test_pair_generation_needs_anchors() -> None:
    from synthloop.generate.zerogen import zerogen_jobs

    with pytest.raises(ConfigError, match="anchors"):
        zerogen_jobs(Prompter(pair_task(), LLMConfig()), 2, 0)


async def test_s3_on_pairs_extrapolates_errors_and_learns(tmp_path: Path) -> None:
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(16)), task)
    test = load_records(write_rows(tmp_path / "t.jsonl", pair_rows(16, offset=16)), task)
    llm = CachedLLM(FakeLLM(pair_answer), tmp_path / "c.sqlite")
    cfg = S3Config(seed_size=8, rationale_calls_per_label=1, rounds=1, max_errors_per_round=6)
    result = await s3_loop(
        llm,
        ExampleStrategy(Prompter(task, LLMConfig()), val, test, cfg),
        cfg.rounds,
        show_progress=False,
    )
    assert result.rationales["entailment"]
    seed = [r for r in result.dataset if r.method == "s3-seed"]
    assert seed and all(r.extra["rationales"] for r in seed)
    by_id: dict[str, Record] = {r.id: r for r in val}
    assert all(by_id[r.extra["anchor"]].inputs["premise"] == r.inputs["premise"] for r in seed)
    extrapolated = [r for r in result.dataset if r.method == "extrapolate"]
    assert extrapolated and result.rounds[0].errors
    for rec in extrapolated:
        assert rec.inputs["premise"] == by_id[rec.parent_id or ""].inputs["premise"]
    # the default small model for pairs, embed_lr, scored on real pairs each round
    assert all(r.test is not None for r in result.rounds)
    assert result.rounds[-1].val.accuracy >= result.rounds[0].val.accuracy


async def test_a_generator_without_premises_is_refused_before_any_call() -> None:
    from synthloop.generate.common import Job, run_jobs
    from synthloop.llm import Request

    llm = FakeLLM(pair_answer)
    jobs = [Job(request=Request.chat("write"), label="entailment")]
    with pytest.raises(ConfigError, match="keeps a real premise"):
        await run_jobs(llm, pair_task(), jobs, method="conditional", show_progress=False)
    assert llm.calls == 0


async def test_meta_commentary_and_chatter_are_dropped(tmp_path: Path) -> None:
    task = pair_task()
    val = load_records(write_rows(tmp_path / "v.jsonl", pair_rows(3)), task)
    answers = iter(
        [
            "The premise is true, so the hypothesis follows.",
            "I'm ready to assist you. What topic would you like to discuss?",
            "The bakery in Paris was opened by volunteers.",
        ]
    )
    llm = FakeLLM(lambda req: next(answers))
    gen = await zerogen(
        llm,
        Prompter(task, LLMConfig()),
        3,
        anchors=seed_anchors(task, val, 3),
        show_progress=False,
    )
    assert gen.dropped == {"meta_commentary": 1, "chatter": 1}
    assert [r.inputs["hypothesis"] for r in gen.records] == [
        "The bakery in Paris was opened by volunteers."
    ]


async def test_a_field_name_used_as_an_ordinary_word_is_no_meta_commentary(
    tmp_path: Path,
) -> None:
    # a fact-checking task's fields are everyday words: an evidence sentence may say
    # "evidence" without talking about the task; "the claim ..." still does
    task = fact_check_task()
    rows = [
        {"claim": f"The bakery {i} opened.", "evidence": "It did.", "label": "supported"}
        for i in range(3)
    ]
    val = load_records(write_rows(tmp_path / "v.jsonl", rows), task)
    answers = iter(
        [
            "Historians cite his letters as evidence of a quarrel with the baker.",
            'The claim "The bakery opened" is not supported by the evidence.',
            "Several claims about the opening were later withdrawn by the council.",
        ]
    )
    llm = FakeLLM(lambda req: next(answers))
    prompter = Prompter(task, LLMConfig(max_concurrency=1))
    gen = await zerogen(llm, prompter, 3, anchors=seed_anchors(task, val, 3), show_progress=False)
    assert gen.dropped == {"meta_commentary": 1}
    assert [r.inputs["evidence"] for r in gen.records] == [
        "Historians cite his letters as evidence of a quarrel with the baker.",
        "Several claims about the opening were later withdrawn by the council.",
    ]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Headline: Storm hits coast", "headline"),
        ("Title: Bakery opens in Paris", "headline"),  # the parser cuts "Title:" off
        ("**News headline:** Bakery opens in Paris", "headline"),
        ("Sure! Here's a headline for this story.\nBakery Opens In Paris", "headline"),
        ("Here is a rewritten version: The bakery in Paris was opened.", "rewrite"),
        ("Rewrite: The bakery in Paris was opened by the mayor.", "rewrite"),
        ("Paraphrased premise - The bakery in Paris was opened.", "rewrite"),
        ("You could rewrite it to say that the bakery was closed.", "rewrite"),
        ("Try changing 'opened' to 'closed' in the sentence.", "rewrite"),
        ("- The bakery was opened.\n- The bakery is in Paris.", "list_of_answers"),
        ("1. The bakery was opened.\n2. The mayor was there.", "list_of_answers"),
    ],
)
async def test_a_headline_rewrite_or_list_is_no_hypothesis(
    tmp_path: Path, answer: str, reason: str
) -> None:
    gen = await zero_shot_on_two_premises(tmp_path, answer)
    assert gen.records == [] and gen.dropped == {reason: 2}


@pytest.mark.parametrize(
    "answer",
    [
        "Suggested hypothesis: The bakery in Paris was opened by volunteers.",
        "Possible hypothesis - The bakery in Paris was opened by volunteers.",
        "1. The bakery in Paris was opened by volunteers.",  # one item: its number is cut
        # the words alone are no wrapper
        "The bakery in Paris was opened by volunteers.",
    ],
)
async def test_a_hypothesis_in_a_label_is_kept_without_it(tmp_path: Path, answer: str) -> None:
    gen = await zero_shot_on_two_premises(tmp_path, answer)
    assert [r.inputs["hypothesis"] for r in gen.records] == [
        "The bakery in Paris was opened by volunteers."
    ] * 2


@pytest.mark.parametrize(
    "hypothesis",
    [
        "The title of the novel was changed in 1995.",  # 'title', but no label
        "Reuters revised its forecast: growth will slow.",
        "The headline figure was clear: prices rose by 2%.",
    ],
)
def test_words_of_a_wrapper_inside_a_hypothesis_are_kept(hypothesis: str) -> None:
    task = pair_task()
    assert task.spec.reject_raw(task, hypothesis) is None


@pytest.mark.parametrize(
    "hypothesis",
    [
        "No ill effects were seen in the volunteers.",  # 'no' and 'ill', no assistant
        "Well, the bakery was opened in 1900.",
        "Sorry, I'll call later",
        "Ill health forced the minister to resign.",  # was: chatter, as if "I'll" lost its '
        "ill-fated voyages were common then.",
    ],
)
def test_a_reply_word_before_no_assistant_talk_is_kept(hypothesis: str) -> None:
    task = fact_check_task()
    assert task.spec.reject(task, hypothesis, "supported") is None
