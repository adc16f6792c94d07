"""``synthloop push``: a run as a Hugging Face dataset on the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthloop.cli.common import out_console


def push(
    run_dir: Annotated[Path, typer.Argument(help="A finished run directory (synthloop s3 --out).")],
    repo_id: Annotated[str, typer.Argument(help="Dataset repo on the hub, e.g. me/reviews-s3.")],
    endpoint: Annotated[
        str | None, typer.Option(help="Hub URL [default: HF_ENDPOINT or huggingface.co].")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Access token [default: HF_TOKEN or the saved login].")
    ] = None,
    private: Annotated[bool, typer.Option(help="Create the repo as private.")] = False,
) -> None:
    """Upload a run as a Hugging Face dataset: train = the synthetic data with provenance
    columns, validation/test = the run's real splits, and a dataset card recording the
    task, the LLM, the method, the S3 rounds and the evaluation figures."""
    from synthloop.hf.push import push_run

    url = push_run(run_dir, repo_id, endpoint=endpoint, token=token, private=private)
    out_console.print(f"pushed {run_dir} to {repo_id}: {url}")
