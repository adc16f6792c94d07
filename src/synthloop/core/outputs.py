"""Checks on where a command will write, made before it does any work.

Outputs never overwrite inputs (rsync never overwrites its own source): every command
names what it reads and what it will write and calls :func:`refuse_overwrite` first, so
``curate RUN_DIR -o RUN_DIR`` or ``evaluate --json`` onto the dataset it scores ends in one
line instead of a lost input. :func:`check_writable` finds an output that cannot be written
(a file where a folder should be, a read-only folder) before an hour of work, not after.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from synthloop.core.errors import ConfigError

PathLike = str | os.PathLike[str]


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # symlinks and hard links too
    return a.resolve() == b.resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def refuse_overwrite(
    command: str,
    *,
    writes: Iterable[PathLike | None],
    reads: Iterable[PathLike | None],
    write_folders: Iterable[PathLike | None] = (),
) -> None:
    """Raise ConfigError if a file in ``writes`` is one of ``reads`` or another of
    ``writes`` (the second would replace the first), or an input lies in one of
    ``write_folders`` (folders the command fills: a journal, a round folder)."""
    inputs = [Path(r) for r in reads if r is not None and not str(r).startswith("hf:")]
    outputs = [Path(w) for w in writes if w is not None]
    for k, out in enumerate(outputs):
        for other in outputs[:k]:
            if _same(out, other):
                raise ConfigError(
                    f"{command} would write {out} as two of its outputs",
                    hint="choose another output path",
                )
    for out in outputs:
        for src in inputs:
            if _same(out, src):
                raise ConfigError(
                    f"{command} would write {out} over its own input {src}",
                    hint="choose another output path; inputs are never overwritten",
                )
    for folder in (Path(f) for f in write_folders if f is not None):
        for src in inputs:
            if _inside(src, folder):
                raise ConfigError(
                    f"{command} would write into {folder}, which holds its input {src}",
                    hint="choose another output path; inputs are never overwritten",
                )


def check_writable(path: PathLike, what: str = "output") -> None:
    """Raise ConfigError unless ``path`` can be created or replaced: its nearest existing
    parent is a folder that takes a new file (probed with a real one, removed at once,
    since permission bits say nothing to root or on some mounts)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"cannot write the {what} {path}: it is a folder")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"cannot write the {what} {path}: {parent} is a file, not a folder")
    probe = parent / f".{path.name}.{secrets.token_hex(4)}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise ConfigError(
            f"cannot write the {what} {path}: {exc.strerror or exc} in {parent}"
        ) from exc
    probe.unlink()
