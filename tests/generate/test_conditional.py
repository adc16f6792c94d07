from collections import Counter
from pathlib import Path

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.concept_tree import tree_from_mapping
from synthloop.generate.conditional import ConditionPlan, conditional, conditional_jobs
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.demos import DemoPool, DemoSelector
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from tests.generate.fakes import RecordingLLM, bag_of_words_embed, brunch_and_steak, first_message


async def test_tree_leaves_meet_every_label_and_records_carry_their_condition(
    task: Task,
) -> None:
    tree = tree_from_mapping({"dining": {"brunch": ["eggs", "pancakes"], "dinner": ["steak"]}})
    plan = ConditionPlan(scopes=ConditionScopes({"length": ["short", "long"]}), tree=tree)
    llm = RecordingLLM()
    gen = await conditional(llm, Prompter(task, LLMConfig()), 6, plan=plan, show_progress=False)
    assert gen.calls == 6 and len(gen.records) == 6
    pairs = Counter((tuple(r.extra["leaf"]), r.label) for r in gen.records)
    assert len(pairs) == 6  # 3 leaves x 2 labels, each once
    for rec in gen.records:
        topic = rec.extra["conditions"]["topic"]
        assert topic == " > ".join(rec.extra["leaf"][1:])
        assert rec.extra["conditions"]["length"] in ("short", "long")
        assert topic in rec.inputs["text"]  # the fake writes about the topic it was given
        assert rec.method == "conditional" and rec.round == 0 and rec.prompt_hash
    assert len({r.id for r in gen.records}) == 6


async def test_demonstrations_are_recorded_and_copies_of_them_dropped(task: Task) -> None:
    pool = brunch_and_steak(task)

    def copy_the_demo(request: Request) -> str:
        text = first_message(request)
        return "the brunch eggs were perfect" if "(positive)" in text else "a new awful meal here"

    llm = RecordingLLM(copy_the_demo)
    gen = await conditional(
        llm,
        Prompter(task, LLMConfig()),
        4,
        demos=DemoSelector(pool, k=1, select="similar"),
        show_progress=False,
    )
    assert gen.dropped["copy_of_demo"] == 1  # the positive copy; one more is a duplicate
    assert [r.extra["demos"] for r in gen.records] == [["v2"]]
    assert "awful steak" in first_message(llm.requests[1])


async def test_near_copies_of_a_demonstration_are_dropped_too(task: Task) -> None:
    # was: kept, only a verbatim copy (up to case and spacing) was dropped
    real = [Record(id="v1", inputs={"text": "the brunch eggs were perfect"}, label="positive")]
    pool = DemoPool(real, task, embed=bag_of_words_embed)
    answers = iter(
        [
            "The brunch eggs were perfect!",  # punctuation and case only: a copy
            "the brunch, eggs -- were perfect",
            "the brunch eggs were perfect, truly",  # a word more: its own example
        ]
    )
    llm = RecordingLLM(lambda _: next(answers))
    gen = await conditional(
        llm,
        Prompter(task.model_copy(update={"labels": {"positive": "happy"}}), LLMConfig()),
        3,
        demos=DemoSelector(pool, k=1, select="random"),
        show_progress=False,
    )
    assert gen.dropped["copy_of_demo"] == 2
    assert [r.inputs["text"] for r in gen.records] == ["the brunch eggs were perfect, truly"]


async def test_plain_conditional_is_zero_shot(task: Task, tmp_path: Path) -> None:
    llm = RecordingLLM()
    gen = await conditional(llm, Prompter(task, LLMConfig()), 2, show_progress=False)
    assert all(r.extra == {} for r in gen.records)
    assert "conditions" not in first_message(llm.requests[0])


async def test_a_per_label_tree_keeps_each_label_on_its_own_leaves(task: Task) -> None:
    tree = tree_from_mapping(
        {"dining": {"positive": ["kind staff", "fresh bread"], "negative": ["long wait"]}}
    )
    plan = ConditionPlan(tree=tree, per_label=True)
    gen = await conditional(
        RecordingLLM(), Prompter(task, LLMConfig()), 8, plan=plan, show_progress=False
    )
    for rec in gen.records:
        assert rec.extra["leaf"][1] == rec.label
        assert rec.extra["conditions"]["topic"] == rec.extra["leaf"][2]  # no label level shown
    assert {r.extra["conditions"]["topic"] for r in gen.records if r.label == "positive"} == {
        "kind staff",
        "fresh bread",
    }


async def test_an_assistant_glad_it_could_help_is_chatter(task: Task) -> None:
    # was kept: "I'm so glad I could help!" became a positive review (zerogen via a server)
    llm = RecordingLLM(lambda _: "I'm so glad I could help you with that today!")
    gen = await conditional(llm, Prompter(task, LLMConfig()), 4, show_progress=False)
    assert gen.records == [] and gen.dropped == {"chatter": 4}


def test_a_round_of_ten_gives_each_of_five_scope_values_two_examples(task: Task) -> None:
    # was: drawn at random per example, leaving some audience with one example or none
    plan = ConditionPlan(scopes=ConditionScopes({"audience": list("abcde")}))
    jobs = conditional_jobs(Prompter(task, LLMConfig()), 10, plan=plan)
    audiences = Counter(j.extra["conditions"]["audience"] for j in jobs)
    assert audiences == Counter({v: 2 for v in "abcde"})
