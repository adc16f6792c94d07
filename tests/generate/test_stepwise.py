from synthloop.core.tasks import Task
from synthloop.generate.conditional import ConditionPlan
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.demos import DemoSelector
from synthloop.generate.stepwise import rationale_then_example
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from tests.generate.fakes import (
    RecordingLLM,
    brunch_and_steak,
    first_message,
    toolbox_answer,
)


async def test_each_example_is_written_from_its_own_first_answer(task: Task) -> None:
    llm = RecordingLLM()
    plan = ConditionPlan(scopes=ConditionScopes({"topic": ["pizza"]}))
    gen = await rationale_then_example(
        llm, Prompter(task, LLMConfig()), 4, plan=plan, seed=3, show_progress=False
    )
    assert gen.calls == 8 == llm.calls and len(gen.records) == 4
    firsts, seconds = llm.requests[:4], llm.requests[4:]
    assert all("describe a specific situation" in first_message(r) for r in firsts)
    for rec, second in zip(gen.records, seconds, strict=True):
        why = rec.extra["rationale"]
        assert why.startswith("The guest found a hair in the soup")
        assert why in first_message(second)  # step 2 is conditioned on step 1
        assert rec.extra["conditions"] == {"topic": "pizza"}
        assert rec.method == "rationale-example" and rec.prompt_hash == second.digest()


async def test_an_unusable_first_answer_costs_its_sample(task: Task) -> None:
    def silent_on_reasons(request: Request) -> str:
        return "" if "describe a specific" in first_message(request) else toolbox_answer(request)

    llm = RecordingLLM(silent_on_reasons)
    gen = await rationale_then_example(llm, Prompter(task, LLMConfig()), 3, show_progress=False)
    assert gen.records == [] and gen.calls == 3 and gen.dropped["rationale_empty"] == 3


async def test_copies_of_a_demonstration_are_dropped(task: Task) -> None:
    # was: kept; only conditional dropped them (copy_of_demo)
    pool = brunch_and_steak(task)

    def copy_the_positive_demo(request: Request) -> str:
        text = first_message(request)
        if "describe a specific" in text:
            return toolbox_answer(request)
        return "The brunch eggs were perfect." if "(positive)" in text else "a new awful meal"

    gen = await rationale_then_example(
        RecordingLLM(copy_the_positive_demo),
        Prompter(task, LLMConfig()),
        2,
        demos=DemoSelector(pool, k=1, select="random"),
        show_progress=False,
    )
    assert gen.dropped["copy_of_demo"] == 1
    assert [r.inputs["text"] for r in gen.records] == ["a new awful meal"]
