"""Condition scopes: key → values (topic, length, style, audience …), dealt to a round's
examples by their weights, never in an excluded combination."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from synthloop.core.errors import ConfigError
from synthloop.generate.turns import dealt

if TYPE_CHECKING:  # settings builds scopes to check a config: the other way is annotation only
    from synthloop.generate.settings import ConditionsConfig

Condition = dict[str, str]

_MAX_TRIES = 1000  # rejection sampling of excluded combinations


class ConditionScopes:
    """Sample one value per scope, proportionally to its weight, avoiding excluded
    combinations. ``boost`` (value multipliers per scope, e.g. from a dataset-wise round)
    reweights the declared weights."""

    def __init__(
        self,
        scopes: Mapping[str, list[str] | Mapping[str, float]],
        exclude: Sequence[Mapping[str, str | list[str]]] | None = None,
    ) -> None:
        self.weights: dict[str, dict[str, float]] = {}
        for key, values in scopes.items():
            if isinstance(values, Mapping):
                self.weights[str(key)] = {str(v): float(w) for v, w in values.items()}
            else:
                self.weights[str(key)] = {str(v): 1.0 for v in values}
            if not str(key).strip():
                raise ConfigError("a condition scope has an empty name")
            if not self.weights[str(key)]:
                raise ConfigError(f"condition scope {key!r} has no values")
            if any(not v.strip() for v in self.weights[str(key)]):
                raise ConfigError(f"condition scope {key!r} has an empty value")
        self.exclude: list[dict[str, set[str]]] = []
        for rule in exclude or []:
            parsed = {}
            for key, vals in rule.items():
                if key not in self.weights:
                    raise ConfigError(f"exclude names {key!r}, which is not a condition scope")
                wanted = {vals} if isinstance(vals, str) else set(map(str, vals))
                unknown = wanted - set(self.weights[key])
                if unknown:
                    raise ConfigError(
                        f"exclude names {sorted(unknown)[0]!r}, which is not a value of {key!r}"
                    )
                parsed[str(key)] = wanted
            self.exclude.append(parsed)
        if not self._any_allowed():
            raise ConfigError("the condition exclusions rule out every combination")

    @classmethod
    def from_config(cls, config: ConditionsConfig) -> ConditionScopes:
        return cls(config.scopes, config.exclude)

    @property
    def keys(self) -> list[str]:
        return list(self.weights)

    def values(self, key: str) -> list[str]:
        return list(self.weights[key])

    def excluded(self, condition: Mapping[str, str]) -> bool:
        return any(
            all(condition.get(k) in vals for k, vals in rule.items()) for rule in self.exclude
        )

    def _any_allowed(self) -> bool:
        positive = [[v for v, w in ws.items() if w > 0] for ws in self.weights.values()]
        if math.prod(len(p) for p in positive) > 100_000:
            return True  # too many to list; sampling will say if it cannot find one
        return any(
            not self.excluded(dict(zip(self.keys, combo, strict=True)))
            for combo in itertools.product(*positive)
        )

    def _weights(
        self, boost: Mapping[str, Mapping[str, float]] | None
    ) -> dict[str, dict[str, float]]:
        """The declared weights times ``boost``; a scope the boost zeroes keeps its own."""
        boost = boost or {}
        weights = {}
        for key, declared in self.weights.items():
            scaled = {v: w * boost.get(key, {}).get(v, 1.0) for v, w in declared.items()}
            weights[key] = scaled if any(w > 0 for w in scaled.values()) else declared
        return weights

    def sample(
        self, rng: random.Random, boost: Mapping[str, Mapping[str, float]] | None = None
    ) -> Condition:
        """One value per scope. A boost that zeroes a whole scope, or leaves only excluded
        combinations, falls back to the declared weights."""
        # a boost that leaves only exclusions yields to the declared weights
        for table in (self._weights(boost), self.weights):
            for _ in range(_MAX_TRIES):
                cond = {
                    key: rng.choices(list(ws), weights=list(ws.values()))[0]
                    for key, ws in table.items()
                }
                if not self.excluded(cond):
                    return cond
        raise ConfigError(
            "could not sample a condition outside the exclusions in 1000 tries",
            hint="loosen generation.conditions.exclude",
        )

    def deal(
        self, n: int, rng: random.Random, boost: Mapping[str, Mapping[str, float]] | None = None
    ) -> list[Condition]:
        """``n`` conditions in which every scope's values keep their shares (by the weights
        :meth:`sample` uses) within one: drawn one by one, a value of a small round (3 of 10
        examples' worth) goes without a single example one time in 35. Values of different
        scopes meet at random. A combination the exclusions rule out swaps a value with
        another condition's, or, where no swap is allowed, is drawn as :meth:`sample` draws."""
        columns = {}
        for key, ws in self._weights(boost).items():
            values = list(ws)
            columns[key] = [values[j] for j in dealt(list(ws.values()), n, rng)]
        conditions = [{key: column[i] for key, column in columns.items()} for i in range(n)]
        for i, cond in enumerate(conditions):
            if self.excluded(cond) and not self._swap(conditions, i, rng):
                conditions[i] = self.sample(rng, boost)
        return conditions

    def _swap(self, conditions: list[Condition], i: int, rng: random.Random) -> bool:
        """Trade one of condition ``i``'s values with another condition, so neither is
        excluded; False where no single trade does (among up to _MAX_TRIES others)."""
        # a sample, not a shuffle of all n: one per excluded condition made dealing O(n²)
        picked = rng.sample(range(len(conditions)), min(_MAX_TRIES + 1, len(conditions)))
        for j in [j for j in picked if j != i][:_MAX_TRIES]:
            for key in self.keys:
                a, b = conditions[i], conditions[j]
                if a[key] == b[key]:
                    continue
                a[key], b[key] = b[key], a[key]
                if not self.excluded(a) and not self.excluded(b):
                    return True
                a[key], b[key] = b[key], a[key]
        return False
