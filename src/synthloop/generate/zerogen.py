"""ZeroGen/ProGen-style baseline: a label-conditioned prompt, sampled at temperature,
one example per call, labels in turn so the set is balanced."""

from __future__ import annotations

from synthloop.generate.common import Generation, Job, run_jobs
from synthloop.llm import LLM
from synthloop.prompts import Prompter
from synthloop.seeds import derive_seed


def zerogen_jobs(prompter: Prompter, n: int, seed: int) -> list[Job]:
    task = prompter.task
    jobs = []
    for i in range(n):
        label = task.label_names[i % len(task.labels)]
        req = prompter.request(
            "zerogen",
            seed=derive_seed(seed, "zerogen", i),
            label=label,
            label_description=task.labels[label],
        )
        jobs.append(Job(request=req, label=label))
    return jobs


async def zerogen(
    llm: LLM, prompter: Prompter, n: int, *, seed: int = 0, show_progress: bool = True
) -> Generation:
    jobs = zerogen_jobs(prompter, n, seed)
    return await run_jobs(
        llm, prompter.task, jobs, method="zerogen", round=0, show_progress=show_progress
    )
