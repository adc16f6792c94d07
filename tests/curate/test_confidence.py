"""Model-based confidence: cross-validated probability of the given label; LLM agreement."""

from pathlib import Path

import numpy as np
import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task
from synthloop.curate import ConfidenceFilter, CurateContext, LLMAgreementFilter, cross_val_proba
from synthloop.curate.base import run_sync, with_extra
from synthloop.curate.confidence import parse_label
from synthloop.llm import CachedLLM, LLMConfig, Request
from synthloop.prompts import Prompter
from tests.conftest import NEGATIVE, FakeLLM
from tests.curate.conftest import noisy_records


def test_cross_val_proba_is_low_for_wrong_labels(ctx: CurateContext) -> None:
    records, wrong = noisy_records()
    cv = cross_val_proba(records, ctx, folds=5)
    given = cv.given([r.label for r in records])
    is_wrong = np.array([r.id in wrong for r in records])
    assert given[is_wrong].max() < given[~is_wrong].mean()
    assert cv.proba.shape == (len(records), 2)
    np.testing.assert_allclose(cv.proba.sum(axis=1), 1.0)
    assert cross_val_proba(records, ctx, folds=5) is cv  # memoised in the context


def test_confidence_filter_drops_or_flags_below_threshold(ctx: CurateContext) -> None:
    records, wrong = noisy_records()
    dropped = ConfidenceFilter(threshold=0.3).run(records, ctx)
    hit = {e.record_id for e in dropped.audit}
    assert len(hit & wrong) >= 5 and len(hit - wrong) <= 2
    assert all(
        e.reason == "low_confidence" and e.score is not None and e.score < 0.3
        for e in dropped.audit
    )
    flagged = ConfidenceFilter(threshold=0.3, mode="flag").run(records, ctx)
    assert len(flagged.kept) == len(records)
    assert {e.record_id for e in flagged.audit} == hit


def test_confidence_leaves_records_a_person_checked(ctx: CurateContext) -> None:
    records, wrong = noisy_records()
    records = [with_extra(r, review="keep") if r.id in wrong else r for r in records]
    result = ConfidenceFilter(threshold=0.3).run(records, ctx)
    assert not {e.record_id for e in result.audit} & wrong


def test_parse_label_takes_the_first_label_named() -> None:
    assert parse_label("Negative.", ["positive", "negative"]) == "negative"
    assert parse_label("positive, not negative", ["positive", "negative"]) == "positive"
    assert parse_label("I think it's good", ["positive", "negative"]) is None


def llm_labeller(request: Request) -> str:
    text = request.messages[-1].content if request.messages else request.prompt or ""
    body = text.split("Restaurant review:", 1)[1]
    return "Label: negative" if any(w in body for w in NEGATIVE) else "positive"


async def test_llm_agreement_drops_disagreements_and_is_cached(task: Task, tmp_path: Path) -> None:
    records, wrong = noisy_records(n=30, flipped=4)
    fake = FakeLLM(llm_labeller)
    llm = CachedLLM(fake, tmp_path / "cache.sqlite")
    ctx = CurateContext(task=task, llm=llm, prompter=Prompter(task, LLMConfig()))
    result = await LLMAgreementFilter().arun(records, ctx)
    assert {e.record_id for e in result.audit} == wrong
    entry = result.audit[0]
    assert entry.reason == "llm_disagrees" and entry.detail["llm_label"] != records[0].label
    assert fake.calls == 30
    again = await LLMAgreementFilter(mode="flag").arun(records, ctx)
    assert fake.calls == 30  # every answer came from the cache
    assert len(again.kept) == 30 and {e.action for e in again.audit} == {"flag"}


def test_llm_agreement_without_an_llm_is_a_config_error(ctx: CurateContext) -> None:
    records, _ = noisy_records(n=4, flipped=0)
    with pytest.raises(ConfigError, match="needs an LLM"):
        run_sync(LLMAgreementFilter(), records, ctx)
