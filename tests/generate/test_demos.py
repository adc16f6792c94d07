import random

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.demos import DemoPool, DemoSelector
from tests.conftest import requires_shared
from tests.generate.fakes import bag_of_words_embed


def pool_records() -> list[Record]:
    rows = [
        ("p1", "the pizza crust was crisp and the pizza sauce fresh", "positive"),
        ("p2", "lovely sushi, the sushi rice was perfect", "positive"),
        ("p3", "great pasta and a kind waiter", "positive"),
        ("n1", "the pizza was burnt and the pizza box soggy", "negative"),
        ("n2", "cold sushi and rude staff", "negative"),
    ]
    return [Record(id=i, inputs={"text": t}, label=lab) for i, t, lab in rows]


def test_similar_demos_match_the_condition_and_the_label(task: Task) -> None:
    pool = DemoPool(pool_records(), task, embed=bag_of_words_embed)
    pick = DemoSelector(pool, k=2, select="similar")
    demos = pick.for_condition("positive", {"topic": "pizza"}, random.Random(0))
    assert demos[0].id == "p1"  # the pizza one, not the negative pizza one
    assert all(d.label == "positive" for d in demos)
    anylabel = DemoSelector(pool, k=2, select="similar", same_label=False)
    assert {
        d.id for d in anylabel.for_condition("positive", {"topic": "pizza"}, random.Random(0))
    } == {
        "p1",
        "n1",
    }


def test_random_demos_vary_with_the_seed_and_keep_the_label(task: Task) -> None:
    pool = DemoPool(pool_records(), task, embed=bag_of_words_embed)
    pick = DemoSelector(pool, k=2, select="random")
    draws = {
        tuple(d.id for d in pick.for_condition("positive", {}, random.Random(s))) for s in range(20)
    }
    assert len(draws) > 1
    assert all(i is not None and i.startswith("p") for draw in draws for i in draw)


def test_neighbours_of_an_error_exclude_the_error_itself(task: Task) -> None:
    records = pool_records()
    pool = DemoPool(records, task, embed=bag_of_words_embed)
    error = records[1]  # p2, the sushi one
    copy = Record(id="dup", inputs={"text": error.inputs["text"]}, label="positive")
    pool = DemoPool([*records, copy], task, embed=bag_of_words_embed)
    near = DemoSelector(pool, k=2, same_label=False).neighbours(error)
    ids = [d.id for d in near]
    assert "p2" not in ids and "dup" not in ids  # neither itself nor a verbatim copy
    assert ids[0] == "n2"  # the other sushi review


def test_empty_pool_is_a_config_error(task: Task) -> None:
    with pytest.raises(ConfigError, match="empty"):
        DemoPool([], task)


@requires_shared
def test_minilm_retrieves_on_topic_real_examples() -> None:
    from synthloop.core.io import DataSpec, load_records
    from tests.conftest import SHARED_DATA

    news = Task(
        name="ag_news",
        domain="news",
        labels={"World": "w", "Sports": "s", "Business": "b", "Sci/Tech": "t"},
    )
    records = load_records(
        DataSpec(path=str(SHARED_DATA / "ag_news" / "test.jsonl"), limit=80), news
    )
    pool = DemoPool(records, news)  # the packaged all-MiniLM-L6-v2
    picked = DemoSelector(pool, k=3, same_label=False).for_condition(
        "Sports", {"topic": "baseball: the pitcher, home runs and a win"}, random.Random(0)
    )
    assert sum(d.label == "Sports" for d in picked) >= 2
