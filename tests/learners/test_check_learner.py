"""A learner named for a task must fit the task's type: classes, spans or responses."""

from __future__ import annotations

import pytest

from synthloop.core.errors import ConfigError
from synthloop.learners import check_learner
from tests.task_fakes import instruction_task, pair_task, qa_task


@pytest.mark.parametrize("name", ["tfidf_lr", "embed_lr", "minilm_ft"])
def test_classifiers_fit_a_pair_task_and_not_qa(name: str) -> None:
    check_learner(name, pair_task())
    with pytest.raises(ConfigError, match=f"learner '{name}' does not fit a qa task"):
        check_learner(name, qa_task())


def test_a_span_model_fits_qa_and_not_a_pair_task() -> None:
    # was: "none of 8 answers is a span of its context", about NLI labels
    check_learner("span_lr", qa_task())
    with pytest.raises(ConfigError, match="does not fit a pair task; choose one of: tfidf_lr"):
        check_learner("span_lr", pair_task())


def test_a_responder_fits_instruction_data_only() -> None:
    check_learner("retrieval_responder", instruction_task())
    with pytest.raises(ConfigError, match="does not fit a pair task"):
        check_learner("retrieval_responder", pair_task())


def test_without_a_task_only_the_name_is_checked() -> None:
    check_learner("span_lr")
    with pytest.raises(ConfigError, match="unknown learner 'span'"):
        check_learner("span")
