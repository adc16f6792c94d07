"""synthloop: LLM-driven synthetic data — generate, curate, evaluate — and the S3 loop.

What a script needs is here, imported on first use (so ``import synthloop`` loads no
model library)::

    import asyncio
    import synthloop

    run = asyncio.run(synthloop.run_s3(synthloop.load_config("run.yaml"), "runs/movies"))

- tasks and data: :class:`Task`, :func:`load_task`, :class:`Record`, :func:`load_records`,
  :func:`write_records`
- a run: :class:`RunConfig`, :func:`load_config`, :func:`run_s3`, :func:`run_generate`
- the loop: :func:`s3_loop` over a strategy (:class:`ExampleStrategy` for classification,
  pairs and QA; :class:`HeldOutStrategy`, which mines held-out errors;
  :class:`InstructionStrategy`), :class:`S3Config`
- generators: :data:`GENERATORS` (the registry), :class:`GeneratorInputs`, :func:`generate`,
  and :func:`zerogen`, :func:`s3_seed`, :func:`extrapolate` (each returns a :class:`Generation`)
- task types: :class:`TaskType`, :func:`register_task_type`, :func:`task_types`
- Self-Instruct configs: :class:`InstructConfig`, :func:`load_instruct_config`
- curation: :class:`Pipeline`, :func:`make_step`, :class:`CurateContext`
- evaluation: :func:`evaluate_dataset`, :class:`Scores`
- the LLM: :class:`LLMConfig`, :func:`make_llm`, :class:`Request`, :class:`Prompter`
- errors: :class:`SynthloopError` and its tree (:mod:`synthloop.core.errors`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthloop.core.lazy import lazy_exports

if TYPE_CHECKING:
    from synthloop.core.errors import (
        BudgetExceeded,
        ConfigError,
        DataError,
        LLMError,
        SynthloopError,
    )
    from synthloop.core.io import load_records, write_records
    from synthloop.core.records import Record
    from synthloop.core.tasks import Task, load_task
    from synthloop.core.tasktype import TaskType, register_task_type, task_types
    from synthloop.curate import CurateContext, Pipeline, make_step
    from synthloop.evaluate import Scores
    from synthloop.evaluate.evaluation import evaluate_dataset
    from synthloop.generate import Generation, extrapolate, s3_seed, zerogen
    from synthloop.generate.registry import GENERATORS, GeneratorInputs, generate
    from synthloop.llm import LLMConfig, Request, make_llm
    from synthloop.prompts import Prompter
    from synthloop.run.config import RunConfig, load_config
    from synthloop.run.generate import run_generate
    from synthloop.run.instruct import InstructConfig, load_instruct_config
    from synthloop.run.s3 import run_s3
    from synthloop.s3.config import S3Config
    from synthloop.s3.examples import ExampleStrategy
    from synthloop.s3.heldout import HeldOutStrategy
    from synthloop.s3.instruction import InstructionStrategy
    from synthloop.s3.loop import s3_loop

_EXPORTS = {
    "GENERATORS": "synthloop.generate.registry",
    "BudgetExceeded": "synthloop.core.errors",
    "ConfigError": "synthloop.core.errors",
    "CurateContext": "synthloop.curate",
    "DataError": "synthloop.core.errors",
    "ExampleStrategy": "synthloop.s3.examples",
    "Generation": "synthloop.generate",
    "GeneratorInputs": "synthloop.generate.registry",
    "HeldOutStrategy": "synthloop.s3.heldout",
    "InstructConfig": "synthloop.run.instruct",
    "InstructionStrategy": "synthloop.s3.instruction",
    "LLMConfig": "synthloop.llm",
    "LLMError": "synthloop.core.errors",
    "Pipeline": "synthloop.curate",
    "Prompter": "synthloop.prompts",
    "Record": "synthloop.core.records",
    "Request": "synthloop.llm",
    "RunConfig": "synthloop.run.config",
    "S3Config": "synthloop.s3.config",
    "Scores": "synthloop.evaluate",
    "SynthloopError": "synthloop.core.errors",
    "Task": "synthloop.core.tasks",
    "TaskType": "synthloop.core.tasktype",
    "evaluate_dataset": "synthloop.evaluate.evaluation",
    "extrapolate": "synthloop.generate",
    "generate": "synthloop.generate.registry",
    "load_config": "synthloop.run.config",
    "load_instruct_config": "synthloop.run.instruct",
    "load_records": "synthloop.core.io",
    "load_task": "synthloop.core.tasks",
    "make_llm": "synthloop.llm",
    "make_step": "synthloop.curate",
    "register_task_type": "synthloop.core.tasktype",
    "run_generate": "synthloop.run.generate",
    "run_s3": "synthloop.run.s3",
    "s3_loop": "synthloop.s3.loop",
    "s3_seed": "synthloop.generate",
    "task_types": "synthloop.core.tasktype",
    "write_records": "synthloop.core.io",
    "zerogen": "synthloop.generate",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [
    "GENERATORS",
    "BudgetExceeded",
    "ConfigError",
    "CurateContext",
    "DataError",
    "ExampleStrategy",
    "Generation",
    "GeneratorInputs",
    "HeldOutStrategy",
    "InstructConfig",
    "InstructionStrategy",
    "LLMConfig",
    "LLMError",
    "Pipeline",
    "Prompter",
    "Record",
    "Request",
    "RunConfig",
    "S3Config",
    "Scores",
    "SynthloopError",
    "Task",
    "TaskType",
    "evaluate_dataset",
    "extrapolate",
    "generate",
    "load_config",
    "load_instruct_config",
    "load_records",
    "load_task",
    "make_llm",
    "make_step",
    "register_task_type",
    "run_generate",
    "run_s3",
    "s3_loop",
    "s3_seed",
    "task_types",
    "write_records",
    "zerogen",
]
