"""The contract every task type keeps, checked on each registered type (and on a type
added from the test suite): what a new type must provide to work everywhere."""

from __future__ import annotations

import random
from collections.abc import Iterator

import jinja2
import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.core.tasktype import (
    TaskType,
    register_task_type,
    task_types,
    unregister_task_type,
)
from synthloop.learners import make_learner
from synthloop.prompts.prompter import FILTERS
from tests.tasktypes.toy import Stance

PASSAGE = "The Harlow Bridge was built in 1887 by Margaret Ashby."
TYPES = [*task_types(), "stance"]


@pytest.fixture(autouse=True)
def stance() -> Iterator[None]:
    register_task_type(Stance())
    yield
    unregister_task_type("stance")


def spec_of(name: str) -> TaskType:
    return task_types()[name]


def task_of(spec: TaskType) -> Task:
    labels = {"yes": "it holds", "no": "it does not hold"} if spec.labelled else {}
    return Task(name="t", type=spec.name, domain="local history", labels=labels)


def records_of(task: Task, n: int = 4) -> list[Record]:
    labels = task.label_names or ["1887"]  # a free-text label that is a span of the passage
    return [
        Record(id=f"r{i}", inputs={f: PASSAGE for f in task.inputs}, label=labels[i % len(labels)])
        for i in range(n)
    ]


@pytest.mark.parametrize("name", TYPES)
def test_a_task_of_the_type_takes_its_defaults(name: str) -> None:
    spec = spec_of(name)
    assert spec.name == name
    assert spec.inputs and len(set(spec.inputs)) == len(spec.inputs) and "label" not in spec.inputs
    task = task_of(spec)
    assert task.inputs == spec.inputs and task.spec is spec
    assert task.has_labels == spec.labelled
    assert task.generated_field in task.inputs
    assert task.generated_field not in task.kept_fields
    assert set(task.kept_fields) <= set(task.inputs)
    assert bool(task.kept_fields) == spec.keeps_real_inputs


@pytest.mark.parametrize("name", TYPES)
def test_its_folder_holds_a_template_for_every_step_in_both_modes(name: str) -> None:
    spec = spec_of(name)
    assert spec.templates is not None and spec.templates.is_dir()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(spec.templates)))
    env.filters.update(FILTERS)  # the Prompter's ("{{ noun | a }}")
    for step in spec.steps:
        for mode in ("chat", "completion"):
            env.get_template(f"{spec.template(step)}.{mode}.j2")  # parses


@pytest.mark.parametrize("name", TYPES)
def test_it_scores_predictions_by_its_own_figures(name: str) -> None:
    spec = spec_of(name)
    task = task_of(spec)
    records = records_of(task)
    gold = [r.label for r in records]
    perfect = spec.score(gold, records, task)
    assert perfect.accuracy == 1.0 and perfect.n == len(records) and perfect.kind == name
    assert list(perfect.as_dict()) == [*spec.metric_names, "n"]
    assert len(set(spec.metric_names)) == 2 and len(spec.metric_titles) == 2
    assert spec.wrong(gold, records, task) == []
    assert spec.wrong(["zzz"] * len(records), records, task) == records


@pytest.mark.parametrize("name", TYPES)
def test_real_rows_generated_text_and_learner_inputs(name: str) -> None:
    spec = spec_of(name)
    task = task_of(spec)
    record = records_of(task, 1)[0]
    assert spec.check_row(task, dict(record.inputs), record.label) is None
    text = "The bridge over the river Dene stands in a quiet town."
    assert spec.reject(task, spec.clean(text + "?"), record.label) in (None, *_QUESTION_RULES)
    learner_input = task.learner_input(record)
    if len(task.inputs) == 1:
        assert learner_input == PASSAGE
    else:
        assert isinstance(learner_input, tuple) and len(learner_input) == len(task.inputs)
    if spec.keeps_real_inputs:
        fixed = {f: record.inputs[f] for f in task.kept_fields}
        label = spec.anchor_label(task, fixed, random.Random(0))
        assert label is None or label in PASSAGE


_QUESTION_RULES = ("a_question",)  # the stance type's own rule: a question is no stance


@pytest.mark.parametrize("name", TYPES)
def test_its_default_learner_exists_and_its_labels_export(name: str) -> None:
    import datasets

    spec = spec_of(name)
    if spec.default_learner is not None:
        make_learner(spec.default_learner)
    feature = spec.hf_label_feature(task_of(spec))
    if spec.labelled:
        assert isinstance(feature, datasets.ClassLabel) and feature.names == ["yes", "no"]
    else:
        assert feature == datasets.Value("string")
    assert spec.hf_task_category
