"""Conditional generation: each example is asked for under a condition — values of the
declared scopes, dealt by their weights, and/or the next leaf of a concept tree — optionally
with demonstrations chosen for that condition. Labels go in turn (or in proportion to
``label_weights``), and tree leaves are walked so every leaf meets every label.

Pair and QA tasks keep real inputs: each example starts from an
:class:`~synthloop.generate.anchors.Anchor` (a real premise, or a passage and answer span),
used in turn, and the condition steers only the hypothesis or question the LLM writes.
A QA example's label is its anchor's answer, so labels are not planned for QA."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from synthloop.core.errors import ConfigError
from synthloop.core.inorder import InOrder
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task
from synthloop.generate.anchors import Anchor, anchor_provenance, anchor_variables
from synthloop.generate.common import Generation, Job, Plan, records_plan, run_plan, template_for
from synthloop.generate.concept_tree import Node, leaf_topic
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.demos import DemoSelector
from synthloop.generate.turns import WeightedTurns
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.tasktypes.rules import words

#: the package's generation steps; a pair/QA task uses its type's variant (pair_zerogen)
STEPS = ("zerogen", "s3_seed", "extrapolate")


def step_template(task: Task, template: str) -> str:
    """The template to render: a package step in the task type's variant, else as named."""
    return template_for(task, template) if template in STEPS else template


def check_anchors(task: Task, anchors: Sequence[Anchor] | None) -> None:
    if task.kept_fields and not anchors:
        raise ConfigError(
            f"a {task.type} task generates from anchors (real {task.kept_fields[0]}s); "
            "pass anchors=seed_anchors(task, real_records, n)"
        )


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

    def check_for(self, task: Task) -> None:
        """A per-label tree needs a task whose labels are classes (not QA answers)."""
        if self.per_label and self.tree is not None and not task.has_labels:
            raise ConfigError(f"a {task.type} task has no labels to put on a per-label tree")

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
    anchors: Sequence[Anchor] | None = None,
) -> Sequence[Job]:
    """One job per example, each made when first asked for; ``variables`` go to the
    template besides label and condition. Pair/QA tasks need ``anchors`` (see
    :func:`~synthloop.generate.anchors.seed_anchors`): example ``i`` keeps the inputs of
    ``anchors[i % len(anchors)]``."""
    task = prompter.task
    check_anchors(task, anchors)
    plan = plan or ConditionPlan()
    plan.check_for(task)
    steering = steering or Steering()
    labels = task.label_names
    per_walk = max(len(labels), 1)  # examples per leaf step (QA plans no labels)
    leaves = plan.leaves
    rng = random.Random(derive_seed(seed, method, "plan", round))
    name = step_template(task, template)
    label_turns = (
        WeightedTurns(steering.label_weights) if steering.label_weights is not None else None
    )
    leaf_turns: dict[tuple[int, ...], WeightedTurns] = {}  # one per label's set of leaves
    scoped = plan.scopes.deal(n, rng, steering.boost) if plan.scopes is not None else None

    def job(i: int) -> Job:  # in order: the turns and the demonstrations share one rng
        anchor = anchors[i % len(anchors)] if anchors else None
        fixed = dict(anchor.fixed) if anchor is not None else {}
        if anchor is not None and anchor.label is not None:
            label = anchor.label  # QA: the question's answer is fixed by the anchor
        elif label_turns is not None:
            label = labels[label_turns.next()]
        else:
            label = labels[i % len(labels)]
        conditions: dict[str, str] = {}
        leaf: tuple[str, ...] | None = None
        allowed = plan.leaf_indices(label) if leaves else []
        if leaves and not allowed:
            raise ConfigError(f"the per-label concept tree has no leaves for label {label!r}")
        if allowed:
            if steering.leaf_weights is not None:
                key = tuple(allowed)
                if key not in leaf_turns:
                    leaf_turns[key] = WeightedTurns([steering.leaf_weights[j] for j in allowed])
                leaf = leaves[allowed[leaf_turns[key].next()]]
            else:  # label-major walk: leaf j meets every label (allowed) before j+1 starts
                leaf = leaves[allowed[(i // per_walk) % len(allowed)]]
            conditions[plan.tree_key] = plan.topic(leaf)
        if scoped is not None:
            conditions.update(scoped[i])
        shown = (
            demos.for_condition(label, conditions, rng, fixed=fixed) if demos is not None else []
        )
        composed = prompter.compose(
            name,
            seed=derive_seed(seed, method, round, i),
            label=label,
            label_description=task.labels.get(label, ""),
            conditions=conditions,
            demos=shown,
            max_prompt_tokens=demos.max_prompt_tokens if demos is not None else None,
            **anchor_variables(task, fixed),
            **(variables or {}),
        )
        extra: dict[str, Any] = composed.provenance()
        if leaf is not None:
            extra["leaf"] = list(leaf)
        extra.update(anchor_provenance(anchors, i))
        return Job(request=composed.request, label=label, extra=extra, fixed=fixed)

    # made as asked for: an estimate prices a huge n from the first few thousand
    return InOrder(n, map(job, range(n)))


def copy_key(text: str) -> str:
    """What a copy is judged by: the words, lower-cased. Case, spacing and punctuation
    alone ("The eggs were perfect!" for "the eggs were perfect") do not make it new."""
    return " ".join(words(text))


def drop_copies(
    gen: Generation, banned: set[str], reason: str = "copy_of_demo", *, field: str | None = None
) -> Generation:
    """Drop records whose text (or only their ``field``: the hypothesis or question a
    pair/QA task writes) copies one of ``banned`` (each a :func:`copy_key`)."""
    kept = []
    for rec in gen.records:
        text = rec.inputs[field] if field is not None else " ".join(rec.inputs.values())
        key = copy_key(text)
        if key and key in banned:
            gen.dropped[reason] += 1
        else:
            kept.append(rec)
    gen.records = kept
    return gen


def conditional_plan(
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
    anchors: Sequence[Anchor] | None = None,
    calls_left: int | None = 0,
) -> Plan[Generation]:
    """``n`` calls, one example each; records carry their condition, leaf and demos (and,
    for pair/QA tasks, the id of the real record their kept inputs come from).
    ``calls_left``: what the plan it is part of may still ask after it (None: unknown)."""
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
        anchors=anchors,
    )
    task = prompter.task
    gen = yield from records_plan(jobs, task, method=method, round=round, calls_left=calls_left)
    if demos is not None:
        drop_demo_copies(gen, jobs, demos, task)
    return gen


def drop_demo_copies(gen: Generation, jobs: Sequence[Job], demos: DemoSelector, task: Task) -> None:
    """Drop the records that copy a demonstration some job showed (``copy_of_demo``)."""
    shown = {d for j in jobs for d in j.extra.get("demos", [])}
    # pair/QA: the kept inputs are real by design; a copied hypothesis is not
    field = task.generated_field if task.kept_fields else None
    banned = {
        copy_key(r.inputs[field] if field else task.joined_text(r))
        for r in demos.pool.records
        if r.id in shown
    }
    drop_copies(gen, banned, field=field)


async def conditional(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Generation:
    """Run :func:`conditional_plan` against ``llm`` (the same options)."""
    plan = conditional_plan(prompter, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
