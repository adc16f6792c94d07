"""The generation toolbox driven by a run config's ``generation:`` section: build the
condition plan (scopes, concept tree), the demonstration selector, and run a method."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from synthloop.core.errors import ConfigError
from synthloop.core.io import DataSpec, load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.anchors import Anchor
from synthloop.generate.common import Generation
from synthloop.generate.concept_tree import load_or_expand_tree
from synthloop.generate.conditional import ConditionPlan, check_anchors, conditional
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.dataset_wise import dataset_wise
from synthloop.generate.demos import DemoPool, DemoSelector, Embed
from synthloop.generate.dialogue import dialogues
from synthloop.generate.settings import GenerationConfig
from synthloop.generate.stepwise import rationale_then_example
from synthloop.llm import LLM
from synthloop.prompts import Prompter

#: generators of this module, as the CLI names them
METHODS = ("conditional", "rationale-example", "dialogue")


async def build_plan(
    llm: LLM,
    prompter: Prompter,
    cfg: GenerationConfig,
    *,
    seed: int = 0,
    tree_file: str | Path | None = None,
    show_progress: bool = True,
) -> tuple[ConditionPlan, int]:
    """The condition plan, and the LLM calls spent on it (expanding the concept tree)."""
    scopes = ConditionScopes.from_config(cfg.conditions) if cfg.conditions else None
    tree, calls = None, 0
    if cfg.concept_tree is not None:
        tc = cfg.concept_tree
        tree, calls = await load_or_expand_tree(
            llm,
            prompter,
            tc.root or prompter.task.domain,
            path=tc.file or tree_file,
            depth=tc.depth,
            branching=tc.branching,
            seed=seed,
            first_level=prompter.task.label_names if tc.per_label else None,
            show_progress=show_progress,
        )
    key = cfg.concept_tree.key if cfg.concept_tree else "topic"
    per_label = bool(cfg.concept_tree and cfg.concept_tree.per_label)
    return ConditionPlan(scopes=scopes, tree=tree, tree_key=key, per_label=per_label), calls


def demo_pool(
    cfg: GenerationConfig, task: Task, default: DataSpec | list[Record], *, embed: Embed | None
) -> DemoPool | None:
    """The real pool demonstrations come from: ``demonstrations.data``, else ``default``."""
    if cfg.demonstrations is None and cfg.extrapolate_neighbours == 0:
        return None
    source: DataSpec | list[Record] = (
        cfg.demonstrations.data if cfg.demonstrations and cfg.demonstrations.data else default
    )
    records = source if isinstance(source, list) else load_records(source, task, split_name="demos")
    return DemoPool(records, task, embed=embed)


def demo_selector(cfg: GenerationConfig, pool: DemoPool | None) -> DemoSelector | None:
    if cfg.demonstrations is None or pool is None:
        return None
    d = cfg.demonstrations
    return DemoSelector(
        pool, k=d.k, select=d.select, same_label=d.same_label, max_prompt_tokens=d.max_prompt_tokens
    )


def neighbour_selector(cfg: GenerationConfig, pool: DemoPool | None) -> DemoSelector | None:
    """S3's retrieved neighbours of each error, when ``extrapolate_neighbours`` > 0."""
    if cfg.extrapolate_neighbours == 0 or pool is None:
        return None
    budget = cfg.demonstrations.max_prompt_tokens if cfg.demonstrations else None
    return DemoSelector(
        pool, k=cfg.extrapolate_neighbours, select="similar", max_prompt_tokens=budget
    )


async def generate_configured(
    method: str,
    llm: LLM,
    prompter: Prompter,
    cfg: GenerationConfig,
    n: int,
    *,
    pool: DemoPool | None = None,
    seed: int = 0,
    tree_file: str | Path | None = None,
    embed: Embed | None = None,
    anchors: Sequence[Anchor] | None = None,
    show_progress: bool = True,
) -> Generation:
    """Run ``method`` with ``n`` calls for the examples: ``conditional`` (in ``cfg.rounds``
    dataset-wise rounds when > 1), ``rationale-example`` (two calls per sample) or
    ``dialogue`` (``dialogue.turns`` calls per dialogue). Expanding a concept tree costs
    its calls on top, once: a saved tree file is reused, so a rerun stays free.

    Pair/QA tasks need ``anchors`` (real premises, or passages with answers: see
    :func:`~synthloop.generate.anchors.seed_anchors`); they are checked before any call."""
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    task = prompter.task
    if method == "dialogue" and task.type != "classification":
        raise ConfigError(f"dialogue generation is for classification tasks, not {task.type}")
    check_anchors(task, anchors)
    if cfg.concept_tree is not None and cfg.concept_tree.per_label and not task.has_labels:
        raise ConfigError(f"concept_tree.per_label: a {task.type} task has no labels")
    plan, tree_calls = await build_plan(
        llm, prompter, cfg, seed=seed, tree_file=tree_file, show_progress=show_progress
    )
    left = n
    demos = demo_selector(cfg, pool)
    if method == "conditional" and cfg.rounds > 1:
        gen = (
            await dataset_wise(
                llm,
                prompter,
                left,
                rounds=cfg.rounds,
                plan=plan,
                demos=demos,
                seed=seed,
                clusters=cfg.clusters,
                embed=embed,
                method="conditional",
                template=cfg.template,
                anchors=anchors,
                show_progress=show_progress,
            )
        ).generation
    elif method == "conditional":
        gen = await conditional(
            llm,
            prompter,
            left,
            plan=plan,
            demos=demos,
            seed=seed,
            template=cfg.template,
            anchors=anchors,
            show_progress=show_progress,
        )
    elif method == "rationale-example":
        gen = await rationale_then_example(
            llm,
            prompter,
            left // 2,
            plan=plan,
            demos=demos,
            seed=seed,
            anchors=anchors,
            show_progress=show_progress,
        )
    else:
        dc = cfg.dialogue
        gen = await dialogues(
            llm,
            prompter,
            left // dc.turns,
            turns=dc.turns,
            user=dc.user,
            assistant=dc.assistant,
            plan=plan,
            seed=seed,
            show_progress=show_progress,
        )
    gen.calls += tree_calls
    return gen
