from collections import Counter
from collections.abc import Callable

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.concept_tree import tree_from_mapping
from synthloop.generate.conditional import ConditionPlan, Steering, conditional, conditional_jobs
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.dataset_wise import dataset_wise, deficit_weights, what_is_lacking
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from tests.generate.fakes import RecordingLLM, bag_of_words_embed, first_message, toolbox_answer


def test_deficit_weights_fill_towards_even_shares() -> None:
    w = deficit_weights([6, 0], [0.5, 0.5], next_n=6)
    assert w[1] > 10 * w[0] > 0  # the empty value is wanted most; the full one stays possible


def rec(i: int, label: str, topic: str, text: str) -> Record:
    return Record(
        id=f"r{i}",
        inputs={"text": text},
        label=label,
        extra={"conditions": {"topic": topic}, "leaf": ["dining", topic]},
    )


def test_lacking_favours_missing_labels_values_leaves_and_damps_crowded_ones(task: Task) -> None:
    plan = ConditionPlan(
        scopes=None,
        tree=tree_from_mapping({"dining": ["pizza", "sushi", "tapas", "curry"]}),
    )
    records = [rec(i, "positive", "pizza", f"pizza pizza cheese slice {i}") for i in range(8)]
    records += [rec(10 + i, "positive", "sushi", f"sushi fish rice roll {i}") for i in range(2)]
    records += [rec(20, "negative", "tapas", "tapas small plates wine bar")]
    lack = what_is_lacking(records, task, plan, 8, clusters=3, embed=bag_of_words_embed)
    labels = dict(zip(task.label_names, lack.steering.label_weights or [], strict=True))
    assert labels["negative"] > labels["positive"]
    leaf = dict(
        zip(["pizza", "sushi", "tapas", "curry"], lack.steering.leaf_weights or [], strict=True)
    )
    assert leaf["curry"] > leaf["tapas"] > leaf["sushi"] > leaf["pizza"]
    assert lack.report["empty_leaves"] == 1 and lack.report["crowded_records"] >= 8


def test_scope_values_unused_so_far_are_boosted(task: Task) -> None:
    plan = ConditionPlan(scopes=ConditionScopes({"topic": ["pizza", "sushi", "tapas"]}))
    records = [rec(i, task.label_names[i % 2], "pizza", f"meal {i} {'x' * i}") for i in range(6)]
    lack = what_is_lacking(records, task, plan, 6, embed=bag_of_words_embed)
    boost = (lack.steering.boost or {})["topic"]
    assert boost["sushi"] == boost["tapas"] > 5 * boost["pizza"]
    assert lack.report["unused_values"] == {"topic": ["sushi", "tapas"]}


def refuse_most_negatives() -> Callable[[Request], str]:
    """Two of every three negative requests are refused."""
    asked = Counter[str]()

    def answer(request: Request) -> str:
        if "Write one negative" in (request.messages[0].content if request.messages else ""):
            asked["negative"] += 1
            if asked["negative"] % 3 != 0:
                return "I'm sorry, I cannot write that."
        return toolbox_answer(request)

    return answer


async def test_rounds_refill_what_earlier_rounds_lacked(task: Task) -> None:
    """Most negative answers are refusals: one-shot generation ends up lopsided, while
    dataset-wise rounds spend their later calls on the missing label."""
    plan = ConditionPlan(scopes=ConditionScopes({"topic": ["pizza", "sushi", "tapas", "curry"]}))
    prompter = Prompter(task, LLMConfig())
    once = await conditional(
        RecordingLLM(refuse_most_negatives()), prompter, 24, plan=plan, show_progress=False
    )
    llm = RecordingLLM(refuse_most_negatives())
    rounds = await dataset_wise(
        llm, prompter, 24, rounds=3, plan=plan, embed=bag_of_words_embed, show_progress=False
    )
    gen = rounds.generation
    assert gen.calls == 24 == llm.calls
    assert [r["calls"] for r in rounds.rounds] == [8, 8, 8]
    assert {r.round for r in gen.records} == {0, 1, 2}
    assert len({r.id for r in gen.records}) == len(gen.records)
    neg_once = Counter(r.label for r in once.records)["negative"]
    neg_rounds = Counter(r.label for r in gen.records)["negative"]
    assert neg_rounds > neg_once
    asked = [
        Counter("Write one negative" in first_message(q) for q in llm.requests[i : i + 8])[True]
        for i in (0, 8, 16)
    ]
    assert asked[0] == 4 and asked[1] > 4 and asked[2] > 4  # later rounds ask for more
    assert gen.dropped["refusal"] == 24 - len(gen.records)


def test_a_steered_round_gives_each_label_and_leaf_its_share(task: Task) -> None:
    """A round's labels and leaves were drawn at random by their weights: with equal
    weights one label of a 5-intent round got 3 examples and another none. Each now gets
    its share of the round, within one."""
    prompter = Prompter(task, LLMConfig())
    tree = tree_from_mapping({"dining": ["pizza", "sushi", "tapas", "curry"]})
    plan = ConditionPlan(scopes=None, tree=tree)
    for seed in range(10):
        even = Steering(label_weights=[1.0, 1.0], leaf_weights=[2.0, 2.0, 2.0, 2.0])
        jobs = conditional_jobs(prompter, 40, plan=plan, steering=even, seed=seed)
        assert Counter(j.label for j in jobs) == {label: 20 for label in task.label_names}
        assert set(Counter(j.extra["leaf"][-1] for j in jobs).values()) == {10}
        skewed = Steering(label_weights=[3.0, 1.0])
        jobs = conditional_jobs(prompter, 40, plan=plan, steering=skewed, seed=seed)
        assert [Counter(j.label for j in jobs)[x] for x in task.label_names] == [30, 10]
