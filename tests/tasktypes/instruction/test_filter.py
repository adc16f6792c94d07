"""Chatter and meta-commentary in instruction data: dropped or cut, never on real seeds."""

import pytest

from synthloop.core.tasks import Task
from synthloop.generate.self_instruct import (
    SelfInstructConfig,
    clean_output,
    self_instruct,
)
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from synthloop.tasktypes.instruction.filter import chatter_in_instruction, clean_response
from tests.conftest import FakeLLM
from tests.task_fakes import seed_examples


@pytest.mark.parametrize(
    "text,reason",
    [
        ("The task is to write a poem about cats.", "meta_instruction"),
        ("This instruction asks you to list three colours.", "meta_instruction"),
        ("Write one new task instruction, different from all of these.", "meta_instruction"),
        ("Instruction 7: List three colours.", "meta_instruction"),
        ("Here is another task for you to try.", "meta_instruction"),
        ("Just create an entirely new task about equations.", "meta_instruction"),
        ("The task instruction is to find the passage index.", "meta_instruction"),
        ("Provide a new task that requires a response in one sentence.", "meta_instruction"),
        ("As an AI language model, I cannot browse the web.", "refusal"),
        ("I'm happy to help! What topic would you like?", "chatter"),
        ("I'll add more details.", "chatter"),
        ("I'm ready. Now, let's write an additional task.", "chatter"),
        ("Write a poem about the sea.", None),
        ("In this task, you are given a sentence; find its verb.", None),
        ("Is there anything I can eat for breakfast without eggs?", None),
    ],
)
def test_instructions_that_talk_about_the_task(text: str, reason: str | None) -> None:
    assert chatter_in_instruction(text) == reason


@pytest.mark.parametrize(
    "raw,kept",
    [
        ("Sure! Here is the answer:\nParis is the capital.", "Paris is the capital."),
        ("Certainly. 42\n\nI hope this helps! Let me know if you need more.", "42"),
        ("Of course! Here is my response:\n1. a\n2. b", "1. a\n2. b"),
        ("Here are some tips to stay motivated:\n- set goals", None),  # a human opening
        ("I can't help but smile at the sea.", None),  # an idiom, not a refusal
    ],
)
def test_politeness_around_a_response_is_cut(raw: str, kept: str | None) -> None:
    assert clean_response(raw) == (kept if kept is not None else raw, "")


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("As an AI language model, I cannot do that.", "refusal"),
        ("Sure!", "only_chatter"),
        ("How can I assist you today?", "chatter"),
    ],
)
def test_chatter_through_and_through_is_dropped(raw: str, reason: str) -> None:
    assert clean_response(raw) == (None, reason)


def test_a_response_that_says_the_instruction_back_is_dropped() -> None:
    assert clean_output("Name a colour.", "Sure! Name a colour.") == (None, "response_echo")


async def test_self_instruct_drops_chatty_instructions_and_responses() -> None:
    proposals = iter(
        [
            "The task is to write about dogs.",
            "Describe a sunset over the sea.",
            "Name two mammals that can fly.",
        ]
    )

    def answer(request: Request) -> str:
        text = request.messages[-1].content if request.messages else ""
        if "Carry out this instruction" in text:
            if "sunset" in text:
                return "Input: <none>\nOutput: As an AI language model, I cannot see sunsets."
            return "Input: <none>\nOutput: Sure! Bats and flying squirrels.\nI hope this helps!"
        return next(proposals)

    task = Task(name="h", type="instruction", domain="everyday tasks")
    result = await self_instruct(
        FakeLLM(answer),
        Prompter(task, LLMConfig()),
        seed_examples(),
        SelfInstructConfig(n=3, batch=3, max_calls=5),
        show_progress=False,
    )
    assert result.dropped["meta_instruction"] == 1 and result.dropped["response_refusal"] == 1
    assert [(r.inputs["instruction"], r.label) for r in result.records] == [
        ("Name two mammals that can fly.", "Bats and flying squirrels.")
    ]


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("I'm not ready to write a full response yet.", "chatter"),
        ("Output: [your output]", "placeholder"),
        ("<output here>", "placeholder"),
        ("This instruction asks for input, so you must write it.", "meta_response"),
        ("If it needs an input, first write the input and then the answer.", "prompt_echo"),
        ("Carry out this instruction using Python.", "prompt_echo"),
        ("Continue working.\nInstruction: Keep going.\nOutput: Done.", "prompt_echo"),
    ],
)
def test_small_model_leftovers_are_dropped(raw: str, reason: str) -> None:
    prompt = "Carry out this instruction. If it needs an input, first write the input."
    assert clean_response(raw, prompt) == (None, reason)


def test_inputs_may_quote_anyone_but_not_the_prompt() -> None:
    from synthloop.tasktypes.instruction.filter import clean_input

    apology = "- Agent: I am sorry, we will refund the order."
    assert clean_input(apology) == (apology, "")  # a dialogue to work on, not a refusal
    assert clean_input("[Your Name]") == ("[Your Name]", "")  # a human template slot
    assert clean_input("<input here>") == (None, "placeholder")
    prompt = "Carry out this instruction. If it needs an input, write it first."
    assert clean_input("Carry out this instruction. If it needs", prompt) == (None, "prompt_echo")
    assert clean_input("x\nOutput: y") == (None, "prompt_echo")
