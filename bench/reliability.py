"""Reliability of the CLI as a user meets it: bad inputs, kills and server outages.

One script, three tables (bench/results/reliability.md):

1. **Bad inputs** over every command: each must end in exactly one ``error:`` line with a
   non-zero exit and no traceback, leave every file that existed before byte-identical
   (sha256), and, where an LLM is configured, reach the server not at all.
2. **Kills**: ``generate`` and ``s3`` SIGKILLed at several points, then run again to the
   end; the dataset must be byte-identical to an uninterrupted run's and no answer paid for
   twice (the fault server counts the answers it delivered whole, per request).
3. **Outages**: the server stopped mid-run and restarted on the same port 30 s and 3 min
   later; the run must wait, finish with every record, and pay for nothing twice.

The LLM is tests/llm/fault_server.py, a scripted OpenAI-compatible server on 127.0.0.1
whose answer is a function of the request (so an uninterrupted run is reproducible and a
resumed one can be compared with it), with 10% of attempts meeting a fault (429, 500, slow,
cut-off, malformed, reset). No llama.cpp runs, so no LLM lock is needed.

    .venv/bin/python bench/reliability.py                  # about 10 minutes
    .venv/bin/python bench/reliability.py --only bad       # or kills, outages
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.llm.fault_server import Faults, FaultServer  # noqa: E402
from tests.reliability.helpers import (  # noqa: E402
    S3,
    checksums,
    start,
    synthloop,
    wait_for,
    write_run,
)
from tests.reviews import labelled_rows  # noqa: E402

FAULTS = Faults(rate=0.1, seed=5, latency=0.01, slow_seconds=3.0, retry_after=0.01)


def workspace(folder: Path, base_url: str, s3: str = S3) -> Path:
    """task.yaml, validation.jsonl, test.jsonl and run.yaml pointing at ``base_url``: the
    reliability tests' workspace with this benchmark's own rows (its results were measured
    on them)."""
    return write_run(
        folder,
        base_url,
        s3=s3,
        validation=labelled_rows(20, negatives_like_positives=True),
        test=labelled_rows(30, 100, negatives_like_positives=True),
    )


# -- 1. bad inputs ------------------------------------------------------------------------


@dataclass
class Case:
    command: str
    what: str
    args: list[str]
    spoil: Callable[[Path], None] = lambda _w: None
    needs_run: bool = False  # a finished run directory `run/` in the workspace
    server: Faults | None = None  # a server of its own (e.g. one that answers 401)


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        path = w / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))

    return spoil


def put(name: str, content: bytes | str) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        (w / name).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        (w / name).write_bytes(data)

    return spoil


def append(name: str, content: bytes) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        (w / name).write_bytes((w / name).read_bytes() + content)

    return spoil


def nobody_listens(w: Path) -> None:
    """base_url on a port nothing listens on, and 2 s of waiting for it (not 10 min)."""
    text = (w / "run.yaml").read_text()
    start = text.index("base_url: '") + len("base_url: '")
    url = text[start : text.index("'", start)]
    text = text.replace(url, "http://127.0.0.1:9/v1")
    (w / "run.yaml").write_text(
        text.replace("max_tokens: 40", "max_tokens: 40, unreachable_timeout: 2")
    )


def both(*spoils: Callable[[Path], None]) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        for s in spoils:
            s(w)

    return spoil


def gzipped(name: str) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        (w / name).write_bytes(gzip.compress((w / name).read_bytes()))

    return spoil


def foreign_label(name: str) -> Callable[[Path], None]:
    def spoil(w: Path) -> None:
        lines = (w / name).read_text().splitlines()
        row = json.loads(lines[3])
        row["label"] = "neutral"
        lines[3] = json.dumps(row)
        (w / name).write_text("\n".join(lines) + "\n")

    return spoil


BIG = json.dumps({"text": "a" * (2 << 20), "label": "positive"}) + "\n"
ELF = b"\x7fELF\x02\x01\x01\x00\n" + bytes(range(11, 256))
LATIN1 = '{"text": "très bon", "label": "positive"}\n'.encode("latin-1")
SI_CONFIG = (
    "task: {name: helper, type: instruction, domain: everyday tasks, example_noun: task}\n"
    "seeds:\n  - {instruction: Name a fruit., output: Apple.}\n"
    "  - {instruction: Add 2 and 2., output: '4'}\n"
    "llm: {backend: openai, model: m, base_url: BASE}\n"
    "self_instruct: {n: 4}\n"
)


def cases() -> list[Case]:
    s3 = ["s3", "run.yaml", "--out", "out", "-q"]
    gen = ["generate", "run.yaml", "-n", "8", "-q"]
    ev = ["evaluate", "data.jsonl", "--config", "run.yaml", "--no-embeddings", "-q"]
    cur = ["curate", "data.jsonl", "--task", "task.yaml", "-q"]
    return [
        # s3: the run config
        Case("s3", "config file missing", ["s3", "nope.yaml", "-q"]),
        Case("s3", "config: malformed YAML", s3, put("run.yaml", "task: [task.yaml\n")),
        Case("s3", "config: unknown key", s3, edit("run.yaml", "s3: {", "s3: {roundz: 3, ")),
        Case(
            "s3",
            "config: a key given twice",
            s3,
            edit("run.yaml", "s3: {", "seed: 1\nseed: 2\ns3: {"),
        ),
        Case("s3", "config: Latin-1 bytes", s3, append("run.yaml", "# café\n".encode("latin-1"))),
        Case("s3", "task file missing", s3, edit("run.yaml", "task: task.yaml", "task: nope.yaml")),
        Case(
            "s3",
            "task: a label given twice",
            s3,
            edit("task.yaml", "  negative:", "  positive: glad\n  negative:"),
        ),
        Case(
            "s3",
            "task: one label only",
            s3,
            edit("task.yaml", "  negative: the customer was unhappy\n", ""),
        ),
        Case(
            "s3",
            "validation file missing",
            s3,
            edit("run.yaml", "path: validation.jsonl", "path: nope.jsonl"),
        ),
        Case("s3", "validation file empty", s3, put("validation.jsonl", "")),
        Case(
            "s3",
            "validation: a broken JSON line",
            s3,
            put("validation.jsonl", '{"text": "ok", "label": "positive"}\n{"text": \n'),
        ),
        Case(
            "s3",
            "validation: a column missing",
            s3,
            put("validation.jsonl", '{"sentence": "ok", "label": "positive"}\n'),
        ),
        Case(
            "s3",
            "validation: a label the task lacks",
            s3,
            put("validation.jsonl", '{"text": "ok", "label": "neutral"}\n'),
        ),
        Case("s3", "validation: gzip bytes", s3, gzipped("validation.jsonl")),
        Case("s3", "validation: an ELF binary", s3, put("validation.jsonl", ELF)),
        Case("s3", "validation: Latin-1 text", s3, put("validation.jsonl", LATIN1)),
        Case("s3", "validation: one 2 MiB line", s3, put("validation.jsonl", BIG)),
        Case(
            "s3",
            "test: CSV with another column",
            s3,
            both(
                edit("run.yaml", "path: test.jsonl", "path: test.csv"),
                put("test.csv", "sentence,label\nok,positive\n"),
            ),
        ),
        Case("s3", "--out is a file", ["s3", "run.yaml", "--out", "task.yaml", "-q"]),
        Case(
            "s3",
            "--out holds a run of another config",
            s3,
            both(
                put("out/config.yaml", "task: {}\n"), put("out/dataset.jsonl", '{"kept": true}\n')
            ),
        ),
        Case(
            "s3",
            "--out onto the validation file",
            ["s3", "run.yaml", "--out", "validation.jsonl", "-q"],
        ),
        Case("s3", "unknown learner", s3, edit("run.yaml", "s3: {", "learner: magic_lr\ns3: {")),
        Case("s3", "openai backend without a model", s3, edit("run.yaml", "model: m, ", "")),
        Case("s3", "--max-cost without prices", [*s3, "--max-cost", "1"]),
        Case("s3", "server refuses the key (401)", s3, server=Faults(status=401)),
        Case("s3", "nothing listens at base_url (waits 2 s)", s3, nobody_listens),
        # generate
        Case("generate", "-o onto the run config", [*gen, "-o", "run.yaml"]),
        Case("generate", "-o onto the validation file", [*gen, "-o", "validation.jsonl"]),
        Case("generate", "-o onto the task file", [*gen, "-o", "task.yaml"]),
        Case("generate", "extrapolate without --from", [*gen, "--method", "extrapolate"]),
        Case(
            "generate",
            "extrapolate --from a missing file",
            [*gen, "--method", "extrapolate", "--from", "nope.jsonl"],
        ),
        Case(
            "generate",
            "extrapolate --from F -o F",
            [
                *gen,
                "--method",
                "extrapolate",
                "--from",
                "validation.jsonl",
                "-o",
                "validation.jsonl",
            ],
        ),
        Case(
            "generate",
            "data: validation missing",
            gen,
            edit("run.yaml", "path: validation.jsonl", "path: nope.jsonl"),
        ),
        Case("generate", "data: validation empty", gen, put("validation.jsonl", "")),
        Case("generate", "data: validation broken", gen, put("validation.jsonl", "{broken\n")),
        Case("generate", "-o under a file", [*gen, "-o", "task.yaml/out.jsonl"]),
        # evaluate
        Case(
            "evaluate", "dataset missing", ["evaluate", "nope.jsonl", "--config", "run.yaml", "-q"]
        ),
        Case("evaluate", "dataset empty", ev, put("data.jsonl", "")),
        Case(
            "evaluate",
            "dataset: a label the task lacks",
            ev,
            foreign_label("data.jsonl"),
            needs_run=True,
        ),
        Case("evaluate", "dataset: one 2 MiB line", ev, put("data.jsonl", BIG)),
        Case("evaluate", "unknown learner", [*ev, "--learner", "magic_lr"], needs_run=True),
        Case(
            "evaluate",
            "--test with another column",
            [*ev, "--test", "t.jsonl"],
            put("t.jsonl", '{"sentence": "ok", "label": "positive"}\n'),
            needs_run=True,
        ),
        Case("evaluate", "--json onto the dataset", [*ev, "--json", "data.jsonl"], needs_run=True),
        Case("evaluate", "--json onto the run config", [*ev, "--json", "run.yaml"], needs_run=True),
        Case(
            "evaluate",
            "--json under a file (unwritable)",
            [*ev, "--json", "task.yaml/scores.json"],
            needs_run=True,
        ),
        # curate
        Case("curate", "RUN_DIR -o RUN_DIR", ["curate", "run", "-o", "run", "-q"], needs_run=True),
        Case("curate", "F -o F", [*cur, "-o", "data.jsonl"], needs_run=True),
        Case("curate", "unknown step", [*cur, "--steps", "magic_dedup"], needs_run=True),
        Case("curate", "a file without --task", ["curate", "data.jsonl", "-q"], needs_run=True),
        Case(
            "curate",
            "dataset: a label the task lacks",
            [*cur, "-o", "curated"],
            foreign_label("data.jsonl"),
            needs_run=True,
        ),
        # report, review, push, self-instruct
        Case(
            "report",
            "-o RUN_DIR/dataset.jsonl",
            ["report", "run", "-o", "run/dataset.jsonl", "-q"],
            needs_run=True,
        ),
        Case(
            "report",
            "-o onto the run's config",
            ["report", "run", "-o", "run/config.yaml", "-q"],
            needs_run=True,
        ),
        Case("report", "a folder that is not a run", ["report", ".", "-q"]),
        Case(
            "report",
            "run's dataset: a label the task lacks",
            ["report", "run", "-o", "r.html", "-q"],
            foreign_label("run/dataset.jsonl"),
            needs_run=True,
        ),
        Case("review", "a folder without a queue", ["review", "."]),
        Case("push", "a folder that is not a run", ["push", ".", "me/x"]),
        Case(
            "self-instruct",
            "config: a key given twice",
            ["self-instruct", "si.yaml", "-o", "si.jsonl", "-q"],
            put("si.yaml", SI_CONFIG + "self_instruct: {n: 5}\n"),
        ),
        Case(
            "self-instruct",
            "-o onto its own config",
            ["self-instruct", "si.yaml", "-o", "si.yaml", "-q"],
            put("si.yaml", SI_CONFIG),
        ),
    ]


@dataclass
class Outcome:
    case: Case
    exit: int
    one_line: bool
    unchanged: bool
    requests: int
    error: str
    seconds: float


def bad_inputs(tmp: Path) -> list[Outcome]:
    out = []
    with FaultServer(Faults()) as server:
        made = tmp / "made"
        workspace(made, server.base_url, s3="seed_size: 10, rounds: 0")
        proc = synthloop("s3", "run.yaml", "--out", "run", "-q", cwd=made, timeout=600)
        assert proc.returncode == 0, proc.stderr
        shutil.copy(made / "run" / "dataset.jsonl", made / "data.jsonl")
        for i, case in enumerate(cases()):
            w = tmp / f"case{i:02d}"
            if case.needs_run:
                shutil.copytree(made, w)
            else:
                workspace(w, server.base_url)
                shutil.copy(made / "run" / "dataset.jsonl", w / "data.jsonl")
            own = FaultServer(case.server).start() if case.server else None
            url = (own or server).base_url
            for name in ("run.yaml", "si.yaml"):
                if (w / name).exists():
                    text = (w / name).read_text().replace(server.base_url, url)
                    (w / name).write_text(text.replace("BASE", url))
            case.spoil(w)
            if (w / "si.yaml").exists():
                (w / "si.yaml").write_text((w / "si.yaml").read_text().replace("BASE", url))
            before = checksums([w])
            asked = (own or server).stats.requests
            t0 = time.perf_counter()
            proc = synthloop(*case.args, cwd=w, timeout=300)
            seconds = time.perf_counter() - t0
            after = checksums([w])
            requests = (own or server).stats.requests - asked
            if own:
                own.stop()
            errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
            one_line = (
                len(errors) == 1
                and "Traceback" not in proc.stderr
                and proc.stderr.rstrip().endswith(errors[0])
            )
            shown = errors[0] if errors else (proc.stderr.strip().splitlines() or ["(nothing)"])[-1]
            out.append(
                Outcome(
                    case=case,
                    exit=proc.returncode,
                    one_line=one_line,
                    unchanged=all(after.get(k) == v for k, v in before.items()),
                    requests=requests,
                    error=shown.replace(str(w) + "/", "").replace(str(w), "."),
                    seconds=seconds,
                )
            )
            status = (
                "ok" if out[-1].exit not in (0, 1) and one_line and out[-1].unchanged else "FAIL"
            )
            print(
                f"[bad {i + 1:2d}] {status} {case.command}: {case.what}: {out[-1].error[:110]}",
                flush=True,
            )
    return out


# -- 2. kills -----------------------------------------------------------------------------


@dataclass
class Kill:
    command: str
    point: str
    hold_after: int
    identical: bool = False
    paid_twice: int = 0
    answered: int = 0
    reference_answered: int = 0
    resumed_paid: int = 0


def uninterrupted(tmp: Path, args: list[str], dataset: str, name: str = "") -> tuple[str, int]:
    with FaultServer(FAULTS) as server:
        # the kills and the outages each make their own reference, in their own folder (the
        # outages' s3 reference met the kills' run directory, another server's config)
        w = tmp / (name or f"ref-{args[0]}")
        workspace(w, server.base_url)
        proc = synthloop(*args, cwd=w, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return (w / dataset).read_text(), server.stats.answered.total()


def kill_at(tmp: Path, kill: Kill, args: list[str], dataset: str, reference: str) -> None:
    with FaultServer(FAULTS) as server:
        w = tmp / f"kill-{kill.command}-{kill.hold_after}"
        workspace(w, server.base_url)
        server.hold_after = kill.hold_after
        if kill.hold_after == 0:
            server.open.clear()
        proc = start(*args, cwd=w)
        wait_for(lambda: not server.open.is_set() or proc.poll() is not None, timeout=120)
        time.sleep(0.5)  # answers past the gate reach the client and its journal or cache
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        before = server.stats.answered.total()
        server.hold_after = None
        server.open.set()
        resumed = synthloop(*args, cwd=w, timeout=600)
        assert resumed.returncode == 0, resumed.stderr
        kill.resumed_paid = server.stats.answered.total() - before
        kill.identical = (w / dataset).read_text() == reference
        kill.paid_twice = sum(v - 1 for v in server.stats.answered.values() if v > 1)
        kill.answered = server.stats.answered.total()


def kills(tmp: Path) -> list[Kill]:
    out = []
    gen = ["generate", "run.yaml", "-n", "40", "-o", "out.jsonl", "-q"]
    ref, total = uninterrupted(tmp, gen, "out.jsonl")
    points = [
        ("before any answer", 0),
        ("after 1 answer", 1),
        ("after 10", 10),
        ("after 25", 25),
        ("after 39 of 40", 39),
        ("after the last answer (writing)", 40),
    ]
    for point, hold in points:
        k = Kill("generate -n 40", point, hold, reference_answered=total)
        kill_at(tmp, k, gen, "out.jsonl", ref)
        out.append(k)
        print(
            f"[kill] generate {point}: identical={k.identical} paid twice={k.paid_twice}",
            flush=True,
        )
    s3 = ["s3", "run.yaml", "--out", "run", "-q"]
    ref, total = uninterrupted(tmp, s3, "run/dataset.jsonl")
    metrics = json.loads((tmp / "ref-s3" / "run" / "metrics.json").read_text())
    r1, r2 = (metrics["rounds"][r]["generation"]["calls"] for r in (1, 2))
    points = [
        ("during the rationales", 1),
        ("after the rationales", 2),
        ("mid seed round", 7),
        ("seed round done, round 1 not begun", 12),
        ("mid round 1", 12 + r1 // 2),
        ("mid round 2", 12 + r1 + r2 // 2),
        ("after the last answer (training, writing)", total),
    ]
    for point, hold in points:
        k = Kill("s3 (2 rounds)", point, hold, reference_answered=total)
        kill_at(tmp, k, s3, "run/dataset.jsonl", ref)
        out.append(k)
        print(f"[kill] s3 {point}: identical={k.identical} paid twice={k.paid_twice}", flush=True)
    return out


# -- 3. outages ---------------------------------------------------------------------------


@dataclass
class Outage:
    command: str
    seconds: float
    stop_after: int
    exit: int = -1
    identical: bool = False
    paid_twice: int = 0
    waits: int = 0
    back_after: float = 0.0
    notes: list[str] = field(default_factory=list)


def outage(tmp: Path, o: Outage, args: list[str], dataset: str, reference: str) -> None:
    first = FaultServer(FAULTS).start()
    w = tmp / f"outage-{o.seconds:.0f}"
    workspace(w, first.base_url)
    proc = start(*args, cwd=w)
    wait_for(lambda: first.stats.answered.total() >= o.stop_after, timeout=120)
    first.stop()
    down = time.monotonic()
    time.sleep(o.seconds)
    alive = proc.poll() is None
    second = FaultServer(FAULTS, port=first.port).start()
    back = time.monotonic()
    _, err = proc.communicate(timeout=600)
    o.back_after = time.monotonic() - back
    second.stop()
    o.exit = proc.returncode
    o.identical = alive and (w / dataset).exists() and (w / dataset).read_text() == reference
    answered = first.stats.answered + second.stats.answered
    o.paid_twice = sum(v - 1 for v in answered.values() if v > 1)
    waits = [ln for ln in err.splitlines() if "server unreachable" in ln]
    o.waits = len(waits)
    o.notes = [waits[0], waits[-1]] if waits else []
    print(
        f"[outage] {o.seconds:.0f} s after {time.monotonic() - down:.0f} s: exit={o.exit} "
        f"identical={o.identical} paid twice={o.paid_twice} waits={o.waits}",
        flush=True,
    )


def outages(tmp: Path, long: float) -> list[Outage]:
    out = []
    gen = ["generate", "run.yaml", "-n", "60", "-o", "out.jsonl", "-q"]
    ref, _ = uninterrupted(tmp, gen, "out.jsonl", "ref-outage-generate")
    o = Outage("generate -n 60", 30.0, stop_after=20)
    outage(tmp, o, gen, "out.jsonl", ref)
    out.append(o)
    s3 = ["s3", "run.yaml", "--out", "run", "-q"]
    ref, _ = uninterrupted(tmp, s3, "run/dataset.jsonl", "ref-outage-s3")
    o = Outage("s3 (2 rounds)", long, stop_after=8)
    outage(tmp, o, s3, "run/dataset.jsonl", ref)
    out.append(o)
    return out


# -- the results file -----------------------------------------------------------------------


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(
    path: Path, bad: list[Outcome], ks: list[Kill], os_: list[Outage], meta: dict[str, str]
) -> None:
    lines = ["# Reliability: bad inputs, kills, outages (`bench/reliability.py`)", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += [
        "",
        "The LLM is `tests/llm/fault_server.py` (scripted OpenAI-compatible server on "
        "127.0.0.1; each answer a function of the request; 10% of attempts meet a fault: 429, "
        "500, slow, cut off, malformed, reset). Fast and deterministic, so a resumed run can be "
        "compared byte for byte with an uninterrupted one. No llama.cpp ran.",
        "",
    ]
    if bad:
        good = [o for o in bad if o.exit not in (0, 1) and o.one_line and o.unchanged]
        commands = sorted({o.case.command for o in bad})
        lines += [
            f"## 1. Bad inputs: {len(good)} of {len(bad)} refused cleanly "
            f"({len(commands)} commands)",
            "",
            "Clean: exit code not 0 (and not 1, an internal error), exactly one `error:` line, "
            "last on stderr, no traceback, every file that existed before unchanged (sha256). "
            "`LLM requests`: requests the server saw during the command.",
            "",
            "| # | command | bad input | exit | one `error:` line | inputs unchanged "
            "| LLM requests | s | the error line |",
            "| ---: | --- | --- | ---: | --- | --- | ---: | ---: | --- |",
        ]
        for i, b in enumerate(bad, 1):
            lines.append(
                f"| {i} | {b.case.command} | {md_cell(b.case.what)} | {b.exit} | "
                f"{'yes' if b.one_line else '**no**'} | {'yes' if b.unchanged else '**no**'} | "
                f"{b.requests} | {b.seconds:.1f} | {md_cell(b.error[:160])} |"
            )
        lines.append("")
    if ks:
        same = sum(k.identical for k in ks)
        twice = sum(k.paid_twice for k in ks)
        lines += [
            f"## 2. Kills: {same} of {len(ks)} resumed to the uninterrupted dataset; "
            f"{twice} calls paid twice",
            "",
            "SIGKILL while the server holds back every answer after the first `hold` (so none is "
            "in transit at the kill: an answer on the wire when a process dies is lost and paid "
            "again, and no client can prevent that), then the same command again to the end. "
            "`identical`: the dataset file is byte-identical to the uninterrupted run's. "
            "`paid twice`: answers the server delivered whole more than once for one request.",
            "",
            "| command | killed | hold | identical | paid twice | paid after the resume "
            "| answers in all (uninterrupted) |",
            "| --- | --- | ---: | --- | ---: | ---: | --- |",
        ]
        for k in ks:
            lines.append(
                f"| {k.command} | {k.point} | {k.hold_after} | "
                f"{'yes' if k.identical else '**no**'} | "
                f"{k.paid_twice} | {k.resumed_paid} | {k.answered} ({k.reference_answered}) |"
            )
        lines.append("")
    if os_:
        lines += [
            "## 3. Outages: the server stopped mid-run, restarted on the same port later",
            "",
            "| command | outage | exit | dataset identical to an uninterrupted run | paid twice | "
            "'server unreachable' lines | finished after the restart | first and last line |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
        ]
        for o in os_:
            lines.append(
                f"| {o.command} | {o.seconds:.0f} s | {o.exit} | "
                f"{'yes' if o.identical else '**no**'} | {o.paid_twice} | {o.waits} | "
                f"{o.back_after:.1f} s | {md_cell(' … '.join(o.notes))} |"
            )
        lines.append("")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("bad", "kills", "outages"))
    parser.add_argument("--long-outage", type=float, default=180.0, help="seconds [180]")
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "results" / "reliability.md"
    )
    args = parser.parse_args()
    t0 = time.time()
    load = os.getloadavg()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="synthloop-reliability-") as d:
        tmp = Path(d)
        bad = bad_inputs(tmp) if args.only in (None, "bad") else []
        ks = kills(tmp) if args.only in (None, "kills") else []
        os_ = outages(tmp, args.long_outage) if args.only in (None, "outages") else []
    meta = {
        "Command": "`.venv/bin/python bench/reliability.py`"
        + (f" `--only {args.only}`" if args.only else ""),
        "Commit": f"{commit} (plus uncommitted changes, if any, at the time of the run)",
        "When": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t0)),
        "Took": f"{(time.time() - t0) / 60:.1f} min",
        "Machine": f"{os.cpu_count()} cores; load average {load[0]:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work shared the machine when above ~1)",
    }
    report(args.results, bad, ks, os_, meta)
    print(f"written: {args.results}")


if __name__ == "__main__":
    main()
