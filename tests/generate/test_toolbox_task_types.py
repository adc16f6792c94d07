"""The generation toolbox (conditions, concept trees, demonstrations, dataset-wise rounds,
rationale-then-example) on pair and QA tasks: real inputs are kept, only the hypothesis or
question is written, under the condition."""

import re
from collections import Counter
from pathlib import Path

import pytest

import synthloop.run.generate as runner
from synthloop.core.errors import ConfigError
from synthloop.core.io import DataSpec, load_dataset_file, load_records
from synthloop.core.records import Record
from synthloop.generate import seed_anchors
from synthloop.generate.concept_tree import Node
from synthloop.generate.conditional import ConditionPlan, conditional
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.dataset_wise import dataset_wise, what_is_lacking
from synthloop.generate.demos import DemoPool, DemoSelector
from synthloop.generate.dialogue import dialogues
from synthloop.generate.stepwise import rationale_then_example
from synthloop.llm import LLMConfig, Request
from synthloop.prompts import Prompter
from synthloop.run.config import config_from_mapping
from tests.conftest import FakeLLM, use_fake_llm, write_rows
from tests.generate.fakes import RecordingLLM, bag_of_words_embed, last_text
from tests.task_fakes import QA_DEMO, pair_answer, pair_rows, pair_task, qa_answer, qa_task

SCOPES = ConditionScopes(
    {"style": {"paraphrase": 3, "negation": 1}, "length": ["short", "long"]},
    exclude=[{"style": "negation", "length": "long"}],
)


def pairs(tmp_path: Path, n: int = 8) -> list[Record]:
    return load_records(write_rows(tmp_path / "pairs.jsonl", pair_rows(n)), pair_task())


def qa_demo() -> list[Record]:
    spec = DataSpec(path=str(QA_DEMO / "validation.jsonl"), columns={"label": "answer"})
    return load_records(spec, qa_task())


def prompt_condition(request: Request, key: str) -> str | None:
    m = re.search(rf"- {key}: (.+)", last_text(request))
    return m.group(1).strip() if m else None


async def test_conditions_steer_pair_hypotheses_and_keep_the_real_premise(
    tmp_path: Path,
) -> None:
    task = pair_task()
    real = pairs(tmp_path)
    anchors = seed_anchors(task, real, 40, seed=0)
    llm = RecordingLLM(pair_answer)
    gen = await conditional(
        llm,
        Prompter(task, LLMConfig()),
        40,
        plan=ConditionPlan(scopes=SCOPES),
        anchors=anchors,
        show_progress=False,
    )
    assert llm.calls == 40 and len(gen.records) > 20
    premises = {r.inputs["premise"]: r.id for r in real}
    for rec in gen.records:
        assert rec.inputs["premise"] in premises  # kept verbatim from real data
        assert rec.extra["anchor"] == premises[rec.inputs["premise"]]
        assert rec.extra["conditions"] != {"style": "negation", "length": "long"}
    # every prompt shows its premise and its condition; weights and exclusions hold
    for req, anchor in zip(llm.requests, anchors, strict=True):
        assert f'"{anchor.fixed["premise"]}"' in last_text(req)
    styles = Counter(prompt_condition(r, "style") for r in llm.requests)
    assert styles["paraphrase"] > styles["negation"] > 0
    assert not any(
        prompt_condition(r, "style") == "negation" and prompt_condition(r, "length") == "long"
        for r in llm.requests
    )
    assert Counter(r.label for r in gen.records).keys() == {"entailment", "not_entailment"}


async def test_a_concept_tree_is_walked_for_qa_questions() -> None:
    task = qa_task()
    tree = Node("history", [Node("bridges", [Node("builders"), Node("costs")]), Node("trams")])
    anchors = seed_anchors(task, qa_demo(), 9, seed=2)
    llm = RecordingLLM(qa_answer)
    gen = await conditional(
        llm,
        Prompter(task, LLMConfig()),
        9,
        plan=ConditionPlan(tree=tree),
        anchors=anchors,
        show_progress=False,
    )
    # QA plans no labels: the leaves are walked one per call, each answer is its anchor's
    topics = [prompt_condition(r, "topic") for r in llm.requests]
    assert topics[:3] == ["bridges > builders", "bridges > costs", "trams"]
    assert gen.records
    for rec in gen.records:
        assert rec.label in rec.inputs["context"] and rec.inputs["question"].endswith("?")
        assert rec.extra["leaf"][0] == "history"
    assert [a.label for a in anchors] == [
        re.search(r'answer is "([^"]+)"', last_text(r)).group(1)  # type: ignore[union-attr]
        for r in llm.requests
    ]


async def test_dataset_wise_rounds_spread_premises_and_refill_what_is_lacking(
    tmp_path: Path,
) -> None:
    task = pair_task()
    real = pairs(tmp_path, 12)
    anchors = seed_anchors(task, real, 12, seed=1)
    llm = RecordingLLM(pair_answer)
    result = await dataset_wise(
        llm,
        Prompter(task, LLMConfig()),
        12,
        rounds=3,
        plan=ConditionPlan(scopes=SCOPES),
        anchors=anchors,
        embed=bag_of_words_embed,
        clusters=2,
        show_progress=False,
    )
    assert [r["calls"] for r in result.rounds] == [4, 4, 4] and llm.calls == 12
    # the 12 anchors (12 distinct premises) are spread over the rounds: none reused
    shown = [re.search(r'^"(.+)"$', last_text(r), re.M).group(1) for r in llm.requests]  # type: ignore[union-attr]
    assert shown == [a.fixed["premise"] for a in anchors] and len(set(shown)) == 12
    assert {r.round for r in result.generation.records} == {0, 1, 2}
    assert "label_weights" in result.rounds[1]


def test_what_qa_lacks_is_steered_by_leaves_and_values_not_labels() -> None:
    task = qa_task()
    plan = ConditionPlan(scopes=ConditionScopes({"style": ["short", "formal"]}))
    recs = [
        Record(
            id=f"q{i}",
            inputs={"context": "It was built in 1887.", "question": f"When was the {w} built?"},
            label="1887",
            extra={"conditions": {"style": "short"}},
        )
        for i, w in enumerate(["bridge", "tower", "school", "church", "mill", "dock"])
    ]
    lacking = what_is_lacking(recs, task, plan, 6, embed=bag_of_words_embed)
    assert lacking.steering.label_weights is None and "label_weights" not in lacking.report
    boost = lacking.steering.boost or {}
    assert boost["style"]["formal"] > boost["style"]["short"]
    assert lacking.report["unused_values"] == {"style": ["formal"]}


async def test_demonstrations_for_pairs_skip_the_anchor_s_own_pair(tmp_path: Path) -> None:
    task = pair_task()
    real = pairs(tmp_path, 8)
    pool = DemoPool(real, task, embed=bag_of_words_embed)
    demos = DemoSelector(pool, k=2, select="similar")
    anchors = seed_anchors(task, real, 8, seed=0)
    llm = RecordingLLM(pair_answer)
    gen = await conditional(
        llm, Prompter(task, LLMConfig()), 8, demos=demos, anchors=anchors, show_progress=False
    )
    by_id = {r.id: r for r in real}
    for req in llm.requests:
        text = last_text(req)
        assert "Premise: " in text and ("Hypothesis (entailment): " in text or "(not_" in text)
    for rec in gen.records:
        assert len(rec.extra["demos"]) == 2
        for demo_id in rec.extra["demos"]:
            assert by_id[demo_id].inputs["premise"] != rec.inputs["premise"]
            assert by_id[demo_id].label == rec.label  # same_label holds for classes


def test_qa_demonstrations_ignore_same_label_and_show_the_answer() -> None:
    task = qa_task()
    real = qa_demo()
    selector = DemoSelector(DemoPool(real, task, embed=bag_of_words_embed), k=2)
    anchor = seed_anchors(task, real, 1, seed=0)[0]
    import random

    picked = selector.for_condition(anchor.label or "", {}, random.Random(0), fixed=anchor.fixed)
    assert len(picked) == 2  # a QA label is an answer: no other record shares it
    assert all(d.inputs["context"] != anchor.fixed["context"] for d in picked)
    text = Prompter(task, LLMConfig(mode="completion")).render(
        "qa_zerogen",
        demos=picked,
        label="x",
        label_description="",
        context="c",
        kept="c",
        kept_name="context",
        generated_name="question",
    )
    assert f"Answer: {picked[0].label}\nQuestion: {picked[0].inputs['question']}" in text


async def test_rationale_then_example_for_pairs_and_qa(tmp_path: Path) -> None:
    task = pair_task()
    anchors = seed_anchors(task, pairs(tmp_path, 4), 4, seed=0)
    llm = RecordingLLM(pair_answer)
    gen = await rationale_then_example(
        llm, Prompter(task, LLMConfig()), 4, anchors=anchors, show_progress=False
    )
    assert llm.calls == 8 and gen.records
    assert all("describe a specific way" in last_text(r) for r in llm.requests[:4])
    for rec in gen.records:
        assert rec.extra["rationale"] and rec.inputs["premise"] in {
            a.fixed["premise"] for a in anchors
        }
    qa = qa_task()
    qa_anchors = seed_anchors(qa, qa_demo(), 3, seed=0)
    qllm = RecordingLLM(qa_answer)
    qgen = await rationale_then_example(
        qllm, Prompter(qa, LLMConfig()), 3, anchors=qa_anchors, show_progress=False
    )
    assert qllm.calls == 6 and qgen.records
    assert all("should ask about this" in last_text(r) for r in qllm.requests[3:])
    assert {r.label for r in qgen.records} <= {a.label for a in qa_anchors}


async def test_pair_and_qa_without_anchors_or_with_dialogue_are_refused(tmp_path: Path) -> None:
    llm = FakeLLM(pair_answer)
    with pytest.raises(ConfigError, match="anchors"):
        await conditional(llm, Prompter(pair_task(), LLMConfig()), 2, show_progress=False)
    with pytest.raises(ConfigError, match="dialogue"):
        await dialogues(llm, Prompter(pair_task(), LLMConfig()), 2, show_progress=False)
    per_label = ConditionPlan(tree=Node("t", [Node("a"), Node("b")]), per_label=True)
    anchors = seed_anchors(qa_task(), qa_demo(), 2)
    with pytest.raises(ConfigError, match="no labels"):
        await conditional(
            llm,
            Prompter(qa_task(), LLMConfig()),
            2,
            plan=per_label,
            anchors=anchors,
            show_progress=False,
        )
    assert llm.calls == 0


async def test_generate_conditional_from_a_pair_run_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The YAML route: ``synthloop generate --method conditional`` on a pair task, with
    weighted scopes, an exclusion, a concept tree and dataset-wise rounds."""
    use_fake_llm(monkeypatch, RecordingLLM(pair_answer))
    write_rows(tmp_path / "v.jsonl", pair_rows(10))
    (tmp_path / "tree.yaml").write_text("inference: [paraphrase, negation, numbers]\n")
    cfg = config_from_mapping(
        {
            "task": pair_task().model_dump(),
            "data": {"validation": "v.jsonl"},
            "generation": {
                "conditions": {
                    "scopes": {"length": {"short": 2, "long": 1}, "register": ["news", "chat"]},
                    "exclude": [{"length": "long", "register": "chat"}],
                },
                "concept_tree": {"file": "tree.yaml", "key": "inference"},
                "rounds": 2,
            },
        },
        tmp_path,
        "run.yaml",
    )
    gen, _ = await runner.run_generate(
        cfg, "conditional", 12, tmp_path / "out.jsonl", show_progress=False
    )
    written = load_dataset_file(tmp_path / "out.jsonl", pair_task())
    assert len(written) == len(gen.records) > 0 and gen.calls == 12
    premises = {r["premise"] for r in pair_rows(10)}
    for rec in written:
        assert rec.inputs["premise"] in premises
        cond = rec.extra["conditions"]
        assert cond["inference"] in ("paraphrase", "negation", "numbers")
        assert (cond["length"], cond["register"]) != ("long", "chat")
    assert {r.round for r in written} == {0, 1}


async def test_generate_in_dataset_wise_rounds_writes_what_each_round_was_steered_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: OUT.stats.json held the calls and drops only; the plan of each later round (the
    # label and condition weights that fill what the data lacks) was computed and dropped
    import json

    use_fake_llm(monkeypatch, RecordingLLM(pair_answer))
    write_rows(tmp_path / "v.jsonl", pair_rows(10))
    cfg = config_from_mapping(
        {
            "task": pair_task().model_dump(),
            "data": {"validation": "v.jsonl"},
            "generation": {"conditions": {"scopes": {"length": ["short", "long"]}}, "rounds": 2},
        },
        tmp_path,
        "run.yaml",
    )
    await runner.run_generate(cfg, "conditional", 8, tmp_path / "out.jsonl", show_progress=False)
    stats = json.loads((tmp_path / "out.stats.json").read_text())
    plans = stats["round_plans"]
    assert [p["round"] for p in plans] == [0, 1] and sum(p["calls"] for p in plans) == 8
    assert set(plans[1]["label_weights"]) == set(pair_task().labels)
