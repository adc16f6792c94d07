"""Every generator, by the name the CLI and configs use: the one registry.

Each entry turns :class:`GeneratorInputs` (what a run config and its real data provide)
into a plan (see :mod:`synthloop.generate.common`): ``synthloop generate --method`` offers
the entries a run config can drive, the estimate walks the same plans, and the S3 loop's
strategies take their seed and extrapolation steps from here. The toolbox methods
(``conditional``, ``rationale-example``, ``dialogue``) are set up by the run config's
``generation:`` section: the condition plan (scopes, concept tree) and demonstrations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from synthloop.core.errors import ConfigError, warn
from synthloop.core.io import DataSpec, load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.anchors import Anchor
from synthloop.generate.common import Generation, Plan, run_plan
from synthloop.generate.concept_tree import tree_plan
from synthloop.generate.conditional import ConditionPlan, check_anchors, conditional_plan
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.dataset_wise import dataset_wise_plan
from synthloop.generate.demos import DemoPool, DemoSelector, Embed
from synthloop.generate.dialogue import dialogues_plan
from synthloop.generate.extrapolate import extrapolate_plan
from synthloop.generate.instruct_extrapolate import extrapolate_instructions_plan
from synthloop.generate.s3_seed import rationales_then_seed_plan
from synthloop.generate.self_instruct import (
    InstructionExample,
    NoveltyFilter,
    SelfInstructConfig,
    self_instruct_plan,
)
from synthloop.generate.settings import GenerationConfig
from synthloop.generate.stepwise import rationale_then_example_plan
from synthloop.generate.zerogen import zerogen_plan
from synthloop.llm import LLM
from synthloop.prompts import Prompter


def condition_plan_steps(
    prompter: Prompter,
    cfg: GenerationConfig,
    *,
    seed: int = 0,
    tree_file: str | Path | None = None,
    save_tree: bool = True,
) -> Plan[tuple[ConditionPlan, int]]:
    """The condition plan, and the LLM calls spent on it (expanding the concept tree)."""
    scopes = ConditionScopes.from_config(cfg.conditions) if cfg.conditions else None
    tree, calls = None, 0
    if cfg.concept_tree is not None:
        tc = cfg.concept_tree
        tree, calls = yield from tree_plan(
            prompter,
            tc.root or prompter.task.domain,
            path=tc.file or tree_file,
            depth=tc.depth,
            branching=tc.branching,
            seed=seed,
            first_level=prompter.task.label_names if tc.per_label else None,
            save=save_tree,
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
    task = pool.task
    by_label = d.same_label and task.has_labels  # a QA label is an answer, not a class
    groups = (
        {label: sum(r.label == label for r in pool.records) for label in task.label_names}
        if by_label
        else {"": len(pool.records)}
    )
    # a few real examples of a rare label are normal (77 intents, 2 each): its prompts show
    # what there is, and the user is told, rather than the run refused
    short = {label: size for label, size in groups.items() if size < d.k}
    if short:
        of = (
            (" of label " if len(short) == 1 else " of labels ")
            + ", ".join(f"{label!r} ({n})" for label, n in list(short.items())[:5])
            + (" …" if len(short) > 5 else "")
            if by_label
            else f" ({short['']} records)"
        )
        warn(
            f"generation.demonstrations.k is {d.k}, but the pool has fewer records{of}: "
            "their prompts show fewer demonstrations"
            + ("; add real examples or set same_label: false" if by_label else "")
        )
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


@dataclass(frozen=True)
class GeneratorInputs:
    """What a generator may draw on, made once per run from its config and real data."""

    prompter: Prompter
    n: int  # calls for the examples (Self-Instruct: instructions wanted)
    seed: int = 0
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    anchors: Sequence[Anchor] = ()  # pair/QA: real premises or passages to keep
    errors: Sequence[Record] = ()  # extrapolate: the real examples to imitate
    pool: DemoPool | None = None  # demonstrations: the real pool
    tree_file: str | Path | None = None  # where an unnamed concept tree is saved
    save_tree: bool = True  # an estimate writes nothing
    embed: Embed | None = None  # dataset-wise clustering (default: MiniLM)
    # the s3: section's seed and extrapolation settings
    rationale_calls_per_label: int = 2
    rationales_per_call: int = 5
    rationales_per_example: int = 2
    per_error: int = 1
    # instruction data: the seed examples and Self-Instruct's settings
    seeds: Sequence[InstructionExample] = ()
    self_instruct: SelfInstructConfig = field(default_factory=SelfInstructConfig)
    #: instruction extrapolation: every instruction so far, which new ones must not copy
    novelty: NoveltyFilter | None = None
    round: int = 1  # the S3 round an extrapolation is for

    @property
    def task(self) -> Task:
        return self.prompter.task


@dataclass(frozen=True)
class Generator:
    """A registered generator: its plan, and what it needs."""

    name: str
    plan: Callable[[GeneratorInputs], Plan[Generation]]
    #: ``synthloop generate`` runs it from a run config (Self-Instruct has its own command)
    run_config: bool = True
    #: it imitates given examples (``--from FILE``)
    needs_errors: bool = False
    #: the run config's ``generation:`` section sets it up (conditions, concept tree,
    #: demonstrations from a real pool)
    toolbox: bool = False


def _zerogen(i: GeneratorInputs) -> Plan[Generation]:
    return zerogen_plan(i.prompter, i.n, seed=i.seed, anchors=i.anchors or None)


def _s3_seed(i: GeneratorInputs) -> Plan[Generation]:
    _, gen = yield from rationales_then_seed_plan(
        i.prompter,
        i.n,
        calls_per_label=i.rationale_calls_per_label,
        per_call=i.rationales_per_call,
        k=i.rationales_per_example,
        seed=i.seed,
        anchors=i.anchors or None,
    )
    return gen


def _extrapolate(i: GeneratorInputs) -> Plan[Generation]:
    return extrapolate_plan(i.prompter, i.errors[: i.n], per_error=i.per_error, seed=i.seed)


def _toolbox(method: str) -> Callable[[GeneratorInputs], Plan[Generation]]:
    """``conditional`` (in ``rounds`` dataset-wise rounds when > 1), ``rationale-example``
    (two calls per sample) or ``dialogue`` (``dialogue.turns`` calls per dialogue), with
    ``n`` calls for the examples. Expanding a concept tree costs its calls on top, once:
    a saved tree file is reused, so a rerun stays free. Pair/QA tasks need ``anchors``;
    they are checked before any call."""

    def plan(i: GeneratorInputs) -> Plan[Generation]:
        task, cfg = i.task, i.generation
        if method == "dialogue" and not (len(task.inputs) == 1 and task.has_labels):
            raise ConfigError(f"dialogue generation is for classification tasks, not {task.type}")
        # n counts calls: too few for one example would make an empty dataset, not an error
        per = {"rationale-example": 2, "dialogue": cfg.dialogue.turns}.get(method, 1)
        if i.n < per:
            raise ConfigError(
                f"{method} needs {per} calls per example, so n={i.n} makes none",
                hint=f"ask for {per} calls or more (-n {per})",
            )
        if i.n % per:
            warn(
                f"{method}: n={i.n} leaves {i.n % per} call(s) unused: an example takes "
                f"{per} calls, so it makes {i.n // per} ({i.n // per * per} calls)"
            )
        check_anchors(task, i.anchors)
        if cfg.concept_tree is not None and cfg.concept_tree.per_label and not task.has_labels:
            raise ConfigError(f"concept_tree.per_label: a {task.type} task has no labels")
        conditions, tree_calls = yield from condition_plan_steps(
            i.prompter, cfg, seed=i.seed, tree_file=i.tree_file, save_tree=i.save_tree
        )
        demos = demo_selector(cfg, i.pool)
        anchors = i.anchors or None
        if method == "conditional" and cfg.rounds > 1:
            result = yield from dataset_wise_plan(
                i.prompter,
                i.n,
                rounds=cfg.rounds,
                plan=conditions,
                demos=demos,
                seed=i.seed,
                clusters=cfg.clusters,
                embed=i.embed,
                method="conditional",
                template=cfg.template,
                anchors=anchors,
            )
            gen = result.generation
            gen.info["round_plans"] = result.rounds  # what each later round was steered to
        elif method == "conditional":
            gen = yield from conditional_plan(
                i.prompter,
                i.n,
                plan=conditions,
                demos=demos,
                seed=i.seed,
                template=cfg.template,
                anchors=anchors,
            )
        elif method == "rationale-example":
            gen = yield from rationale_then_example_plan(
                i.prompter, i.n // per, plan=conditions, demos=demos, seed=i.seed, anchors=anchors
            )
        else:
            dc = cfg.dialogue
            gen = yield from dialogues_plan(
                i.prompter,
                i.n // per,
                turns=dc.turns,
                user=dc.user,
                assistant=dc.assistant,
                plan=conditions,
                seed=i.seed,
            )
        gen.calls += tree_calls
        return gen

    return plan


def ignored_settings(method: str, cfg: GenerationConfig) -> list[str]:
    """The ``generation:`` settings toolbox ``method`` does not apply, each with why.
    Dataset-wise rounds re-plan conditional's calls only, a dialogue's turns show no
    demonstrations, and only conditional renders ``template``; honouring them would change
    those methods' output, so the run goes on and the user is told."""
    ignored = []
    if cfg.rounds > 1 and method in ("rationale-example", "dialogue"):
        ignored.append(
            f"generation.rounds ({cfg.rounds}): only conditional generates in dataset-wise rounds"
        )
    if cfg.demonstrations is not None and method == "dialogue":
        ignored.append("generation.demonstrations: its turns show none")
    # a template the user named (the default, zerogen, too: neither method renders it)
    if "template" in cfg.model_fields_set and method in _OWN_TEMPLATES:
        ignored.append(
            f"generation.template ({cfg.template}): its prompts are its own steps' "
            f"({_OWN_TEMPLATES[method]})"
        )
    return ignored


#: the step templates rationale-example and dialogue render, whatever generation.template says
_OWN_TEMPLATES = {
    "rationale-example": "sample_rationale, then s3_seed",
    "dialogue": "dialogue_user and dialogue_assistant",
}


def _self_instruct(i: GeneratorInputs) -> Plan[Generation]:
    settings = i.self_instruct.model_copy(update={"n": i.n})
    return self_instruct_plan(i.prompter, i.seeds, settings, seed=i.seed)


def _instruct_extrapolate(i: GeneratorInputs) -> Plan[Generation]:
    novelty = i.novelty or NoveltyFilter(
        [s.instruction for s in i.seeds] + [e.inputs[i.task.inputs[0]] for e in i.errors],
        i.self_instruct.rouge_threshold,
    )
    return extrapolate_instructions_plan(
        i.prompter,
        i.errors,
        novelty,
        i.self_instruct,
        per_error=i.per_error,
        round=i.round,
        seed=i.seed,
    )


#: The registry: every generator by name, in the order ``--method`` lists them.
GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("zerogen", _zerogen),
        Generator("s3-seed", _s3_seed),
        Generator("extrapolate", _extrapolate, needs_errors=True),
        Generator("conditional", _toolbox("conditional"), toolbox=True),
        Generator("rationale-example", _toolbox("rationale-example"), toolbox=True),
        Generator("dialogue", _toolbox("dialogue"), toolbox=True),
        Generator("self-instruct", _self_instruct, run_config=False),
        Generator(
            "instruct-extrapolate", _instruct_extrapolate, run_config=False, needs_errors=True
        ),
    )
}


def generator(name: str) -> Generator:
    """The registered generator ``name``; a ConfigError listing them otherwise."""
    if name not in GENERATORS:
        raise ConfigError(f"unknown method {name!r}; choose one of: {', '.join(GENERATORS)}")
    return GENERATORS[name]


async def generate(
    llm: LLM, method: str, inputs: GeneratorInputs, *, show_progress: bool = True
) -> Generation:
    """Run the registered generator ``method`` on ``inputs``."""
    plan = generator(method).plan(inputs)
    return await run_plan(llm, inputs.task, plan, show_progress=show_progress)
