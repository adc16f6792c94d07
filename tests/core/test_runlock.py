"""One writer per run directory: a second is refused by name, a dead holder is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from synthloop.core.runlock import LOCK_NAME, RunDirBusy, RunLock
from synthloop.run.config import load_config
from synthloop.run.rundir import RunDir

HOLD = textwrap.dedent(
    """
    import sys, time
    from synthloop.core.runlock import RunLock
    RunLock(sys.argv[1], command="synthloop s3 run.yaml --out RUN").acquire()
    print("held", flush=True)
    time.sleep(60)
    """
)


def hold_in_another_process(directory: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    holder = hold_in_another_process(tmp_path / "run")
    try:
        with pytest.raises(RunDirBusy) as refused:
            RunLock(tmp_path / "run").acquire()
        line = refused.value.one_line()
        assert f"{tmp_path / 'run'} is in use by pid {holder.pid}" in line
        assert "(synthloop s3 run.yaml --out RUN), running since" in line
        assert "one writer at a time" in line
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    holder = hold_in_another_process(tmp_path / "run")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / "run" / LOCK_NAME).read_text().startswith(f'{{"pid": {holder.pid}')
    with RunLock(tmp_path / "run", command="synthloop s3 again") as lock:
        assert lock.held
        assert f'"pid": {os.getpid()}' in lock.path.read_text()
    assert not (tmp_path / "run" / LOCK_NAME).exists()  # released: nothing left behind


def test_one_process_cannot_write_one_directory_twice(tmp_path: Path) -> None:
    with RunLock(tmp_path), pytest.raises(RunDirBusy, match=f"pid {os.getpid()}"):
        RunLock(tmp_path).acquire()
    with RunLock(tmp_path):  # released by the with block: free again
        pass


def test_waiters_never_both_hold_it(tmp_path: Path) -> None:
    """Many processes racing for one directory while holders come and go: at most one
    holds it at any moment (each holder checks that no one else is inside)."""
    script = textwrap.dedent(
        """
        import os, sys, time
        from synthloop.core.runlock import RunLock, RunDirBusy
        inside = os.path.join(sys.argv[1], "inside")
        got = 0
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            try:
                with RunLock(sys.argv[1]):
                    fd = os.open(inside, os.O_CREAT | os.O_EXCL)  # fails if another is in
                    os.close(fd)
                    time.sleep(0.002)
                    os.unlink(inside)
                    got += 1
            except RunDirBusy:
                pass
        print(got)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    counts = []
    for proc in procs:
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        counts.append(int(out))
    assert sum(counts) > 10  # they took turns


def test_prepare_holds_the_run_directory_until_release(tmp_path: Path, run_config: Path) -> None:
    config = load_config(run_config)
    first = RunDir(tmp_path / "run")
    first.prepare(config)
    with pytest.raises(RunDirBusy, match="is in use by"):
        RunDir(tmp_path / "run").prepare(config)
    first.release()
    second = RunDir(tmp_path / "run")
    second.prepare(config)  # the same config again: a resume
    second.release()


def test_a_resume_may_wait_longer_for_the_server(tmp_path: Path, run_config: Path) -> None:
    """How long to wait and retry does not decide what a run makes: changing it is a resume,
    not a different run (the error after an outage suggests exactly that change)."""
    config = load_config(run_config)
    run = RunDir(tmp_path / "run")
    run.prepare(config)
    run.release()
    patient = config.model_copy(
        update={"llm": config.llm.model_copy(update={"unreachable_timeout": 3600.0})}
    )
    run.prepare(patient)
    run.release()
    other = config.model_copy(update={"seed": 1})
    with pytest.raises(Exception, match="holds a run with a different config"):
        run.prepare(other)
    assert not (tmp_path / "run" / LOCK_NAME).exists()  # a refusal lets go of the lock


def test_a_folder_made_for_the_lock_is_removed_if_nothing_was_written(tmp_path: Path) -> None:
    with RunLock(tmp_path / "a" / "b"):
        assert (tmp_path / "a" / "b").is_dir()
    assert not (tmp_path / "a").exists()
    with RunLock(tmp_path / "a" / "b"):
        (tmp_path / "a" / "b" / "out.jsonl").write_text("{}\n")
    assert (tmp_path / "a" / "b" / "out.jsonl").exists()


def test_a_run_made_before_a_config_field_existed_still_resumes(
    tmp_path: Path, run_config: Path
) -> None:
    config = load_config(run_config)
    run = RunDir(tmp_path / "run")
    run.prepare(config)
    run.release()
    text = (tmp_path / "run" / "config.yaml").read_text()
    assert "  flash_attn: null\n" in text
    (tmp_path / "run" / "config.yaml").write_text(text.replace("  flash_attn: null\n", ""))
    run.prepare(config)  # not "a different config"
    run.release()
