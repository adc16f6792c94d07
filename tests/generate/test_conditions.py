import random
from collections import Counter

import pytest

from synthloop.core.errors import ConfigError
from synthloop.generate.conditions import ConditionScopes


def test_values_follow_their_weights_and_exclusions_never_appear() -> None:
    scopes = ConditionScopes(
        {"length": {"short": 3, "long": 1}, "audience": ["kids", "critics"]},
        exclude=[{"length": "long", "audience": "kids"}],
    )
    rng = random.Random(0)
    drawn = [scopes.sample(rng) for _ in range(4000)]
    assert not any(c == {"length": "long", "audience": "kids"} for c in drawn)
    lengths = Counter(c["length"] for c in drawn)
    # short: 3 of 4 by weight, and long loses half its draws to the exclusion
    assert lengths["short"] / len(drawn) == pytest.approx(6 / 7, abs=0.03)
    assert set(Counter(c["audience"] for c in drawn)) == {"kids", "critics"}


def test_boost_reweights_and_a_zero_boost_falls_back() -> None:
    scopes = ConditionScopes({"topic": ["a", "b", "c"]})
    rng = random.Random(1)
    boosted = Counter(
        scopes.sample(rng, {"topic": {"a": 0, "b": 0, "c": 1}})["topic"] for _ in range(50)
    )
    assert boosted == Counter({"c": 50})
    fallback = Counter(
        scopes.sample(rng, {"topic": {"a": 0, "b": 0, "c": 0}})["topic"] for _ in range(300)
    )
    assert set(fallback) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("exclude", "message"),
    [
        ([{"mood": "x"}], "not a condition scope"),
        ([{"topic": "z"}], "not a value"),
        ([{"topic": ["a", "b"]}], "rule out every combination"),
    ],
)
def test_bad_exclusions_are_config_errors(exclude: list, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ConditionScopes({"topic": ["a", "b"]}, exclude=exclude)


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        ({"region": ["Europe", ""]}, "'region' has an empty value"),
        ({"region": {"Europe": 1, "  ": 2}}, "'region' has an empty value"),
        ({"": ["Europe"]}, "a condition scope has an empty name"),
    ],
)
def test_an_empty_value_or_name_is_a_config_error(scopes: dict, message: str) -> None:
    # was: accepted, and prompts asked for "region: " with nothing after it
    with pytest.raises(ConfigError, match=message):
        ConditionScopes(scopes)


def test_a_round_deals_every_value_its_share_and_values_meet_at_random() -> None:
    # was: each example drew its values at random, so a value could miss a small round
    scopes = ConditionScopes({"length": {"short": 2, "long": 1}, "audience": list("abcde")})
    dealt = scopes.deal(10, random.Random(0))
    assert Counter(c["audience"] for c in dealt) == Counter({v: 2 for v in "abcde"})
    assert Counter(c["length"] for c in dealt)["long"] in (3, 4)  # 10 / 3 within one
    many = scopes.deal(200, random.Random(1))
    assert len({(c["length"], c["audience"]) for c in many}) == 10  # not in lockstep


def test_dealt_conditions_avoid_exclusions_and_keep_the_shares() -> None:
    scopes = ConditionScopes(
        {"length": {"short": 3, "long": 1}, "audience": ["kids", "critics"]},
        exclude=[{"length": "long", "audience": "kids"}],
    )
    dealt = scopes.deal(40, random.Random(2))
    assert not any(scopes.excluded(c) for c in dealt)
    assert Counter(c["length"] for c in dealt) == Counter({"short": 30, "long": 10})
    assert Counter(c["audience"] for c in dealt) == Counter({"kids": 20, "critics": 20})


def test_a_dealt_round_follows_its_boost() -> None:
    scopes = ConditionScopes({"topic": ["a", "b", "c"]})
    boosted = scopes.deal(9, random.Random(3), {"topic": {"a": 1, "b": 2, "c": 0}})
    assert Counter(c["topic"] for c in boosted) == Counter({"a": 3, "b": 6})
    zeroed = scopes.deal(9, random.Random(3), {"topic": {"a": 0, "b": 0, "c": 0}})
    assert Counter(c["topic"] for c in zeroed) == Counter({"a": 3, "b": 3, "c": 3})
