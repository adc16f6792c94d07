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
