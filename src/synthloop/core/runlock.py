"""One writer per run directory, as SQLite and git have one writer per database or index.

A run directory's journal, cache and round files assume one process writes them; two runs
on one directory interleave different answers into the shared journal and the next rerun
pays again. :class:`RunLock` takes an exclusive ``flock`` on ``DIR/.synthloop.lock`` and
writes the holder's pid, command and start time into it, so a second writer is refused
with a line that names who holds the directory. The kernel drops a flock when its process
dies (SIGKILL and power loss included), so a lock left by a dead process is simply taken
over; the pid in the file is only there to be shown.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shlex
import sys
import time
from pathlib import Path
from types import TracebackType

from synthloop.core.errors import ConfigError

LOCK_NAME = ".synthloop.lock"


class RunDirBusy(ConfigError):
    """Another live process is writing into the run directory."""


def _command() -> str:
    argv = list(sys.argv)
    if argv and argv[0].endswith(("synthloop", "cli.py", "__main__.py")):
        argv[0] = "synthloop"
    return shlex.join(argv) if argv else "python"


class RunLock:
    """``with RunLock(dir):`` holds ``dir`` for this process; re-entry in one process is
    refused too (a second run in the same process would interleave just the same)."""

    def __init__(self, directory: str | Path, *, command: str | None = None) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOCK_NAME
        self.command = command or _command()
        self._fd: int | None = None
        self._made: list[Path] = []

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`RunDirBusy` naming its holder; never waits."""
        if self._fd is not None:
            return self
        self._made = []  # folders made for the lock, removed again if left empty
        missing = self.directory
        while not missing.exists() and missing != missing.parent:
            self._made.append(missing)
            missing = missing.parent
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_holder(fd)
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                raise RunDirBusy(
                    f"{self.directory} is in use by {holder}",
                    hint="wait for that run to finish or stop it; a run directory has one "
                    "writer at a time",
                ) from None
            # The file may have been unlinked by a holder releasing it between our open and
            # our flock: then we hold a lock on a name nobody else can see. Try again.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = {"pid": os.getpid(), "command": self.command, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        # Unlink while still holding the lock, so no one can lock the old inode after us.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None
        for folder in self._made:  # deepest first: a command that failed leaves no folder
            try:
                folder.rmdir()
            except OSError:  # it holds what the command wrote
                break

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it: 'pid 123 (synthloop s3 ...), since 10:32'."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        pid, command, since = int(info["pid"]), str(info["command"]), float(info["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it has not said which yet)"
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))
    return f"pid {pid} ({command}), running since {started}"
