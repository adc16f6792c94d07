import pytest

from synthloop.core.tasks import Task
from synthloop.generate import generate_rationales
from synthloop.generate.parse import parse_example, parse_list
from synthloop.llm import LLMConfig
from synthloop.prompts import Prompter
from tests.conftest import FakeLLM


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The pasta was great and the staff kind.", "The pasta was great and the staff kind."),
        ('"The pasta was great and the staff kind."', "The pasta was great and the staff kind."),
        ("“Curly quotes around the review text.”", "Curly quotes around the review text."),
        ("Review: The soup was cold and bland.", "The soup was cold and bland."),
        (
            "**Restaurant review:** Lovely terrace and cold drinks.",
            "Lovely terrace and cold drinks.",
        ),
        ("Positive review - The staff were kind and quick.", "The staff were kind and quick."),
        (
            'Sure! Here is a positive restaurant review:\n\n"Loved the pasta, will come back."\n\n'
            "This review highlights the food.",
            "Loved the pasta, will come back.",
        ),
        (
            'Here is a new review: "Great pizza and friendly service."',
            "Great pizza and friendly service.",
        ),
        ('The review: "The wait was long but worth it."', "The wait was long but worth it."),
        ("The food was wonderful and fresh. (positive)", "The food was wonderful and fresh."),
        (
            '"An unclosed quote cut off by max tokens and still useful',
            "An unclosed quote cut off by max tokens and still useful",
        ),
        ("Warning: the soup is hot and very salty", "Warning: the soup is hot and very salty"),
    ],
)
def test_cleans_what_can_be_cleaned(task: Task, raw: str, expected: str) -> None:
    assert parse_example(raw, task).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '"Positive: The staff were kind and the soup hot."',
            "The staff were kind and the soup hot.",
        ),
        (
            'Here is a new review:\n\n"Negative review: Cold soup and a long wait."',
            "Cold soup and a long wait.",
        ),
        ("#Sci/Tech: Motorola plans to cut 1,000 jobs.", "Motorola plans to cut 1,000 jobs."),
        ("Sci/Tech - Motorola plans to cut 1,000 jobs.", "Motorola plans to cut 1,000 jobs."),
        ('"World: The talks in Geneva ended early."', "The talks in Geneva ended early."),
    ],
)
def test_a_label_prefix_is_cut_inside_quotes_and_with_a_slash(
    task: Task, raw: str, expected: str
) -> None:
    # a label left at the front of an example teaches the small model the label's name,
    # a word real texts do not carry
    news = task.model_copy(update={"labels": {**task.labels, "Sci/Tech": "", "World": ""}})
    assert parse_example(raw, news).text == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        ("I'm sorry, but I can't write that review.", "refusal"),
        ("As an AI language model, I cannot have opinions.", "refusal"),
        ('"I apologize, I cannot help with that."', "refusal"),
        ("Sure! Here is a positive review:", "only_preamble"),
        ("Review:", "only_preamble"),
        ('The new restaurant review is: "Positive"', "label_only"),
        ("Great food!", "too_short"),
    ],
)
def test_drops_what_cannot_be_an_example(task: Task, raw: str, reason: str) -> None:
    parsed = parse_example(raw, task)
    assert parsed.text is None and parsed.reason == reason


@pytest.mark.parametrize(
    "raw",
    [
        "I'm sorry for the misunderstanding, but as a chatbot, I'm designed to help.",
        "Sorry, as a text-based AI I don't have the ability to send messages.",
        "I can't write a review of a film I have not seen.",
        "I can't help you with that request.",
    ],
)
def test_an_assistant_declining_is_a_refusal(task: Task, raw: str) -> None:
    assert parse_example(raw, task).reason == "refusal"


@pytest.mark.parametrize(
    "raw",
    [
        "Sorry, I'll call later in the meeting",  # 1% of sms_spam's real messages
        "I wont be long, start without me",
        "i am sorry that i was unable to get the full brunt of the comedy .",  # sst2
        "this is a truly , truly bad movie .",
        "sure , it 's contrived and predictable",
        "absolutely , inescapably gorgeous , skyscraper-trapeze motion",
        "here is unusually tame",
        "Ok. Me watching tv too.",
        "I can't help but love this movie, every scene of it.",  # was: dropped as a refusal
        "I can't help myself, the soup here is too good.",
        "I couldn't help it: the plot made me laugh out loud.",
    ],
)
def test_real_texts_that_open_like_a_refusal_or_preamble_are_kept(task: Task, raw: str) -> None:
    # the same words opening an LLM's answer drop it; opening a real text they are the text
    # (301 of sst2's, sms_spam's and ag_news's 93,217 real texts were dropped, 24 are now)
    assert parse_example(raw, task).text == raw


@pytest.mark.parametrize(
    "raw",
    [
        "Here is the new restaurant review with a negative tone.",
        "This is a positive restaurant review from a regular.",
        "Sure! I'd be happy to help.",
        "Okay.",
    ],
)
def test_an_answer_that_is_only_a_preamble_is_dropped(task: Task, raw: str) -> None:
    assert parse_example(raw, task).reason == "only_preamble"


def test_parse_list_strips_bullets_and_preambles() -> None:
    raw = (
        "Here are 4 reasons:\n1. **Great food** made with care\n2) Friendly staff\n"
        "- Friendly staff\n* Quick service at lunch\nok\n"
    )
    assert parse_list(raw) == [
        "Great food made with care",
        "Friendly staff",
        "Quick service at lunch",
    ]


def test_echoed_instruction_is_cut(task: Task) -> None:
    prompt = "Write one positive restaurant review.\nIt should reflect these points:\n- kind staff"
    raw = "The review should reflect these points: The staff were kind and the soup hot."
    assert parse_example(raw, task, prompt=prompt).text == "The staff were kind and the soup hot."
    assert parse_example("Note: the soup was hot and tasty.", task, prompt=prompt).text == (
        "Note: the soup was hot and tasty."
    )


def test_preamble_in_mid_text_is_cut(task: Task) -> None:
    raw = 'It is great to eat out. Here\'s a positive review: "Loved the pasta and the staff."'
    assert parse_example(raw, task).text == "Loved the pasta and the staff."


def test_copy_of_the_imitated_example_is_dropped(task: Task) -> None:
    source = "the soup was cold , and the bread stale ."
    parsed = parse_example('"The soup was cold, and the bread stale."', task, source=source)
    assert parsed.text is None and parsed.reason == "copy_of_source"
    assert parse_example("The soup was cold and the fries stale.", task, source=source).ok


async def test_rationales_keep_the_list_items_not_the_lines_around_them(task: Task) -> None:
    # SmolLM2 in a user trial: the intro line and an outro became "rationales" that the
    # seed prompts then quoted as ways to write an example
    answer = (
        "We can write the following reviews with numbered lists:\n\n"
        "1. The staff remembered our names\n2. The soup came hot and fast\n\n"
        "These show the reviewer liked the place."
    )
    llm = FakeLLM(lambda req: answer)
    got = await generate_rationales(
        llm, Prompter(task, LLMConfig()), calls_per_label=1, show_progress=False
    )
    assert got == {
        label: ["The staff remembered our names", "The soup came hot and fast"]
        for label in task.label_names
    }
    # an answer with no list marks is read line by line, as before
    assert parse_list("Kind staff at the door\nHot soup") == ["Kind staff at the door", "Hot soup"]


def test_a_lead_in_line_before_the_example_is_not_the_example(task: Task) -> None:
    # SmolLM2 echoed "One way to do it:" from an S3 seed prompt: that line was kept as the
    # example and the example after it lost
    prompt = "Write one positive restaurant review.\nOne way to do it:\n- kind staff\nReply."
    raw = "One way to do it:\nThe staff were kind and the soup came hot."
    assert parse_example(raw, task, prompt=prompt).text == (
        "The staff were kind and the soup came hot."
    )
    assert parse_example("One way to do it:", task, prompt=prompt).reason == "only_preamble"


def test_a_lone_closing_quote_is_cut(task: Task) -> None:
    # SmolLM2 via llama.cpp's server: 'The movie ... throughout the film."' was kept as is
    text = "The soup was cold and the staff ignored us all evening."
    assert parse_example(text + '"', task).text == text
    kept = "We loved the chefs' tasting menu and the staff's warm welcome"
    assert parse_example(kept + "'", task).text == kept + "'"  # an apostrophe stays


def test_a_lone_opening_double_quote_is_cut_whatever_apostrophes_follow(task: Task) -> None:
    # an answer cut by max_tokens inside its quote kept the opening quote when the text had an
    # apostrophe ('"In 2020, Frank Quattrone\'s career …', ag_news S3 benchmark)
    text = "The chef's soup was cold and the staff's welcome colder than the food"
    assert parse_example('"' + text, task).text == text
    assert parse_example("“" + text, task).text == text
