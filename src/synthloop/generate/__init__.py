"""Generators: each turns a task (and, for S3, real errors) into labelled records."""

from synthloop.generate.common import Generation, Job, run_jobs
from synthloop.generate.extrapolate import extrapolate
from synthloop.generate.s3_seed import generate_rationales, s3_seed
from synthloop.generate.zerogen import zerogen

__all__ = [
    "Generation",
    "Job",
    "extrapolate",
    "generate_rationales",
    "run_jobs",
    "s3_seed",
    "zerogen",
]
