"""What a run will cost, before it runs: calls, tokens, and money where prices are set.

The requests are rendered from the real templates, so prompt sizes are those that will
be sent; tokens are estimated at about four bytes each (exact counts need the model's
tokenizer). Completion tokens are bounded by ``max_tokens``. S3's extrapolation rounds
are counted at their worst, every validation example an error. Requests whose answers
are already in the cache are counted apart: they are free.

The toolbox methods (``conditional``, ``rationale-example``, ``dialogue``) are counted
from their example prompts with conditions but before a concept-tree leaf or
demonstrations are added (those add some tokens), plus, when the tree is not saved yet,
its expansion at worst (every node given all ``branching`` subtopics).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.generate.anchors import Anchor, seed_anchors
from synthloop.generate.conditional import ConditionPlan, conditional_jobs
from synthloop.generate.conditions import ConditionScopes
from synthloop.generate.extrapolate import extrapolate_jobs
from synthloop.generate.from_config import METHODS as TOOLBOX
from synthloop.generate.s3_seed import s3_seed_jobs
from synthloop.generate.zerogen import zerogen_jobs
from synthloop.llm import CachedLLM, Prices, Request, make_llm, prices_of
from synthloop.prompts import Prompter
from synthloop.run.config import RunConfig

BYTES_PER_TOKEN = 4.0
#: stands in for a rationale before the LLM has written any (typical length)
PLACEHOLDER_RATIONALE = "a short reason of about ten words why the label holds here"


@dataclass
class Estimate:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens_max: int = 0
    cached: int = 0
    worst_case: bool = False  # the call count is an upper bound
    prices: Prices | None = None

    def add(self, requests: Sequence[Request], cache: CachedLLM | None = None) -> None:
        for req in requests:
            self.calls += 1
            n_messages = len(req.messages) if req.messages else 1
            self.prompt_tokens += math.ceil(len(req.text.encode()) / BYTES_PER_TOKEN)
            self.prompt_tokens += 4 * n_messages
            self.completion_tokens_max += req.max_tokens
            if cache is not None and cache.has(req):
                self.cached += 1

    @property
    def cost_max(self) -> float | None:
        if self.prices is None:
            return None
        paid = 1 - (self.cached / self.calls if self.calls else 0)
        return paid * self.prices.cost(self.prompt_tokens, self.completion_tokens_max)

    def line(self) -> str:
        calls = f"{'≤' if self.worst_case else ''}{self.calls:,} calls"
        if self.cached:
            calls += f" ({self.cached:,} already cached)"
        text = (
            f"estimate: {calls}, ≈{self.prompt_tokens:,} prompt tokens + "
            f"≤{self.completion_tokens_max:,} completion tokens"
        )
        if self.cost_max is not None:
            text += f", ≤{self.cost_max:.4f} in cost"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "calls_worst_case": self.worst_case,
            "cached": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens_max": self.completion_tokens_max,
            "cost_max": self.cost_max,
        }


def _open_cache(config: RunConfig, cache_path: Path | None) -> CachedLLM | None:
    if cache_path is None or not Path(cache_path).exists():
        return None
    llm = make_llm(config.llm, cache_path)
    return llm if isinstance(llm, CachedLLM) else None


def _rationale_requests(prompter: Prompter, config: RunConfig) -> list[Request]:
    task, s3 = prompter.task, config.s3
    return [
        prompter.request(
            "rationales",
            seed=derive_seed(config.seed, "rationales", label, c),
            shape="list",
            max_tokens=40 * s3.rationales_per_call,
            label=label,
            label_description=task.labels[label],
            n=s3.rationales_per_call,
        )
        for label in task.label_names
        for c in range(s3.rationale_calls_per_label)
    ]


def _seed_requests(
    prompter: Prompter, config: RunConfig, n: int, anchors: Sequence[Anchor] = ()
) -> list[Request]:
    k = config.s3.rationales_per_example
    placeholder = {label: [PLACEHOLDER_RATIONALE] * k for label in prompter.task.label_names}
    jobs = s3_seed_jobs(prompter, placeholder, n, k=k, seed=config.seed, anchors=anchors or None)
    return [j.request for j in jobs]


def _toolbox_requests(
    prompter: Prompter,
    config: RunConfig,
    method: str,
    n: int,
    anchors: Sequence[Anchor],
    tree_file: Path | None,
) -> list[Request]:
    cfg = config.generation
    requests: list[Request] = []
    tc = cfg.concept_tree
    tree_path = Path(tc.file) if tc is not None and tc.file else tree_file
    if tc is not None and not (tree_path is not None and tree_path.is_file()):
        first = prompter.task.label_names if tc.per_label else [tc.root or prompter.task.domain]
        for name in first:
            ask = prompter.request(
                "subtopics",
                seed=derive_seed(config.seed, "subtopics", name),
                shape="list",
                max_tokens=16 * tc.branching + 16,
                topic=name,
                path=[tc.root or prompter.task.domain] if tc.per_label else [],
                n=tc.branching,
            )
            # level i expands branching**i nodes below each first-level node; the deeper
            # requests are not known yet, so the first level's stands in for their size
            requests += [ask] * sum(tc.branching**i for i in range(tc.depth))
    scopes = ConditionScopes.from_config(cfg.conditions) if cfg.conditions else None
    calls = n
    if method == "rationale-example":
        calls = 2 * (n // 2)
    elif method == "dialogue":
        calls = cfg.dialogue.turns * (n // cfg.dialogue.turns)
    jobs = conditional_jobs(
        prompter,
        calls,
        plan=ConditionPlan(scopes=scopes),
        seed=config.seed,
        template=cfg.template,
        anchors=anchors or None,
    )
    return requests + [j.request for j in jobs]


def estimate_generate(
    config: RunConfig,
    method: str,
    n: int,
    *,
    errors: Sequence[Record] = (),
    anchors: Sequence[Anchor] = (),
    cache_path: Path | None = None,
    tree_file: Path | None = None,
) -> Estimate:
    prompter = Prompter(config.task, config.llm, config.templates_dir)
    cache = _open_cache(config, cache_path)
    est = Estimate(prices=prices_of(config.llm))
    try:
        if method == "zerogen":
            jobs = zerogen_jobs(prompter, n, config.seed, anchors=anchors or None)
            est.add([j.request for j in jobs], cache)
        elif method == "s3-seed":
            est.add(_rationale_requests(prompter, config), cache)
            est.add(_seed_requests(prompter, config, n, anchors))  # rationales unknown
        elif method in TOOLBOX:
            # not looked up in the cache: the deeper tree requests are stand-ins
            est.add(_toolbox_requests(prompter, config, method, n, anchors, tree_file))
        else:
            jobs = extrapolate_jobs(
                prompter, errors[:n], per_error=config.s3.per_error, seed=config.seed
            )
            est.add([j.request for j in jobs], cache)
    finally:
        if cache is not None:
            cache.close()
    return est


def estimate_s3(
    config: RunConfig, validation: Sequence[Record], *, cache_path: Path | None = None
) -> Estimate:
    s3 = config.s3
    prompter = Prompter(config.task, config.llm, config.templates_dir)
    cache = _open_cache(config, cache_path)
    est = Estimate(prices=prices_of(config.llm), worst_case=s3.rounds > 0)
    try:
        est.add(_rationale_requests(prompter, config), cache)
        anchors = (
            seed_anchors(config.task, validation, s3.seed_size, seed=config.seed)
            if config.task.kept_fields
            else []
        )
        est.add(_seed_requests(prompter, config, s3.seed_size, anchors))
        errors = list(validation)[: s3.max_errors_per_round or len(validation)]
        for r in range(1, s3.rounds + 1):
            jobs = extrapolate_jobs(
                prompter, errors, per_error=s3.per_error, round=r, seed=config.seed
            )
            est.add([j.request for j in jobs])
    finally:
        if cache is not None:
            cache.close()
    return est
