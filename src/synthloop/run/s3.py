"""``synthloop s3`` (and ``synthloop self-instruct`` with real data) as one job: check every
input first, then spend LLM calls in the S3 loop, then write what the run made.

The loop is the same for every task type; what differs is the config: a run config
(classification, pairs, QA) writes a run directory; a Self-Instruct config (instruction
data) writes Alpaca-style JSONL and a stats file. Each is a :class:`S3Job`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthloop.compute.local import LOCAL, Compute
from synthloop.core.errors import ConfigError, warn
from synthloop.core.io import load_records
from synthloop.core.records import Record
from synthloop.core.runlock import RunLock
from synthloop.evaluate.heldout import FinalModel, Folds, choose_final, default_learners, final_grid
from synthloop.generate.registry import demo_pool, neighbour_selector
from synthloop.learners import check_learner
from synthloop.llm import LLM, Budget, CachedLLM, LLMConfig, Usage, make_llm, prices_of
from synthloop.llm.journal import journaling
from synthloop.prompts import Prompter, token_counter
from synthloop.run.config import RunConfig
from synthloop.run.instruct import (
    InstructConfig,
    instruction_summary,
    real_splits,
    write_instructions,
)
from synthloop.run.rundir import RunDir
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.heldout import HeldOutStrategy
from synthloop.s3.instruction import InstructionStrategy
from synthloop.s3.loop import Curator, RoundSink, S3Result, s3_loop
from synthloop.s3.strategy import Strategy

#: Builds the backend in place of the configured one (e.g. a Ray pool), once inputs are checked.
BackendMaker = Callable[[LLMConfig], LLM]


@dataclass
class S3Run:
    result: S3Result
    usage: Usage
    seconds: float
    output: Path  # the dataset written
    validation: list[Record]
    test: list[Record] | None
    metrics: dict[str, Any]  # what the run's metrics (or stats) file says
    run_dir: RunDir | None = None  # a run config's run directory


def spent(llm: CachedLLM, config: LLMConfig) -> dict[str, Any]:
    """What the run cost over all its invocations (a resume adds to it), and what this
    one paid (see CachedLLM.run_usage)."""
    return llm.run_usage(prices_of(config))


class S3Job:
    """What differs between config kinds around the one loop. Made with every input read
    and checked (nothing written yet); :meth:`prepare` then makes the output's place."""

    prompter: Prompter
    validation: list[Record]
    test: list[Record] | None
    cache_path: Path
    journal_dir: Path
    sink: RoundSink | None = None

    def strategy(self, compute: Compute | None) -> Strategy:
        raise NotImplementedError

    def prepare(self, *, force: bool) -> None:
        """Make the output's place (refusing to mix two runs) and hold it for this
        process (one writer at a time, see core/runlock.py) until :meth:`release`."""

    def release(self) -> None:
        """Let another process write the output."""

    def curator(self, llm: LLM, compute: Compute | None) -> Curator | None:
        return None

    def finish(
        self, result: S3Result, llm: CachedLLM, seconds: float
    ) -> tuple[Path, dict[str, Any]]:
        """Write the dataset and its metrics; their path and the metrics."""
        raise NotImplementedError


def _warn_unseen_labels(labels: list[str], validation: list[Record], path: str) -> None:
    # S3 finds errors, and held-out scores a label, only where real records carry it: a
    # label with none is generated blind and never checked, and the run would not say so
    seen = {r.label for r in validation}
    unseen = [label for label in labels if label not in seen]
    if unseen:
        names = ", ".join(repr(x) for x in unseen[:5]) + (" …" if len(unseen) > 5 else "")
        warn(
            f"{len(unseen)} of {len(labels)} labels have no validation records ({names}): "
            f"no round finds their errors and held-out cannot score them; add labelled "
            f"examples of them to {path}"
        )


class RunDirJob(S3Job):
    """A run config: classification, pairs, QA; the run directory."""

    def __init__(self, config: RunConfig, out: str | Path) -> None:
        task = config.task
        self.config: RunConfig = config
        self.learner = config.learner_name  # an instruction task has none: fail before any call
        check_learner(self.learner, task)  # nor may a misspelt one wait until round 0 is paid for
        self.validation = load_records(config.data.validation, task, split_name="validation")
        _warn_unseen_labels(task.label_names, self.validation, config.data.validation.path)
        self.test = (
            load_records(config.data.test, task, split_name="test") if config.data.test else None
        )
        self.prompter = Prompter(task, config.llm, config.templates_dir)
        self.pool = demo_pool(config.generation, task, self.validation, embed=None)
        self.run = RunDir(out)
        self.cache_path = self.run.cache_path
        self.journal_dir = self.run.path / "journal"
        self.sink = self.run
        self.compute: Compute | None = None

    def strategy(self, compute: Compute | None) -> Strategy:
        cfg = self.config
        self.compute = compute  # the final model's test predictions go there too
        common: dict[str, Any] = {
            "learner": self.learner,
            "seed": cfg.seed,
            "neighbours": neighbour_selector(cfg.generation, self.pool),
            "compute": compute,
        }
        if cfg.s3.strategy == "heldout":
            candidates = final_grid(self.final_learners())
            return HeldOutStrategy(
                self.prompter,
                self.validation,
                self.test,
                cfg.s3,
                candidates=candidates,
                **common,
            )
        return ExampleStrategy(self.prompter, self.validation, self.test, cfg.s3, **common)

    def final_learners(self) -> list[str]:
        return self.config.s3.learners or default_learners(self.config.task)

    def final_model(self, kept: list[Record]) -> tuple[FinalModel | None, str | None]:
        """The final model's learner, C and synthetic weight chosen on held-out real
        validation data, or none and why (validation records too few to cross-fit)."""
        cfg = self.config
        learners = self.final_learners()
        if cfg.s3.heldout_folds < 2 or not learners:
            return None, None  # none asked for
        try:
            folds = Folds.split(
                self.validation,
                cfg.s3.heldout_folds,
                cfg.seed,
                stratify=bool(cfg.task.labels),
                together=cfg.task.kept_fields,
            )
        except ConfigError as exc:
            # the rounds' held-out columns are empty for the same reason: say it, or the
            # score the table says to trust is a silent dash
            return None, exc.one_line()
        final = choose_final(
            self.validation, kept, folds, cfg.task, learners, self.test, self.compute
        )
        return final, None

    def prepare(self, *, force: bool) -> None:
        self.run.prepare(self.config, force=force)

    def release(self) -> None:
        self.run.release()

    def curator(self, llm: LLM, compute: Compute | None) -> Curator | None:
        cfg = self.config
        if cfg.curate is None:
            return None
        from synthloop.curate import CurateContext, RoundCurator

        refs = {"validation": self.validation, "test": self.test or []}
        ctx = CurateContext(
            cfg.task, refs, llm, self.prompter, self.learner, cfg.seed, compute=compute or LOCAL
        )
        return RoundCurator(cfg.curate, ctx, self.run.path)

    def finish(
        self, result: S3Result, llm: CachedLLM, seconds: float
    ) -> tuple[Path, dict[str, Any]]:
        kept = result.kept
        final, no_final = self.final_model(kept)
        metrics: dict[str, Any] = {
            "task": self.config.task.name,
            "model": llm.model,
            "seed": self.config.seed,
            "dataset_size": len(kept),
            "validation_size": len(self.validation),
            "test_size": len(self.test) if self.test else 0,
            "rounds": [r.as_dict() for r in result.rounds],
            "kept_round": result.rounds[result.kept_round].round,
            "final_model": final.as_dict() if final else None,
            "no_heldout": no_final,
            "usage": spent(llm, self.config.llm),
            "seconds": round(seconds, 2),
        }
        self.run.save_final(kept, metrics)
        return self.run.dataset_path, metrics


class InstructionJob(S3Job):
    """A Self-Instruct config with real instructions: Alpaca-style JSONL and its stats."""

    def __init__(self, config: InstructConfig, out: str | Path) -> None:
        self.config: InstructConfig = config
        self.out = Path(out)
        splits = real_splits(config)  # fetched and checked before any LLM call
        if splits is None:
            raise ConfigError("S3 for instructions needs real: instructions to find errors in")
        self.splits = splits
        if len(splits.seeds) < 2:
            raise ConfigError("self-instruct needs at least two seed examples")
        self.validation, self.test = splits.validation, splits.test
        self.prompter = Prompter(config.task, config.llm, config.templates_dir)
        self.cache_path = self.out.with_suffix(".cache.sqlite")
        self.journal_dir = self.out.with_suffix(".journal")
        self.lock = RunLock(self.journal_dir)  # a second writer would interleave the journal

    def prepare(self, *, force: bool) -> None:
        self.lock.acquire()

    def release(self) -> None:
        self.lock.release()

    def strategy(self, compute: Compute | None) -> Strategy:
        cfg = self.config
        return InstructionStrategy(
            self.prompter,
            self.splits.seeds,
            cfg.self_instruct,
            cfg.s3,
            self.validation,
            self.test,
            seed=cfg.seed,
        )

    def finish(
        self, result: S3Result, llm: CachedLLM, seconds: float
    ) -> tuple[Path, dict[str, Any]]:
        splits = self.splits
        stats: dict[str, Any] = {
            "calls": result.calls,
            **instruction_summary(result.dataset, splits.seeds, self.config),
            "real": {
                "source": splits.source,
                "seeds": len(splits.seeds),
                "validation": len(splits.validation),
                "test": len(splits.test),
            },
            "rounds": [r.as_dict() for r in result.rounds],
            "usage": spent(llm, self.config.llm),
            "seconds": round(seconds, 2),
        }
        write_instructions(result.dataset, stats, self.config.task, self.out)
        return self.out, stats


def s3_job(config: RunConfig | InstructConfig, out: str | Path) -> S3Job:
    """The job for a config, every input read and checked."""
    if isinstance(config, InstructConfig):
        return InstructionJob(config, out)
    return RunDirJob(config, out)


async def run_s3(
    config: RunConfig | InstructConfig,
    out: str | Path,
    *,
    force: bool = False,
    show_progress: bool = True,
    backend: BackendMaker | None = None,
    budget: Budget | None = None,
    compute: Compute | None = None,
) -> S3Run:
    """The S3 loop on ``config`` (any task type), written to ``out``: a run directory for a
    run config, a JSONL file for a Self-Instruct config."""
    job = s3_job(config, out)
    strategy = job.strategy(compute)
    job.prepare(force=force)
    try:  # the output is this process's until the run ends, however it ends
        llm = make_llm(
            config.llm, job.cache_path, budget, backend=backend(config.llm) if backend else None
        )
        assert isinstance(llm, CachedLLM)
        curator = job.curator(llm, compute)
        job.prompter.count_tokens = token_counter(llm)
        start = time.perf_counter()
        try:
            with journaling(job.journal_dir):
                result = await s3_loop(
                    llm,
                    strategy,
                    config.s3.rounds,
                    sink=job.sink,
                    curate=curator,
                    show_progress=show_progress,
                    patience=config.s3.patience,
                )
        finally:
            await llm.aclose()
        seconds = time.perf_counter() - start
        output, metrics = job.finish(result, llm, seconds)
    finally:
        job.release()
    return S3Run(
        result=result,
        usage=llm.usage,
        seconds=seconds,
        output=output,
        validation=job.validation,
        test=job.test,
        metrics=metrics,
        run_dir=job.run if isinstance(job, RunDirJob) else None,
    )
