from synthloop.core.tasks import Task
from synthloop.generate.dialogue import clean_turn, dialogues
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from tests.generate.fakes import RecordingLLM


def speaker_aware(request: Request) -> str:
    """Answers as whoever the request casts the model as, numbering its turns."""
    if request.messages:
        first = request.messages[0].content
        played = "user" if first.startswith("You are a diner") else "assistant"
        turn = len(request.messages)
    else:
        prompt = request.prompt or ""
        played = "user" if prompt.rstrip().endswith("User:") else "assistant"
        turn = prompt.count("\nUser:") + prompt.count("\nAssistant:")
    tag = (request.seed or 0) % 97
    if played == "user":
        return f"User: I want to complain about meal {tag}, message {turn}.\nAssistant: ok"
    return f"I am sorry to hear that, reply {turn}."


async def test_chat_dialogues_alternate_roles_and_swap_them_for_the_user(task: Task) -> None:
    llm = RecordingLLM(speaker_aware)
    prompter = Prompter(task, LLMConfig())
    gen = await dialogues(
        llm, prompter, 2, turns=4, user="a diner", assistant="the manager", show_progress=False
    )
    assert gen.calls == 8 == llm.calls and len(gen.records) == 2
    rec = gen.records[0]
    turns = rec.extra["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
    # unprefixed, and cut where the model began writing the other side
    assert turns[0]["content"].startswith("I want to complain about meal ")
    assert turns[0]["content"].endswith(", message 1.")
    assert rec.inputs["text"].splitlines()[1] == "Assistant: " + turns[1]["content"]
    assert rec.method == "dialogue" and rec.label in task.labels
    # turn 3 (the user again): the system message casts the user; the model's own earlier
    # line is "assistant", the manager's reply is "user"
    third = llm.requests[4]
    assert third.messages is not None
    assert [m.role for m in third.messages] == ["system", "assistant", "user"]
    assert "You are a diner" in third.messages[0].content


async def test_completion_dialogues_continue_a_transcript(task: Task) -> None:
    llm = RecordingLLM(speaker_aware)
    prompter = Prompter(task, LLMConfig(mode="completion"))
    gen = await dialogues(llm, prompter, 1, turns=3, user="a diner", show_progress=False)
    assert len(gen.records) == 1 and len(gen.records[0].extra["turns"]) == 3
    last = llm.requests[-1]
    assert last.prompt is not None and last.prompt.rstrip().endswith("User:")
    assert "Assistant: I am sorry to hear that" in last.prompt and last.stop == ("\n",)


async def test_a_dialogue_with_an_empty_turn_is_dropped(task: Task) -> None:
    llm = RecordingLLM(
        lambda r: "" if r.messages and len(r.messages) > 1 else "Hello, I have a question"
    )
    gen = await dialogues(llm, Prompter(task, LLMConfig()), 2, turns=2, show_progress=False)
    assert gen.records == [] and gen.dropped["turn_empty"] == 2 and gen.calls == 4


def test_clean_turn() -> None:
    assert clean_turn('Assistant: "Sure, table for two."') == "Sure, table for two."
    assert clean_turn("ok") is None
