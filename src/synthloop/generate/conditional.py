"""Conditional generation: each example is asked for under a condition — sampled values
of the declared scopes and/or the next leaf of a concept tree — optionally with
demonstrations chosen for that condition. Labels go in turn (or by ``label_weights``),
and tree leaves are walked so every leaf meets every label."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from synthloop.errors import ConfigError
from synthloop.generate.common import Generation, Job, run_jobs
from synthloop.generate.concept_tree import Node, leaf_topic
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.demos import DemoSelector
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.seeds import derive_seed


@dataclass
class ConditionPlan:
    """Where an example's condition comes from: scopes, a concept tree, both or neither."""

    scopes: ConditionScopes | None = None
    tree: Node | None = None
    tree_key: str = "topic"
    per_label: bool = False  # the tree's first level is the labels
    _leaves: list[tuple[str, ...]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.scopes is not None and self.tree is not None and self.tree_key in self.scopes.keys:
            raise ConfigError(
                f"the concept tree fills the condition {self.tree_key!r}, which is also a "
                "declared scope; rename one (concept_tree.key)"
            )
        self._leaves = self.tree.leaves() if self.tree is not None else []
        if self.per_label and self.tree is not None and not self.tree.children:
            raise ConfigError("a per-label concept tree needs the labels as its first level")

    @property
    def leaves(self) -> list[tuple[str, ...]]:
        return self._leaves

    def leaf_indices(self, label: str) -> list[int]:
        """The leaves a ``label`` may use (all of them, unless the tree is per label)."""
        if not self.per_label:
            return list(range(len(self._leaves)))
        return [i for i, p in enumerate(self._leaves) if len(p) > 1 and p[1] == label]

    def topic(self, leaf: tuple[str, ...]) -> str:
        return leaf_topic(leaf, skip=2 if self.per_label else 1)


@dataclass(frozen=True)
class Steering:
    """How a dataset-wise round tilts the plan: weights per label and per tree leaf (in
    order), multipliers per scope value. ``None`` keeps the even plan."""

    label_weights: Sequence[float] | None = None
    leaf_weights: Sequence[float] | None = None
    boost: Mapping[str, Mapping[str, float]] | None = None


def conditional_jobs(
    prompter: Prompter,
    n: int,
    *,
    plan: ConditionPlan | None = None,
    demos: DemoSelector | None = None,
    seed: int = 0,
    round: int = 0,
    method: str = "conditional",
    template: str = "zerogen",
    steering: Steering | None = None,
    variables: Mapping[str, Any] | None = None,
) -> list[Job]:
    """One job per example; ``variables`` go to the template besides label and condition."""
    task = prompter.task
    plan = plan or ConditionPlan()
    steering = steering or Steering()
    labels = task.label_names
    leaves = plan.leaves
    rng = random.Random(derive_seed(seed, method, "plan", round))
    jobs = []
    for i in range(n):
        if steering.label_weights is not None:
            label = rng.choices(labels, weights=list(steering.label_weights))[0]
        else:
            label = labels[i % len(labels)]
        conditions: dict[str, str] = {}
        leaf: tuple[str, ...] | None = None
        allowed = plan.leaf_indices(label) if leaves else []
        if leaves and not allowed:
            raise ConfigError(f"the per-label concept tree has no leaves for label {label!r}")
        if allowed:
            if steering.leaf_weights is not None:
                weights = [steering.leaf_weights[j] for j in allowed]
                leaf = leaves[rng.choices(allowed, weights=weights)[0]]
            else:  # label-major walk: leaf j meets every label (allowed) before j+1 starts
                leaf = leaves[allowed[(i // len(labels)) % len(allowed)]]
            conditions[plan.tree_key] = plan.topic(leaf)
        if plan.scopes is not None:
            conditions.update(plan.scopes.sample(rng, steering.boost))
        shown = demos.for_condition(label, conditions, rng) if demos is not None else []
        composed = prompter.compose(
            template,
            seed=derive_seed(seed, method, round, i),
            label=label,
            label_description=task.labels[label],
            conditions=conditions,
            demos=shown,
            max_prompt_tokens=demos.max_prompt_tokens if demos is not None else None,
            **(variables or {}),
        )
        extra: dict[str, Any] = composed.provenance()
        if leaf is not None:
            extra["leaf"] = list(leaf)
        jobs.append(Job(request=composed.request, label=label, extra=extra))
    return jobs


def drop_copies(gen: Generation, banned: set[str], reason: str = "copy_of_demo") -> Generation:
    """Drop records whose text is a verbatim copy of one of ``banned`` (normalised)."""
    kept = []
    for rec in gen.records:
        if " ".join(" ".join(rec.inputs.values()).lower().split()) in banned:
            gen.dropped[reason] += 1
        else:
            kept.append(rec)
    gen.records = kept
    return gen


async def conditional(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    plan: ConditionPlan | None = None,
    demos: DemoSelector | None = None,
    seed: int = 0,
    round: int = 0,
    method: str = "conditional",
    template: str = "zerogen",
    steering: Steering | None = None,
    show_progress: bool = True,
) -> Generation:
    """``n`` calls, one example each; records carry their condition, leaf and demos."""
    jobs = conditional_jobs(
        prompter,
        n,
        plan=plan,
        demos=demos,
        seed=seed,
        round=round,
        method=method,
        template=template,
        steering=steering,
    )
    gen = await run_jobs(
        llm, prompter.task, jobs, method=method, round=round, show_progress=show_progress
    )
    if demos is not None:
        shown = {d for j in jobs for d in j.extra.get("demos", [])}
        banned = {
            " ".join(demos.pool.task.joined_text(r).lower().split())
            for r in demos.pool.records
            if r.id in shown
        }
        drop_copies(gen, banned)
    return gen
