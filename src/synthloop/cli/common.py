"""What several commands print or build the same way."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from synthloop.core.tasks import Task
    from synthloop.llm import Budget

#: results go to stdout (progress and the estimate line before a run go to stderr)
out_console = Console()

#: in FILE.curated/: the name of the file curated there (std.csv and std.parquet would
#: otherwise share std.curated/, the second overwriting the first and its review decisions)
CURATED_FROM = "curated_from.txt"


def curated_from(folder: Path) -> str | None:
    """The name of the dataset file curated into ``folder``, if one was."""
    try:
        return (folder / CURATED_FROM).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def curated_folder(dataset: Path, *, hint: str) -> Path:
    """Where ``synthloop curate FILE`` writes by default: FILE.curated/ beside it (named by
    its stem); a one-line error, with ``hint``, if another file of that stem was curated
    there."""
    from synthloop.core.errors import ConfigError

    folder = dataset.with_name(f"{dataset.stem}.curated")
    other = curated_from(folder)
    if other is not None and other != dataset.name:
        raise ConfigError(
            f"{folder} holds the curation of {other}, not of {dataset.name}",
            hint=hint,
        )
    return folder


def announce(est: Any, only: bool, quiet: bool) -> bool:
    """Show the estimate (stdout with --estimate, else stderr); True: stop here."""
    if only:
        out_console.print(est.line())
    elif not quiet:
        print(est.line(), file=sys.stderr)
    return only


def budget_of(max_calls: int | None, max_tokens: int | None, max_cost: float | None) -> Budget:
    from synthloop.llm import Budget

    return Budget(max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost)


def guard_outputs(
    command: str,
    *,
    writes: Iterable[Path | None],
    reads: Iterable[Path | None],
    write_folders: Iterable[Path | None] = (),
) -> None:
    """Before any work: refuse to write over an input, and find an output that cannot be
    written (each file in ``writes``)."""
    from synthloop.core.outputs import check_writable, refuse_overwrite

    writes = list(writes)
    refuse_overwrite(command, writes=writes, reads=reads, write_folders=write_folders)
    for path in writes:
        if path is not None:
            check_writable(path)


def parse_pairs(option: str, text: str | None, *, shape: str, example: str) -> dict[str, str]:
    """``KEY=VALUE[,KEY=VALUE...]`` of ``option`` (``--columns``, ``--label-map``) as a
    mapping; a one-line error for a part that maps nothing, or a key given twice (the
    last would silently win)."""
    from synthloop.core.errors import ConfigError

    pairs: dict[str, str] = {}
    if text is None:
        return pairs
    for part in text.split(","):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not (sep and key and value):
            raise ConfigError(
                f"{option} {text!r}: {part.strip()!r} is not {shape}",
                hint=f"e.g. {option} {example}",
            )
        if key in pairs:
            raise ConfigError(
                f"{option} {text!r}: {key!r} is given twice ({pairs[key]!r} and {value!r})",
                hint=f"give each {shape.split('=')[0]} once",
            )
        pairs[key] = value
    return pairs


def parse_columns(text: str | None) -> dict[str, str]:
    """``--columns text=utterance,label=intent``: task field -> column."""
    return parse_pairs(
        "--columns", text, shape="FIELD=COLUMN", example="text=utterance,label=intent"
    )


def parse_label_map(text: str | None, task: Task) -> dict[str, str]:
    """``--label-map 0=negative,1=positive``: raw label -> task label; a one-line error for
    a LABEL the task does not have (every raw value would be refused row by row)."""
    from synthloop.core.errors import ConfigError

    label_map = parse_pairs("--label-map", text, shape="RAW=LABEL", example="0=negative,1=positive")
    if label_map and not task.has_labels:
        raise ConfigError(f"--label-map {text!r}: the task has no labels to map to")
    for label in label_map.values():
        if label not in task.labels:
            raise ConfigError(
                f"--label-map {text!r}: {label!r} is not one of the task's labels "
                f"({', '.join(task.labels)})"
            )
    return label_map


def check_suffix(what: str, out: Path | None, suffixes: tuple[str, ...]) -> None:
    """Refuse an output named as another kind of file (``--json test.jsonl``, ``report -o
    task.yaml``): it was written over with this command's JSON or HTML."""
    if out is None or out.suffix.lower() in suffixes:
        return
    from synthloop.core.errors import ConfigError

    raise ConfigError(
        f"cannot write the output {out}: {what} writes {' or '.join(suffixes)}, "
        f"not {out.suffix or 'a file with no extension'}",
        hint=f"name it {out.with_suffix(suffixes[0]).name}",
    )


@contextlib.contextmanager
def holding(directory: Path | None) -> Iterator[None]:
    """Hold a run directory's lock (one writer at a time) while a command writes into it."""
    if directory is None:
        yield
        return
    from synthloop.core.runlock import RunLock

    with RunLock(directory):
        yield


def show_third_party(verbose: bool) -> None:
    """-v: let llama.cpp's and transformers' output through (see core/thirdparty.py)."""
    if verbose:
        from synthloop.core.thirdparty import set_verbose

        set_verbose(True)
