"""Duplicates within the set are dropped (first kept); copies of real validation/test
examples are dropped as leaks; every drop says what it duplicates."""

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import (
    CurateContext,
    EmbeddingDedup,
    ExactDedup,
    MinHashDedup,
    make_step,
    normalise,
    parse_steps_option,
)


def recs(*texts: str, prefix: str = "s") -> list[Record]:
    return [
        Record(id=f"{prefix}{i}", inputs={"text": t}, label="positive") for i, t in enumerate(texts)
    ]


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("  The FOOD, was   great!! ") == normalise("the food was great")


def test_exact_dedup_within_the_set_and_against_the_test_set(task: Task) -> None:
    ctx = CurateContext(
        task=task, references={"test": recs("Lovely staff, fresh bread.", prefix="test-")}
    )
    records = recs(
        "The food was great!",
        "the food was GREAT",
        "lovely staff fresh bread",
        "Something else entirely.",
    )
    result = ExactDedup().run(records, ctx)
    assert [r.id for r in result.kept] == ["s0", "s3"]
    audit = {e.record_id: e for e in result.audit}
    assert audit["s1"].reason == "duplicate" and audit["s1"].detail == {"duplicate_of": "s0"}
    assert audit["s2"].reason == "leak:test"
    assert audit["s2"].detail == {"matches": "test-0", "split": "test"}
    assert all(e.step == "exact_dedup" and e.action == "drop" for e in result.audit)


def test_exact_dedup_compares_symbols_of_wordless_texts_and_leaves_blanks_alone(
    task: Task,
) -> None:
    # every one of these once normalised to "": all "duplicates" of the first, or a leak
    # of any wordless real text
    ctx = CurateContext(task=task, references={"test": recs("🙂", prefix="test-")})
    records = recs("😡😡😡", "", "👍", "  ", "😡 😡😡", "!!!", "👍", "🙂")
    result = ExactDedup().run(records, ctx)
    assert [r.id for r in result.kept] == ["s0", "s1", "s2", "s3", "s5"]
    audit = {e.record_id: (e.reason, e.detail) for e in result.audit}
    assert audit == {
        "s4": ("duplicate", {"duplicate_of": "s0"}),
        "s6": ("duplicate", {"duplicate_of": "s2"}),
        "s7": ("leak:test", {"matches": "test-0", "split": "test"}),
    }


def test_minhash_dedup_drops_near_copies_with_their_similarity(task: Task) -> None:
    base = "the risotto was creamy and rich and the staff were attentive all evening long"
    ctx = CurateContext(
        task=task,
        references={
            "validation": recs(
                "a cold and bland soup served by a rude waiter who never smiled at us once",
                prefix="val-",
            )
        },
    )
    records = recs(
        base,
        base + " too",
        "the risotto was creamy and rich and the staff were attentive all evening",
        "a cold and bland soup served by a rude waiter who never smiled at us once today",
        "nothing alike: a bright new bakery opened near the station on monday",
    )
    result = MinHashDedup(threshold=0.7).run(records, ctx)
    assert [r.id for r in result.kept] == ["s0", "s4"]
    audit = {e.record_id: e for e in result.audit}
    assert audit["s1"].reason == audit["s2"].reason == "near_duplicate"
    s1 = audit["s1"]
    assert s1.detail == {"duplicate_of": "s0"} and s1.score is not None and s1.score >= 0.7
    assert audit["s3"].reason == "leak:validation" and audit["s3"].detail["matches"] == "val-0"


def test_minhash_dedup_against_names_the_splits_checked(task: Task) -> None:
    ctx = CurateContext(
        task=task, references={"test": recs("one two three four five six", prefix="t")}
    )
    records = recs("one two three four five six")
    assert MinHashDedup(against=()).run(records, ctx).kept == records
    assert MinHashDedup(against=("test",)).run(records, ctx).kept == []


def test_embedding_dedup_catches_paraphrases(task: Task) -> None:
    ctx = CurateContext(
        task=task, references={"test": recs("The waiter was rude to us.", prefix="t")}
    )
    records = recs(
        "The food was absolutely delicious.",
        "The food was really delicious!",
        "Our waiter was rude to us.",
        "Parking near the station costs five euros.",
    )
    result = EmbeddingDedup(threshold=0.85).run(records, ctx)
    assert [r.id for r in result.kept] == ["s0", "s3"]
    audit = {e.record_id: e for e in result.audit}
    s1 = audit["s1"]
    assert s1.reason == "semantic_duplicate" and s1.score is not None and s1.score > 0.85
    assert audit["s2"].reason == "leak:test"


PREMISE = (
    "The harbour authority said on Monday that the new container terminal, built over four "
    "years at a cost of 2.1 billion euros, will open to ships in the spring and double the "
    "port's capacity, making it the largest on the northern coast."
)


def pair(rid: str, hypothesis: str, premise: str = PREMISE) -> Record:
    return Record(id=rid, inputs={"premise": premise, "hypothesis": hypothesis}, label="yes")


def test_near_dedup_of_pairs_compares_hypotheses_on_the_same_premise() -> None:
    # was: a new hypothesis on a premise kept from validation (as pair generation and S3
    # extrapolation do by design) matched the validation pair on the long premise alone,
    # and was dropped as leak:validation; so were other hypotheses on the same premise
    task = Task(name="nli", type="pair", domain="news", labels={"yes": "follows", "no": "not"})
    real = pair("val-0", "The port will double its capacity.")
    ctx = CurateContext(task=task, references={"validation": [real]})
    records = [
        pair("s0", "The terminal cost less than one billion euros."),
        pair("s1", "Ships can use the terminal from spring onwards."),
        pair("s2", "The port will double its capacity."),  # a copy of the real pair: a leak
        pair("s3", "Ships can use the terminal from spring onwards!"),  # a copy of s1
        pair("s4", "The terminal cost less than one billion euros.", premise="A cat slept."),
    ]
    for step in (MinHashDedup(), EmbeddingDedup()):
        result = step.run(records, ctx)
        assert [r.id for r in result.kept] == ["s0", "s1", "s4"], step.name
        audit = {e.record_id: e for e in result.audit}
        assert audit["s2"].reason == "leak:validation"
        assert audit["s3"].detail == {"duplicate_of": "s1"}


def test_against_names_a_real_split_or_is_refused() -> None:
    # a misspelt split checked nothing for leaks, silently; one split alone was refused
    # as "not a valid tuple"
    with pytest.raises(ConfigError, match=r"against.0: Input should be 'validation' or 'test'"):
        make_step(parse_steps_option("exact_dedup(against=[valdation])")[0])
    (spec,) = parse_steps_option("minhash_dedup(against=test)")
    step = make_step(spec)
    assert isinstance(step, MinHashDedup) and step.against == ("test",)
