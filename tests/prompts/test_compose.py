import re
from pathlib import Path
from typing import Literal, TypedDict

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task, load_task
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Demo, Prompter, approx_tokens, token_counter
from tests.conftest import FakeLLM
from tests.task_fakes import fact_check_task


class ZerogenVariables(TypedDict):
    label: str
    label_description: str


ZEROGEN: ZerogenVariables = {"label": "positive", "label_description": "the customer was happy"}


def test_plain_prompt_has_no_empty_parts(task: Task) -> None:
    text = Prompter(task, LLMConfig()).render("zerogen", **ZEROGEN)
    assert text == (
        "Write one positive restaurant review about restaurants. In this restaurant review, "
        "the customer was happy.\nReply with the restaurant review only, in one or two sentences."
    )


@pytest.mark.parametrize("mode", ["chat", "completion"])
def test_three_parts_are_placed_in_every_mode(
    task: Task, mode: Literal["chat", "completion"]
) -> None:
    critic = task.model_copy(update={"role": "a food critic for a city paper"})
    prompter = Prompter(critic, LLMConfig(mode=mode))
    demos = [Demo("The pasta was superb.", "positive", "val-1")]
    composed = prompter.compose(
        "zerogen", seed=3, conditions={"topic": "pizza", "length": "short"}, demos=demos, **ZEROGEN
    )
    text = composed.request.text
    assert text.startswith("Suppose you are a food critic for a city paper.")
    assert "pizza" in text and "short" in text and "The pasta was superb." in text
    # demonstrations come before the instruction, conditions after it
    assert text.index("The pasta") < text.index("positive restaurant review") < text.index("pizza")
    assert composed.request.mode == mode
    assert composed.provenance() == {
        "conditions": {"topic": "pizza", "length": "short"},
        "demos": ["val-1"],
    }


def test_token_budget_drops_the_demonstrations_that_overflow(task: Task) -> None:
    prompter = Prompter(task, LLMConfig())
    plain = approx_tokens(prompter.render("zerogen", **ZEROGEN))
    demos = [
        Demo("short and sweet, loved it", "positive", "a"),
        Demo("word " * 200, "positive", "long"),
        Demo("the staff were lovely", "positive", "b"),
    ]
    composed = prompter.compose(
        "zerogen", seed=0, demos=demos, max_prompt_tokens=plain + 40, **ZEROGEN
    )
    assert [d.id for d in composed.demos] == ["a", "b"]  # the long one is skipped, not the rest
    assert composed.demos_dropped == 1
    assert composed.prompt_tokens <= plain + 40
    assert "word word" not in composed.request.text
    # with no budget, everything goes in
    assert len(prompter.compose("zerogen", seed=0, demos=demos, **ZEROGEN).demos) == 3


def test_token_counter_prefers_the_llm_tokenizer() -> None:
    class Counting(FakeLLM):
        def count_tokens(self, text: str) -> int:
            return 7

    class Wrapper(FakeLLM):
        def __init__(self, inner: FakeLLM) -> None:
            super().__init__()
            self.inner = inner

    assert token_counter(Wrapper(Counting()))("anything") == 7
    assert token_counter(FakeLLM()) is approx_tokens


def test_demo_from_record_keeps_fields_and_id(task: Task) -> None:
    rec = Record(id="v3", inputs={"text": "Cold soup."}, label="negative")
    demo = Demo.from_record(rec, task)
    assert (demo.text, demo.label, demo.id, dict(demo.inputs)) == (
        "Cold soup.",
        "negative",
        "v3",
        {"text": "Cold soup."},
    )


def test_templates_dir_overrides_one_part(tmp_path: Path, task: Task) -> None:
    (tmp_path / "conditions.chat.j2").write_text(
        "Make it about {{ conditions.topic }}.", encoding="utf-8"
    )
    prompter = Prompter(task, LLMConfig(), tmp_path)
    text = prompter.render("zerogen", conditions={"topic": "tapas"}, **ZEROGEN)
    assert "Make it about tapas." in text and "- topic" not in text


def test_a_task_yaml_names_its_own_template(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "gen.j2").write_text(
        "{{ parts.role }} Write a {{ label }} tweet about {{ task.domain }}.", encoding="utf-8"
    )
    (tmp_path / "task.yaml").write_text(
        "name: tweets\ndomain: football\nrole: a football fan\n"
        "labels: {positive: happy, negative: sad}\ntemplates: {zerogen: prompts/gen.j2}\n",
        encoding="utf-8",
    )
    task = load_task(tmp_path / "task.yaml")
    text = Prompter(task, LLMConfig()).render("zerogen", **ZEROGEN)
    assert text == "Suppose you are a football fan. Write a positive tweet about football."


def test_missing_task_template_file_is_a_config_error(task: Task, tmp_path: Path) -> None:
    broken = task.model_copy(update={"templates": {"zerogen": str(tmp_path / "nope.j2")}})
    with pytest.raises(ConfigError, match="not found"):
        Prompter(broken, LLMConfig())


def test_unknown_variable_in_a_template_is_a_config_error(task: Task, tmp_path: Path) -> None:
    (tmp_path / "zerogen.chat.j2").write_text("{{ mood }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="mood"):
        Prompter(task, LLMConfig(), tmp_path).render("zerogen", **ZEROGEN)


async def test_a_noun_that_starts_with_a_vowel_gets_an() -> None:
    # "We write a evidence sentence for each claim", "Here is a evidence sentence": seen in
    # a user trial's prompts and judge prompts
    from synthloop.evaluate.judge import judge_labels, judge_ratings

    task = fact_check_task()
    completion = Prompter(task, LLMConfig(mode="completion"))
    sent = [
        Prompter(task, LLMConfig()).render("pair_rationales", n=5, **ZEROGEN),
        completion.render("pair_zerogen", kept_name="claim", kept="The sky is blue.", **ZEROGEN),
    ]

    def judge(request: Request) -> str:
        sent.append(request.messages[-1].content)  # type: ignore[index]
        return "3"

    await judge_labels(FakeLLM(judge), task, ["Claim: a\nEvidence: b"])
    await judge_ratings(FakeLLM(judge), task, ["Claim: a\nEvidence: b"])
    assert len(sent) == 5 and all("n evidence sentence" in text for text in sent[:3])
    assert not any(re.search(r"\b[Aa] evidence", text) for text in sent)
    assert "An evidence sentence such that" in sent[1]
