"""A durable journal of one generation step: each answer and its record, as they arrive.

Every answer is appended as one JSON line the moment it arrives, keyed on the job's index
and on a hash of the LLM's identity and the exact request. Each line is handed to the OS
at once (so a killed process loses nothing: SIGKILL does not drop what the OS holds) and
fsync'd by a background thread within ``fsync_interval`` seconds (group commit: one disk
flush per burst of answers, not one per answer, which at ~5 ms each would cap a fast
server at a few hundred answers per second; a power cut loses at most that window).
A run killed at any point (SIGKILL included) and started again reads the journal, sends
only the jobs it does not hold, and assembles the records in job order, so it ends with
exactly the records an uninterrupted run would have: none lost, none twice, no call paid
again.
A line cut short by the kill is dropped and the file truncated back to its last whole
line. Entries whose key no longer matches (an edited prompt, another model) are ignored.

Runs say where journals go with :func:`journaling`; the job runner
(:func:`~synthloop.generate.common.run_stage`) writes one file per stage of calls while it
is active (``DIR/<method>-r<round>.jsonl`` for the stages that make records) and nothing
otherwise.
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar("journal_dir", default=None)


@contextmanager
def journaling(directory: str | Path | None) -> Iterator[None]:
    """Journal every generation step run inside this block into ``directory``."""
    token = _DIR.set(Path(directory) if directory is not None else None)
    try:
        yield
    finally:
        _DIR.reset(token)


def journal_dir() -> Path | None:
    return _DIR.get()


class Journal:
    def __init__(self, path: str | Path, *, fsync_interval: float = 0.05) -> None:
        self.path = Path(path)
        self.fsync_interval = fsync_interval
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.entries: dict[tuple[int, str], dict[str, Any]] = {}  # (job, key) -> entry
        good = 0
        if self.path.exists():
            with self.path.open("rb") as fh:
                for line in fh:
                    if not line.endswith(b"\n"):
                        break  # torn by a kill mid-write
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        break
                    self.entries[int(entry["job"]), str(entry["key"])] = entry
                    good += len(line)
        self._fh = self.path.open("ab")
        if self._fh.tell() != good:
            self._fh.truncate(good)
            self._fh.seek(good)
        self._dirty = threading.Event()
        self._closing = False
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
        self._syncer.start()

    def _sync_loop(self) -> None:
        while True:
            self._dirty.wait()
            if not self._closing:
                time.sleep(self.fsync_interval)  # let a burst of answers share one flush
            self._dirty.clear()
            os.fsync(self._fh.fileno())
            if self._closing:
                return

    def get(self, job: int, key: str) -> dict[str, Any] | None:
        return self.entries.get((job, key))

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self._fh.write(line.encode("utf-8"))
        self._fh.flush()  # the OS has it: safe from a killed process
        self._dirty.set()
        self.entries[int(entry["job"]), str(entry["key"])] = entry

    def close(self) -> None:
        if self._fh.closed:
            return
        self._closing = True
        self._dirty.set()
        self._syncer.join()
        self._fh.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
