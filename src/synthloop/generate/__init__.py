"""Generators: each turns a task (and, for S3, real errors) into labelled records."""

from synthloop.generate.anchors import Anchor, seed_anchors
from synthloop.generate.common import Generation, Job, run_jobs
from synthloop.generate.extrapolate import extrapolate
from synthloop.generate.s3_seed import generate_rationales, s3_seed
from synthloop.generate.zerogen import zerogen

__all__ = [
    "Anchor",
    "Generation",
    "Job",
    "extrapolate",
    "generate_rationales",
    "run_jobs",
    "s3_seed",
    "seed_anchors",
    "zerogen",
]
