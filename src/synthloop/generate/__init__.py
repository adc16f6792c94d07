"""Generators: each turns a task (and, for S3, real errors) into labelled records.

Every generator is a plan of LLM calls run by one job runner (:mod:`.common`) and is
registered by name in :mod:`.registry`."""

from synthloop.generate.anchors import Anchor, seed_anchors
from synthloop.generate.common import (
    Answer,
    Generation,
    Job,
    Plan,
    Stage,
    run_jobs,
    run_plan,
    run_stage,
)
from synthloop.generate.extrapolate import extrapolate, extrapolate_plan
from synthloop.generate.s3_seed import (
    generate_rationales,
    rationales_plan,
    s3_seed,
    s3_seed_plan,
)
from synthloop.generate.zerogen import zerogen, zerogen_plan

__all__ = [
    "Anchor",
    "Answer",
    "Generation",
    "Job",
    "Plan",
    "Stage",
    "extrapolate",
    "extrapolate_plan",
    "generate_rationales",
    "rationales_plan",
    "run_jobs",
    "run_plan",
    "run_stage",
    "s3_seed",
    "s3_seed_plan",
    "seed_anchors",
    "zerogen",
    "zerogen_plan",
]
