"""Each heuristic filter drops what it should, with its reason, and passes ordinary text."""

from collections.abc import Sequence

from synthloop.core.records import Record
from synthloop.curate import (
    CurateContext,
    LanguageFilter,
    LengthFilter,
    NonTextFilter,
    PlaceholderFilter,
    PromptLeftoverFilter,
    RefusalFilter,
    RepetitionFilter,
    Step,
)
from synthloop.curate.heuristics import guess_language, repeated_ngram_ratio
from tests.task_fakes import fact_check_task

GOOD = "The pasta was fresh and the waiter was friendly, we will come back."


def recs(*texts: str) -> list[Record]:
    return [Record(id=f"t{i}", inputs={"text": t}, label="positive") for i, t in enumerate(texts)]


def reasons(step: Step, texts: Sequence[str], ctx: CurateContext) -> dict[str, str]:
    result = step.run(recs(*texts), ctx)
    assert {r.id for r in result.kept}.isdisjoint({e.record_id for e in result.audit})
    return {e.record_id: e.reason for e in result.audit}


def test_length_bounds(ctx: CurateContext) -> None:
    got = reasons(LengthFilter(min_words=3, max_words=20), ["Great.", GOOD, GOOD * 3], ctx)
    assert got == {"t0": "too_short", "t2": "too_long"}


def test_repetition_ratio(ctx: CurateContext) -> None:
    loop = "the food was great " * 6
    assert repeated_ngram_ratio(loop.split(), 3) > 0.5
    assert repeated_ngram_ratio(GOOD.lower().split(), 3) == 0.0
    assert reasons(RepetitionFilter(), [loop, GOOD], ctx) == {"t0": "repetitive"}


def test_repetition_scores_each_input_of_a_pair_on_its_own() -> None:
    # a short claim restated by its evidence is no loop; a looping evidence sentence is
    task = fact_check_task("places")
    claim = "The Eiffel Tower is in Rome."
    restates = {"claim": claim, "evidence": "The Eiffel Tower is in Rome, Italy."}
    loops = {"claim": claim, "evidence": "it is in Paris " * 6}
    pairs = [
        Record(id="restates", inputs=restates, label="supported"),
        Record(id="loops", inputs=loops, label="refuted"),
    ]
    result = RepetitionFilter().run(pairs, CurateContext(task=task))
    assert [r.id for r in result.kept] == ["restates"]
    assert [(e.record_id, e.reason) for e in result.audit] == [("loops", "repetitive")]


def test_non_text(ctx: CurateContext) -> None:
    texts = ["1234 5678 !!! ### $$$ 99", '{"review": "good"}', "<p>nice</p> place", GOOD]
    assert reasons(NonTextFilter(), texts, ctx) == {
        "t0": "non_text",
        "t1": "non_text",
        "t2": "non_text",
    }


def test_wrong_language_by_function_words_and_script(ctx: CurateContext) -> None:
    texts = [
        "La comida estaba muy rica y el servicio fue excelente para todos",
        "Le repas était très bon et le serveur est aimable avec nous",
        "Это был очень хороший ресторан с вкусной едой",
        GOOD,
        "Gud ni8 c u 2moro lol",  # no function words of any language: not judged
    ]
    got = reasons(LanguageFilter(), texts, ctx)
    assert got == {
        "t0": "wrong_language:es",
        "t1": "wrong_language:fr",
        "t2": "wrong_language:other_script",
    }
    assert guess_language(GOOD)[0] == "en"


def test_prompt_leftovers(ctx: CurateContext) -> None:
    texts = [
        "Here is a positive restaurant review: the food was great.",
        "Sure! The soup was cold and the room was dirty.",
        "The food was great. I hope this helps!",
        "Positive: lovely staff and fresh bread.",
        GOOD,
        "Here is where we had the best meal of the year.",
    ]
    got = reasons(PromptLeftoverFilter(), texts, ctx)
    assert set(got) == {"t0", "t1", "t2", "t3"}
    assert set(got.values()) == {"prompt_leftover"}


def test_unfilled_template_slots(ctx: CurateContext) -> None:
    texts = [
        "Hi [Customer's Name], your refund is on its way.",
        "Win a prize! Visit [insert link] now and claim it.",
        "{friend_name} said the soup was cold and the room dirty.",
        "Dear [YourName], thanks for dining with [Company 20] tonight.",
        "The menu said the tarte was [sic] homemade, and it was lovely.",
        "I <3 this place > every other diner in town, truly.",
        "Your code is <#> and the table is booked for eight.",
        GOOD,
    ]
    assert reasons(PlaceholderFilter(), texts, ctx) == dict.fromkeys(
        ("t0", "t1", "t2", "t3"), "placeholder"
    )


def test_unfilled_slots_are_left_alone_in_instruction_data(ctx: CurateContext) -> None:
    letter = "Write a thank-you letter. Dear Sam, thank you for the tea. Best, [Your Name]"
    assert reasons(PlaceholderFilter(), [letter], ctx) == {"t0": "placeholder"}
    instruction = CurateContext(task=ctx.task.model_copy(update={"type": "instruction"}))
    assert reasons(PlaceholderFilter(), [letter], instruction) == {}


def test_refusals(ctx: CurateContext) -> None:
    texts = [
        "I'm sorry, but I can't write a negative review.",
        "As an AI language model, I do not eat food.",
        "I cannot create content that is harmful.",
        "The waiter said sorry for the long wait and brought free dessert.",
        GOOD,
        # an apology alone is what people write (sms_spam's real messages), not a refusal
        "I'm sorry it hurt you. I love u",
        "I am sorry to hear that, we will refund the order today.",
        "Sorry, as a chatbot I don't have the ability to send texts.",
    ]
    assert reasons(RefusalFilter(), texts, ctx) == {
        "t0": "refusal",
        "t1": "refusal",
        "t2": "refusal",
        "t7": "refusal",
    }


def test_flag_mode_keeps_the_record_but_audits_it(ctx: CurateContext) -> None:
    result = LengthFilter(min_words=5, mode="flag").run(recs("Too short.", GOOD), ctx)
    assert [r.id for r in result.kept] == ["t0", "t1"]
    assert [(e.record_id, e.action, e.reason, e.score) for e in result.audit] == [
        ("t0", "flag", "too_short", 2.0)
    ]
