"""Pipelines: steps from YAML, the CLI option or Python; one audit; what a run writes;
a person's decisions applied; the S3 loop curating each round."""

import json
from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.io import load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import (
    CurateConfig,
    CurateContext,
    ExactDedup,
    HumanReview,
    LengthFilter,
    MinHashDedup,
    Pipeline,
    ReviewStore,
    RoundCurator,
    Step,
    make_step,
    parse_steps_option,
    with_review,
)
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.run.config import load_config
from synthloop.s3.config import S3Config
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from tests.conftest import FakeLLM, use_fake_llm
from tests.curate.conftest import noisy_records
from tests.task_fakes import qa_records, qa_task


def test_steps_from_yaml_shapes_and_the_cli_option() -> None:
    assert make_step("exact_dedup") == ExactDedup()
    assert make_step({"minhash_dedup": {"threshold": 0.7}}) == MinHashDedup(threshold=0.7)
    assert make_step({"length": None}) == LengthFilter()
    specs = parse_steps_option("exact_dedup, minhash_dedup(threshold=0.7,ngram=2),length")
    assert specs == ["exact_dedup", {"minhash_dedup": {"threshold": 0.7, "ngram": 2}}, "length"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nonsense", "unknown curation step 'nonsense'; choose one of: exact_dedup"),
        ({"minhash_dedup": {"threshold": 2}}, "minhash_dedup: threshold"),
        ({"length": {"min_wrds": 3}}, "min_wrds"),
        ({"length": 3}, "parameters must be a mapping"),
        # each of these dropped every record
        ({"length": {"min_words": 10, "max_words": 2}}, "min_words .10. is above max_words"),
        ({"language": {"language": "english"}}, "language: Input should be 'en', 'fr'"),
        (["a", "b"], "a name or"),
    ],
)
def test_bad_step_specs_are_config_errors(spec: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        make_step(spec)  # type: ignore[arg-type]


def test_bad_cli_steps_option() -> None:
    with pytest.raises(ConfigError, match="key=value"):
        parse_steps_option("length(3)")
    with pytest.raises(ConfigError, match="cannot read"):
        parse_steps_option("length((")


def test_run_config_curate_section_is_validated(run_config: Path) -> None:
    run_config.write_text(run_config.read_text() + "curate: {steps: [exact_dedup, bogus]}\n")
    with pytest.raises(ConfigError, match="unknown curation step 'bogus'"):
        load_config(run_config)


def test_a_python_pipeline_refuses_a_step_that_judges_class_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the config (load_config) and the command (synthloop curate) refuse them too: test_qa
    import synthloop.curate.pipeline as pipeline_module

    qa, records = qa_task(), qa_records("validation")
    ctx = CurateContext(task=qa)
    with pytest.raises(ConfigError, match="curation step confidence judges class labels"):
        Pipeline([ExactDedup(), make_step("confidence")]).run(records, ctx)
    with pytest.raises(ConfigError, match="curation step relabel judges class labels"):
        Pipeline.for_task(["exact_dedup", "relabel"], qa)
    # checked once, before any work: a run on that task, a person's decisions first, does
    # not check again
    checks: list[list[Step]] = []
    check = pipeline_module.check_steps_fit

    def counted(steps: list[Step], task: Task) -> None:
        checks.append(steps)
        check(steps, task)

    monkeypatch.setattr(pipeline_module, "check_steps_fit", counted)
    ReviewStore(tmp_path / "review.sqlite").close()
    pipeline = with_review(Pipeline.for_task(["exact_dedup"], qa), tmp_path)
    assert isinstance(pipeline.steps[0], HumanReview)
    assert pipeline.run(records, ctx).kept and checks == []
    # ... but steps added since are
    pipeline.steps.append(make_step("confidence"))
    with pytest.raises(ConfigError, match="curation step confidence judges class labels"):
        pipeline.run(records, ctx)
    assert len(checks) == 1


def test_pipeline_audit_and_written_files(tmp_path: Path, task: Task) -> None:
    records, _ = noisy_records(n=40, flipped=4)
    records += [
        Record(id="dup", inputs=dict(records[10].inputs), label=records[10].label),
        Record(id="short", inputs={"text": "ok"}, label="positive"),
    ]
    pipeline = CurateConfig(
        steps=["exact_dedup", {"length": {"min_words": 3}}, {"relabel": {"min_confidence": 0.6}}]
    ).pipeline()
    result = pipeline.run(records, CurateContext(task=task), review_queue=5)
    assert result.input_size == 42 and len(result.kept) == 40
    out = result.write(tmp_path / "curated")
    dropped = [json.loads(x) for x in (out / "dropped.jsonl").read_text().splitlines()]
    assert {(d["id"], d["dropped_by"], d["reason"]) for d in dropped} == {
        ("dup", "exact_dedup", "duplicate"),
        ("short", "length", "too_short"),
    }
    audit = [json.loads(x) for x in (out / "audit.jsonl").read_text().splitlines()]
    relabels = [a for a in audit if a["action"] == "relabel"]
    assert relabels and all({"old_label", "new_label"} <= set(a["detail"]) for a in relabels)
    summary = json.loads((out / "summary.json").read_text())
    assert (
        summary["kept"] == 40 and summary["dropped"] == 2 and summary["relabelled"] == len(relabels)
    )
    assert summary["steps"][0] == {"exact_dedup": {"against": ["validation", "test"]}}
    kept = load_records(out / "dataset.jsonl", task)
    assert len(kept) == 40
    queue = [json.loads(x) for x in (out / "review_queue.jsonl").read_text().splitlines()]
    confidences = [q["label_confidence"] for q in queue]
    assert len(queue) == 5 and confidences == sorted(confidences)
    assert {"id", "inputs", "label", "model_label", "model_confidence", "reasons"} <= set(queue[0])


def test_person_decisions_apply_first_and_protect_records(tmp_path: Path, task: Task) -> None:
    records, _ = noisy_records(n=40, flipped=4)
    out = tmp_path / "curated"
    store = ReviewStore(out / "review.sqlite")
    store.decide("r0", "relabel", "positive")  # r0 is a positive review labelled negative
    store.decide("r1", "drop")
    store.decide("r2", "keep")  # wrong, but a person insists
    store.close()
    pipeline = with_review(Pipeline([make_step({"confidence": {"threshold": 0.3}})]), out)
    result = pipeline.run(records, CurateContext(task=task))
    by_id = {r.id: r for r in result.kept}
    assert by_id["r0"].label == "positive" and by_id["r0"].extra["review"] == "relabel"
    assert "r1" not in by_id and "r2" in by_id
    human = [(e.record_id, e.action, e.reason) for e in result.audit if e.step == "human_review"]
    assert human == [
        ("r0", "relabel", "person_relabelled"),
        ("r1", "drop", "person_dropped"),
        ("r2", "keep", "person_kept"),
    ]
    assert "r3" not in by_id  # wrong and unreviewed: the confidence filter dropped it


def test_a_person_dropped_text_does_not_come_back_as_its_duplicate(
    tmp_path: Path, task: Task
) -> None:
    # dedup dropped s1 as s0's copy, so the page showed s0 alone; once the person dropped
    # s0, the next curation kept s1 (unseen) in its place
    records = [
        Record(id="s0", inputs={"text": "The soup was cold."}, label="negative"),
        Record(id="s1", inputs={"text": "the soup was COLD"}, label="negative"),
        Record(id="s2", inputs={"text": "Lovely staff."}, label="positive"),
        Record(id="s3", inputs={"text": "Lovely staff!"}, label="positive"),
    ]
    out = tmp_path / "curated"
    store = ReviewStore(out / "review.sqlite")
    store.decide("s0", "drop", inputs={"text": "The soup was cold."})
    store.decide("s3", "keep", inputs={"text": "Lovely staff!"})  # a copy's own decision rules
    store.decide("s2", "drop", inputs={"text": "Lovely staff."})
    store.close()
    result = with_review(Pipeline([make_step("exact_dedup")]), out).run(
        records, CurateContext(task=task)
    )
    assert [r.id for r in result.kept] == ["s3"]
    audit = {e.record_id: (e.step, e.reason, e.detail) for e in result.audit}
    assert audit == {
        "s0": ("human_review", "person_dropped", {}),
        "s1": ("human_review", "copy_person_dropped", {"copy_of": "s0"}),
        "s2": ("human_review", "person_dropped", {}),
        "s3": ("human_review", "person_kept", {}),
    }


def test_near_copies_of_a_person_dropped_text_go_with_it_unless_decided(
    tmp_path: Path, task: Task
) -> None:
    # minhash_dedup dropped n1 and n2 as n0's near duplicates, so the page showed n0
    # alone; once the person dropped it, the next curation kept n1 in its place
    soup = "our soup came cold and the waiter forgot the bread then charged us twice for wine"
    view = "a lovely view of the harbour from every table and the staff smiled all evening"
    texts = [f"{soup} tonight", f"{soup} today", f"{soup} again", f"{view} here", f"{view} too"]
    records = [
        Record(id=f"n{i}", inputs={"text": t}, label="negative") for i, t in enumerate(texts)
    ]
    out = tmp_path / "curated"
    store = ReviewStore(out / "review.sqlite")
    store.decide("n0", "drop", inputs=records[0].inputs)
    store.decide("n2", "keep", inputs=records[2].inputs)  # its own decision rules
    store.decide("n3", "drop", inputs=records[3].inputs)
    store.close()
    test = [Record(id="t0", inputs=records[4].inputs, label="positive")]
    ctx = CurateContext(task=task, references={"test": test})
    result = with_review(Pipeline([MinHashDedup()]), out).run(records, ctx)
    assert [r.id for r in result.kept] == ["n2"]
    audit = {e.record_id: (e.step, e.reason, e.detail) for e in result.audit}
    assert audit == {
        "n0": ("human_review", "person_dropped", {}),
        "n1": ("minhash_dedup", "copy_person_dropped", {"copy_of": "n0"}),
        "n2": ("human_review", "person_kept", {}),
        "n3": ("human_review", "person_dropped", {}),
        "n4": ("minhash_dedup", "leak:test", {"matches": "t0", "split": "test"}),  # named first
    }


def test_a_decision_follows_its_text_and_the_latest_about_a_text_rules(
    tmp_path: Path, task: Task
) -> None:
    # ids given by row move when a row is inserted: a decision whose id now named
    # another text was set aside, and the text it was about got none
    soup, staff, view = ({"text": t} for t in ("Cold soup.", "Rude staff.", "A fine view."))
    out = tmp_path / "curated"
    store = ReviewStore(out / "review.sqlite")
    store.decide("row-1", "relabel", "negative", inputs=soup)
    store.decide("row-2", "keep", inputs=staff)
    store.decide("row-3", "drop", inputs=staff)  # a second word about that text: it rules
    store.decide("row-4", "keep", inputs=view)
    store.close()
    records = [
        Record(id="row-1", inputs={"text": "A new first row."}, label="positive"),
        Record(id="row-2", inputs=soup, label="positive"),
        Record(id="row-3", inputs=soup, label="positive"),  # two rows of one text: both
        Record(id="row-4", inputs=staff, label="negative"),
        Record(id="row-5", inputs=view, label="positive"),
    ]
    result = with_review(Pipeline([]), out).run(records, CurateContext(task=task))
    audit = {e.record_id: (e.action, e.detail.get("decided_as")) for e in result.audit}
    assert audit == {
        "row-2": ("relabel", "row-1"),
        "row-3": ("relabel", "row-1"),  # row-3's own decision is about another text
        "row-4": ("drop", "row-3"),
        "row-5": ("keep", "row-4"),
    }
    assert [(r.id, r.label) for r in result.kept] == [
        ("row-1", "positive"),  # its id's decision is about a text still here: not asked
        ("row-2", "negative"),
        ("row-3", "negative"),
        ("row-5", "positive"),
    ]


async def test_s3_loop_curates_each_round(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    val = load_records(real_files["validation"], task, split_name="validation")
    test = load_records(real_files["test"], task, split_name="test")
    llm = CachedLLM(FakeLLM(), tmp_path / "c.sqlite")
    cfg = S3Config(seed_size=8, rationale_calls_per_label=1, rounds=1, max_errors_per_round=4)
    refs = {"validation": val, "test": test}
    curator = RoundCurator(
        CurateConfig(steps=["exact_dedup", {"length": {"min_words": 9}}], review_queue=0),
        CurateContext(task=task, references=refs),
        tmp_path / "run",
    )
    strategy = ExampleStrategy(Prompter(task, LLMConfig()), val, test, cfg)
    result = await s3_loop(llm, strategy, cfg.rounds, show_progress=False, curate=curator)
    for r in (0, 1):
        summary = json.loads(
            (tmp_path / "run" / f"round_{r}" / "curation" / "summary.json").read_text()
        )
        assert summary["kept"] == result.rounds[r].train_size
    assert all(len(rec.inputs["text"].split()) >= 9 for rec in result.dataset)


async def test_a_round_curator_checks_its_steps_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synthloop.curate.pipeline as pipeline_module

    made: list[object] = []
    fitting = pipeline_module._fitting_steps

    def counted(specs: list[pipeline_module.StepSpec], task: Task) -> list[Step]:
        made.append(specs)
        return fitting(specs, task)

    monkeypatch.setattr(pipeline_module, "_fitting_steps", counted)
    monkeypatch.setattr(pipeline_module, "check_steps_fit", lambda *_: made.append("check"))
    qa, records = qa_task(), qa_records("validation")
    curator = RoundCurator(CurateConfig(steps=["exact_dedup"]), CurateContext(task=qa), tmp_path)
    for round in (0, 1, 2):
        assert await curator(records, round)
    assert len(made) == 1  # made and checked at the first round; never checked again


async def test_run_config_curate_section_drives_the_s3_run(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synthloop.run.s3 as runner

    use_fake_llm(monkeypatch, FakeLLM())
    run_config.write_text(
        run_config.read_text()
        + "curate:\n  steps: [exact_dedup, {length: {min_words: 9}}]\n  review_queue: 3\n"
    )
    config = load_config(run_config)
    run = await runner.run_s3(config, tmp_path / "run", show_progress=False)
    audit = tmp_path / "run" / "round_0" / "curation" / "audit.jsonl"
    assert audit.is_file()
    assert all(len(r.inputs["text"].split()) >= 9 for r in run.result.dataset)
    # the resolved config keeps the section, and reads back
    assert load_config(tmp_path / "run" / "config.yaml").curate == config.curate
