"""`synthloop curate` and `synthloop review` as a user meets them."""

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from synthloop.cli.curate import CURATED_FILES
from synthloop.core.io import write_records
from tests.cli.test_cli import assert_one_line_error, command, synthloop
from tests.conftest import TASK_YAML
from tests.curate.conftest import noisy_records
from tests.curate.test_review_http import page_queue


def make_run_dir(tmp_path: Path, run_config: Path) -> Path:
    """A run directory as `synthloop s3` leaves it: config.yaml (resolved) + dataset.jsonl."""
    from synthloop.run.config import load_config

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(load_config(run_config).to_yaml())
    records, _ = noisy_records(n=40, flipped=4)
    test_text = json.loads((tmp_path / "test.jsonl").read_text().splitlines()[0])["text"]
    leak = type(records[0])(id="leak", inputs={"text": test_text}, label="positive")
    write_records([*records, records[5], leak], run / "dataset.jsonl")
    return run


def test_curate_a_run_dir_prints_drops_by_step_and_writes_the_audit(
    tmp_path: Path, run_config: Path
) -> None:
    run = make_run_dir(tmp_path, run_config)
    steps = "exact_dedup,length(min_words=2),relabel(min_confidence=0.6)"
    proc = synthloop("curate", str(run), "--steps", steps, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # the leaked text is in both real splits of the fixture; validation is checked first
    assert "exact_dedup" in proc.stdout and "leak:validation" in proc.stdout
    assert "42 records in, 40 kept" in proc.stdout
    assert "leaks not checked" not in proc.stdout
    # was: the line left review_queue.jsonl out
    written = "dataset.jsonl, dropped.jsonl, audit.jsonl, review_queue.jsonl, summary.json)"
    assert written in " ".join(proc.stdout.split())
    out = run / "curated"
    for name in (
        "dataset.jsonl",
        "dropped.jsonl",
        "audit.jsonl",
        "summary.json",
        "review_queue.jsonl",
    ):
        assert (out / name).is_file(), name
    dropped = _jsonl(out / "dropped.jsonl")
    assert sorted(d["reason"] for d in dropped) == ["duplicate", "leak:validation"]


def test_curate_a_file_needs_a_task_or_config(tmp_path: Path) -> None:
    records, _ = noisy_records(n=20, flipped=0)
    data = write_records(records, tmp_path / "gen.jsonl")
    assert_one_line_error(synthloop("curate", str(data), cwd=tmp_path), "needs --config")
    proc = synthloop("curate", str(data), "--task", "task.yaml", "--steps", "length", cwd=tmp_path)
    assert_one_line_error(proc, "task file not found")
    (tmp_path / "task.yaml").write_text(TASK_YAML)
    proc = synthloop("curate", str(data), "--task", "task.yaml", "--steps", "length", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "gen.curated" / "dataset.jsonl").is_file()
    # no real data to check leaks against: said, not left for the user to assume
    assert "leaks not checked: no real validation or test data" in " ".join(proc.stdout.split())


def test_curate_bad_steps_is_one_line_and_destroys_nothing(
    tmp_path: Path, run_config: Path
) -> None:
    run = make_run_dir(tmp_path, run_config)
    (run / "curated").mkdir()
    (run / "curated" / "dataset.jsonl").write_text('{"precious": true}\n')
    proc = synthloop("curate", str(run), "--steps", "exact_dedup,frobnicate", cwd=tmp_path)
    assert_one_line_error(proc, "unknown curation step 'frobnicate'")
    assert (run / "curated" / "dataset.jsonl").read_text() == '{"precious": true}\n'


def test_review_without_a_queue_says_what_to_do(tmp_path: Path) -> None:
    proc = synthloop("review", str(tmp_path), cwd=tmp_path)
    assert_one_line_error(proc, "no review queue")
    assert "synthloop curate" in proc.stderr


def _user_file(
    tmp_path: Path, ids: list[object], columns: Callable[[int], dict[str, Any]] = lambda i: {}
) -> Path:
    """A dataset the user wrote elsewhere, with an id column of their own and, in row i,
    ``columns(i)``: more columns of theirs."""
    records, _ = noisy_records(n=len(ids), flipped=0)
    rows = [
        {"id": rid, "text": r.text("text"), "label": r.label, **columns(i)}
        for i, (rid, r) in enumerate(zip(ids, records, strict=True))
    ]
    rows[-1]["text"] = "too short"  # dropped by length(min_words=3)
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _kept_and_dropped(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records a curation into ``out`` kept, and those it dropped."""
    return _jsonl(out / "dataset.jsonl"), _jsonl(out / "dropped.jsonl")


def _assert_only_u19_dropped_and_all_kept_whole(
    rows: list[dict[str, Any]], kept: list[dict[str, Any]], dropped: list[dict[str, Any]]
) -> None:
    """Only u19, the short one, was dropped, and every row of the user's, kept or dropped,
    still holds each column it had."""
    assert len(kept) == 19 and [r["id"] for r in dropped] == ["u19"]
    by_id = {r["id"]: r for r in rows}
    for r in [*kept, *dropped]:
        assert {k: r[k] for k in by_id[r["id"]]} == by_id[r["id"]]


def test_curate_a_file_with_repeated_ids_is_refused_and_destroys_nothing(
    tmp_path: Path, run_config: Path
) -> None:
    # with one id for two records, dropped.jsonl showed the wrong record as dropped
    data = _user_file(tmp_path, [f"u{i % 10}" for i in range(20)])
    out = tmp_path / "mine.curated"
    out.mkdir()
    (out / "dataset.jsonl").write_text('{"precious": true}\n')
    (out / "summary.json").write_text('{"steps": [], "kept": 1}\n')  # an earlier curation's
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "records 1 and 11 have the same id 'u0'")
    assert (out / "dataset.jsonl").read_text() == '{"precious": true}\n'


def test_curate_a_file_with_null_ids_names_each_record_by_its_row(
    tmp_path: Path, run_config: Path
) -> None:
    # a null id was read as the id "None", shared by every record
    data = _user_file(tmp_path, [None] * 20)
    steps = "length,confidence(mode=flag)"
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", steps,
                     "--review-queue", "3", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    kept, dropped = _kept_and_dropped(out)
    assert [r["id"] for r in kept] == [f"row-{i}" for i in range(19)]
    assert [(r["id"], r["text"]) for r in dropped] == [("row-19", "too short")]
    assert len((out / "review_queue.jsonl").read_text().splitlines()) == 3


def test_a_record_the_confidence_step_flagged_states_its_confidence_once(
    tmp_path: Path, run_config: Path
) -> None:
    # was: "confidence: low_confidence (0.02)" and "low model confidence in its label (0.02)"
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    steps = "confidence(mode=flag,threshold=1.0)"  # every judged record flagged
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", steps,
                     "--review-queue", "5", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    queue = _jsonl(tmp_path / "mine.curated" / "review_queue.jsonl")
    flagged = [
        q for q in queue if any(r.startswith("confidence: low_confidence") for r in q["reasons"])
    ]
    assert flagged and all(len(q["reasons"]) == 1 for q in flagged), queue


def test_flagged_records_are_queued_with_no_least_confident_ones(
    tmp_path: Path, run_config: Path
) -> None:
    # --review-queue 0 left the review queue empty, flagged records too
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps",
                     "length(mode=flag)", "--review-queue", "0", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 flagged); 1 queued for review" in " ".join(proc.stdout.split())
    queue = (tmp_path / "mine.curated" / "review_queue.jsonl").read_text().splitlines()
    assert [json.loads(q)["id"] for q in queue] == ["u19"]


def test_review_of_an_empty_queue_says_so(tmp_path: Path, run_config: Path) -> None:
    # was: a page with nothing to review, served until Ctrl-C
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     "--review-queue", "0", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = synthloop("review", str(data), cwd=tmp_path)
    assert_one_line_error(proc, "review queue in")
    assert "is empty" in proc.stderr


def test_review_a_curated_file_by_its_name(tmp_path: Path, run_config: Path) -> None:
    # curate FILE writes FILE.curated/; review FILE said "no review queue in FILE"
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    assert_one_line_error(
        synthloop("review", str(data), cwd=tmp_path), f"run `synthloop curate {data}` first"
    )
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps",
                     "length(mode=flag)", "--review-queue", "0", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    server = subprocess.Popen(
        command("review", str(data)), cwd=tmp_path, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = next(line for line in server.stdout if line.startswith("http://")).strip()
        base, token = url.split("/?token=")
        with urllib.request.urlopen(f"{base}/api/queue?token={token}", timeout=30) as resp:
            items = json.loads(resp.read())["items"]
        assert [q["id"] for q in items] == ["u19"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_curate_a_file_keeps_the_users_own_columns(tmp_path: Path, run_config: Path) -> None:
    # columns the task does not know (source, annotator) were dropped from the output
    data = _user_file(
        tmp_path,
        [f"u{i}" for i in range(20)],
        lambda i: {"source": f"site-{i % 3}", "annotator": {"name": "ann", "n": i}},
    )
    rows = _jsonl(data)
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    kept, dropped = _kept_and_dropped(out)
    expected = {r["id"]: (r["source"], r["annotator"]) for r in rows}
    assert len(kept) == 19
    assert [r["id"] for r in dropped] == ["u19"]
    for r in [*kept, *dropped]:
        assert (r["source"], r["annotator"]) == expected[r["id"]]


def test_curate_a_parquet_file_keeps_its_other_columns(tmp_path: Path, run_config: Path) -> None:
    # a Parquet column of dates would not even be JSON; it was dropped with the rest
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    rows = _jsonl(data)
    for i, row in enumerate(rows):
        row.update(score=i, day=datetime.date(2024, 1, 1 + i))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "mine.parquet")
    data.unlink()
    proc = synthloop("curate", "mine.parquet", "--config", str(run_config), "--steps",
                     "length", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    kept = _jsonl(tmp_path / "mine.curated" / "dataset.jsonl")
    assert [(r["id"], r["score"], r["day"]) for r in kept[:2]] == [
        ("u0", 0, "2024-01-01"),
        ("u1", 1, "2024-01-02"),
    ]


def test_files_of_one_stem_do_not_share_a_curated_folder(tmp_path: Path, run_config: Path) -> None:
    # mine.jsonl and mine.csv both wrote mine.curated/: the second overwrote the first and
    # took over its review decisions
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    rows = _jsonl(data)
    (tmp_path / "mine.csv").write_text(
        "id,text,label\n" + "".join(f"{r['id']},{r['text']},{r['label']}\n" for r in rows[:10])
    )
    curate = ("--config", str(run_config), "--steps", "length(mode=flag)")
    assert synthloop("curate", "mine.jsonl", *curate, cwd=tmp_path).returncode == 0
    out = tmp_path / "mine.curated"
    first = (out / "dataset.jsonl").read_text()
    proc = synthloop("curate", "mine.csv", *curate, cwd=tmp_path)
    assert_one_line_error(proc, "mine.curated holds the curation of mine.jsonl, not of mine.csv")
    assert "--out mine.csv.curated" in proc.stderr
    assert (out / "dataset.jsonl").read_text() == first
    assert_one_line_error(synthloop("review", "mine.csv", cwd=tmp_path), "not of mine.csv")
    # the same file again, into its own folder, is as before; another file goes to --out
    assert synthloop("curate", "mine.jsonl", *curate, cwd=tmp_path).returncode == 0
    assert (out / "dataset.jsonl").read_text() == first
    proc = synthloop("curate", "mine.csv", *curate, "--out", "mine.csv.curated", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kept = (tmp_path / "mine.csv.curated" / "dataset.jsonl").read_text().splitlines()
    assert len(kept) == 10


def test_curate_keeps_a_users_columns_named_like_the_drop_reasons(
    tmp_path: Path, run_config: Path
) -> None:
    # dropped.jsonl wrote the step, reason, score and detail over the user's own columns
    data = _user_file(
        tmp_path,
        [f"u{i}" for i in range(20)],
        lambda i: {
            "score": i / 10,
            "reason": f"crawl {i}",
            "detail": {"stars": i},
            "dropped_by": "nobody",
        },
    )
    rows = _jsonl(data)
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    [dropped] = _jsonl(out / "dropped.jsonl")
    [audit] = _jsonl(out / "audit.jsonl")
    assert {k: dropped[k] for k in rows[-1]} == rows[-1]
    why = (dropped["synthloop_dropped_by"], dropped["synthloop_reason"])
    assert why == ("length", audit["reason"])
    assert {"synthloop_score", "synthloop_detail"} <= dropped.keys()
    assert "why each was dropped is under synthloop_dropped_by" in " ".join(proc.stdout.split())


def test_curate_keeps_a_users_columns_named_like_provenance(
    tmp_path: Path, run_config: Path
) -> None:
    # a user's round "a" was refused ("not a whole number"), a round 2.5 written back as 2,
    # and every row of a file without a method column gained method: "real"
    data = _user_file(
        tmp_path,
        [f"u{i}" for i in range(20)],
        lambda i: {
            "round": ["a", "b", 2.5, {"batch": i}][i % 4],
            "model": "my-annotator",
            "parent_id": i,
        },
    )
    rows = _jsonl(data)
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    kept, dropped = _kept_and_dropped(out)
    _assert_only_u19_dropped_and_all_kept_whole(rows, kept, dropped)
    assert all("method" not in r and "prompt_hash" not in r for r in [*kept, *dropped])


def test_curate_a_file_synthloop_wrote_keeps_its_provenance(
    tmp_path: Path, run_config: Path
) -> None:
    records, _ = noisy_records(n=20, flipped=0)
    records = [replace(r, round=1, model="m") for r in records]
    data = write_records(records, tmp_path / "gen.jsonl")
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    kept = _jsonl(tmp_path / "gen.curated" / "dataset.jsonl")
    assert len(kept) == 20
    assert {(r["method"], r["round"], r["model"]) for r in kept} == {("zerogen", 1, "m")}


def test_curate_keeps_a_users_extra_column_and_evaluate_reads_it_as_theirs(
    tmp_path: Path, run_config: Path
) -> None:
    # was: a user's extra column read as synthloop's: "a note" refused as "extra is not
    # valid JSON", and {"weight": 0} read as curation's training weight
    data = _user_file(
        tmp_path,
        [f"u{i}" for i in range(20)],
        lambda i: {"extra": ["a note", {"weight": 0}, [1, 2], 3][i % 4]},
    )
    rows = _jsonl(data)
    scored = synthloop("evaluate", str(data), "--config", str(run_config), "--no-embeddings",
                       "-q", cwd=tmp_path)  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    proc = synthloop("curate", str(data), "--config", str(run_config),
                     "--steps", "length,confidence_weight", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    kept, dropped = _kept_and_dropped(out)
    _assert_only_u19_dropped_and_all_kept_whole(rows, kept, dropped)
    # curation's own weights go beside it, and a second curate reads them back as its own
    assert all("weight" in r["synthloop_extra"] for r in kept)
    again = synthloop("curate", str(out / "dataset.jsonl"), "--config", str(run_config),
                      "--steps", "length", "--out", "again", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    twice = _jsonl(tmp_path / "again" / "dataset.jsonl")
    assert twice == kept


def test_a_label_with_one_record_leaves_no_model_opinion_to_drop_or_rank_by(
    tmp_path: Path,
) -> None:
    # was: no fold could be made, every record kept the uniform 0.33 of three labels, and
    # confidence(threshold=0.4) dropped all nine as "low_confidence"; the review queue
    # listed them as "low model confidence in its label (0.33)", in id order
    (tmp_path / "task.yaml").write_text(
        "name: intents\ndomain: banking\nlabels:\n  balance: asks for a balance\n"
        "  transfer: sends money\n  lost_card: lost a card\n"
    )
    texts = {
        "balance": ["how much is in my account", "what is my balance", "show my savings total",
                    "balance on my card please"],
        "transfer": ["send ten pounds to Sam", "move money to savings", "pay my rent to Ana",
                     "wire cash to my brother"],
        "lost_card": ["I lost my debit card"],
    }  # fmt: skip
    rows = [{"text": t, "label": lab} for lab, ts in texts.items() for t in ts]
    data = tmp_path / "gen.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = synthloop("curate", str(data), "--task", "task.yaml", "--steps",
                     "confidence(threshold=0.4)", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "gen.curated"
    assert len((folder / "dataset.jsonl").read_text().splitlines()) == 9
    queue = [json.loads(ln) for ln in (folder / "review_queue.jsonl").open()]
    assert len(queue) == 9
    assert all(q["model_label"] is None and q["label_confidence"] is None for q in queue)
    assert all("no model opinion" in q["reasons"][-1] for q in queue)


def test_review_of_an_s3_rounds_queue_is_refused_and_points_to_the_run(
    tmp_path: Path, run_config: Path
) -> None:
    # was: served; its decisions went to round_N/curation/review.sqlite, which neither
    # `synthloop curate RUN_DIR` nor a rerun of the loop reads (they read RUN_DIR/curated/)
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    folder = tmp_path / "run" / "round_1" / "curation"
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps",
                     "length(mode=flag)", "--out", str(folder), cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = synthloop("review", str(folder), cwd=tmp_path, timeout=60)  # was: served on
    assert_one_line_error(proc, "is the loop's record of round 1's curation")
    assert f"synthloop curate {tmp_path / 'run'}" in proc.stderr
    assert not (folder / "review.sqlite").exists()


def test_evaluate_of_a_curated_run_says_it_scores_the_uncurated_dataset(
    tmp_path: Path, run_config: Path
) -> None:
    # was: silent; after curate (and a person's review) `synthloop evaluate RUN_DIR` scored
    # RUN_DIR/dataset.jsonl as before, and nothing said the curated set was elsewhere
    run = make_run_dir(tmp_path, run_config)
    before = synthloop("evaluate", str(run), "--no-embeddings", cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert "curated" not in before.stderr
    assert synthloop("curate", str(run), "--steps", "exact_dedup", cwd=tmp_path).returncode == 0
    proc = synthloop("evaluate", str(run), "--no-embeddings", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stderr.split())
    assert f"warning: scoring {run / 'dataset.jsonl'}, the run's dataset before curation" in said
    assert f"synthloop evaluate {run / 'curated' / 'dataset.jsonl'} --config" in said


def test_curate_that_changes_nothing_prints_no_empty_table(
    tmp_path: Path, run_config: Path
) -> None:
    # was: the table's title and header over no row, above "20 kept (0 dropped, …)"
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "refusal",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "20 records in, 20 kept (0 dropped" in " ".join(proc.stdout.split())
    assert "drops and changes by step" not in proc.stdout


#: `synthloop curate` with a death at the first rename onto a path ending in $DIE_AT:
#: os._exit (as SIGKILL: nothing cleans up) or KeyboardInterrupt (Ctrl-C)
DYING_CURATE = """
import os, sys
real_replace = os.replace
def replace(src, dst):
    if str(dst).endswith(os.environ["DIE_AT"]):
        if os.environ["DIE_BY"] == "kill":
            os._exit(137)
        raise KeyboardInterrupt
    real_replace(src, dst)
os.replace = replace
sys.argv = ["synthloop", *sys.argv[1:]]
from synthloop.cli.app import main
main()
"""


def _visible(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.mark.parametrize(
    ("die_at", "die_by"),
    [("mine.curated/dataset.jsonl", "kill"), ("mine.curated/summary.json", "ctrl-c")],
)
def test_curate_killed_while_writing_leaves_a_folder_the_rerun_curates_into(
    tmp_path: Path, die_at: str, die_by: str
) -> None:
    # was: the folder held dataset.jsonl but no summary.json, and every rerun was refused
    # with "mine.curated is not the output of a curation"
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    (tmp_path / "task.yaml").write_text(TASK_YAML)
    args = [str(data), "--task", "task.yaml", "--steps", "exact_dedup"]
    env = {**os.environ, "NO_COLOR": "1", "DIE_AT": die_at, "DIE_BY": die_by}
    dying = subprocess.run([sys.executable, "-c", DYING_CURATE, "curate", *args],
                           cwd=tmp_path, capture_output=True, text=True, env=env)  # fmt: skip
    assert dying.returncode in (137, 130), dying.stderr
    proc = synthloop("curate", *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    assert set(_visible(out)) == {*CURATED_FILES, "curated_from.txt"}
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} <= {".synthloop.lock"}


@pytest.mark.parametrize("die_by", ["kill", "ctrl-c"])
def test_curate_killed_while_writing_leaves_the_earlier_curation_whole(
    tmp_path: Path, die_by: str
) -> None:
    # was: the new dataset.jsonl (and the rest) beside the earlier curation's summary.json
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    (tmp_path / "task.yaml").write_text(TASK_YAML)
    args = [str(data), "--task", "task.yaml", "--steps"]
    assert synthloop("curate", *args, "exact_dedup", cwd=tmp_path).returncode == 0
    # its evaluation too: removed only once the new set is written
    (tmp_path / "mine.curated" / "evaluation.json").write_text('{"of": "the earlier set"}')
    before = _visible(tmp_path / "mine.curated")
    env = {**os.environ, "NO_COLOR": "1", "DIE_AT": "summary.json", "DIE_BY": die_by}
    dying = subprocess.run([sys.executable, "-c", DYING_CURATE, "curate", *args,
                            "length(min_words=8)"],
                           cwd=tmp_path, capture_output=True, text=True, env=env)  # fmt: skip
    assert dying.returncode in (137, 130), dying.stderr
    assert _visible(tmp_path / "mine.curated") == before


def test_curating_again_removes_the_earlier_sets_evaluation_and_report(
    tmp_path: Path, run_config: Path
) -> None:
    # was: curated/evaluation.json of the earlier set stayed, and `synthloop report` showed
    # its figures (train size and all) as the new set's
    from synthloop.report import REPORT_FILE

    run = make_run_dir(tmp_path, run_config)
    out = run / "curated"
    assert synthloop("curate", str(run), "--steps", "exact_dedup", cwd=tmp_path).returncode == 0
    proc = synthloop("evaluate", str(out), "--config", str(run / "config.yaml"),
                     "--no-embeddings", "-q", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (out / REPORT_FILE).write_text("<html>the earlier set</html>")
    (out / "notes.txt").write_text("mine")
    proc = synthloop("curate", str(run), "--steps", "exact_dedup,length(min_words=8)",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "removed evaluation.json, report.html of the earlier curated set" in " ".join(
        proc.stdout.split()
    )
    assert not (out / "evaluation.json").exists() and not (out / REPORT_FILE).exists()
    assert (out / "notes.txt").read_text() == "mine"  # not derived from the set: kept
    proc = synthloop("report", str(out), "--no-evaluate", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "No evaluation of this curated set" in (out / REPORT_FILE).read_text()


def test_curating_into_a_folder_of_no_curation_keeps_its_evaluation(
    tmp_path: Path, run_config: Path
) -> None:
    # an evaluation.json no curation's set was scored for is no earlier curated set's
    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    out = tmp_path / "mine.curated"
    out.mkdir()
    (out / "evaluation.json").write_text('{"theirs": true}')
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps",
                     "exact_dedup", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (out / "evaluation.json").read_text() == '{"theirs": true}'
    assert "removed" not in proc.stdout


def test_human_review_named_in_steps_applies_the_output_folders_decisions_there(
    tmp_path: Path, run_config: Path
) -> None:
    # the README lists human_review among the steps; naming it failed with
    # "curation step human_review: store: Field required"
    from synthloop.curate import ReviewStore

    data = _user_file(tmp_path, [f"u{i}" for i in range(20)])
    steps = "exact_dedup,human_review,length"
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", steps,
                     "--review-queue", "0", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "mine.curated"
    assert not (out / "review.sqlite").exists()  # nobody reviewed: nothing made up
    store = ReviewStore(out / "review.sqlite")
    store.decide("u0", "drop")
    store.decide("u1", "relabel", "positive")  # noisy_records: odd rows are negative
    store.close()
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", steps,
                     "--review-queue", "0", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    audit = [json.loads(x) for x in (out / "audit.jsonl").read_text().splitlines()]
    assert [a["step"] for a in audit if a["step"] != "length"] == ["human_review"] * 2
    assert {(a["record_id"], a["reason"]) for a in audit if a["step"] == "human_review"} == {
        ("u0", "person_dropped"),
        ("u1", "person_relabelled"),
    }
    summary = json.loads((out / "summary.json").read_text())
    assert [next(iter(s)) for s in summary["steps"]] == ["exact_dedup", "human_review", "length"]


def test_decisions_follow_their_text_when_a_row_is_inserted_above(
    tmp_path: Path, run_config: Path
) -> None:
    # a file without ids numbers its records row-N: a row inserted above moved every
    # decided text to the next id, where each decision was set aside (flagged
    # text_changed_since_review and kept) and the person had to decide them all again
    from synthloop.curate import ReviewStore

    records, _ = noisy_records(n=20, flipped=0)
    rows = [{"text": r.text("text"), "label": r.label} for r in records]
    data = tmp_path / "mine.jsonl"

    def curate(rows: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
        data.write_text("".join(json.dumps(row) + "\n" for row in rows))
        proc = synthloop("curate", str(data), "--config", str(run_config),
                         "--steps", "exact_dedup,length", cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        audit = _jsonl(tmp_path / "mine.curated" / "audit.jsonl")
        return {a["record_id"]: a for a in audit if a["step"] == "human_review"}

    curate(rows)
    store = ReviewStore(tmp_path / "mine.curated" / "review.sqlite")
    for i, action, label in [(3, "drop", None), (5, "relabel", "positive"), (7, "keep", None)]:
        store.decide(f"row-{i}", action, label, inputs={"text": rows[i]["text"]})
    store.close()
    new = {"text": "a brand new row at the top of the file", "label": "positive"}
    human = curate([new, *rows])
    assert {rid: (a["reason"], a.get("detail")) for rid, a in human.items()} == {
        "row-4": ("person_dropped", {"decided_as": "row-3"}),
        "row-6": (
            "person_relabelled",
            {"old_label": "negative", "new_label": "positive", "decided_as": "row-5"},
        ),
        "row-8": ("person_kept", {"decided_as": "row-7"}),
    }
    kept = {r["text"]: r for r in _jsonl(tmp_path / "mine.curated" / "dataset.jsonl")}
    assert rows[3]["text"] not in kept and kept[rows[5]["text"]]["label"] == "positive"
    # every record is queued (21 < 50), the dropped one so that the drop can be taken
    # back: the page shows each moved text decided, not open again
    items = page_queue(tmp_path / "mine.curated")
    decided = {rid: q["decision"]["action"] for rid, q in items.items() if q["decision"]}
    assert decided == {"row-4": "drop", "row-6": "relabel", "row-8": "keep"}


def test_a_near_copy_of_a_person_dropped_text_does_not_come_back(
    tmp_path: Path, run_config: Path
) -> None:
    # minhash_dedup dropped the near copy as the first one's duplicate, so the page showed
    # the first alone; once the person dropped it, the next curation kept the copy instead
    from synthloop.curate import ReviewStore

    text = ("the waiter brought our soup cold and forgot the bread then charged us twice "
            "for the wine we never ordered and would not listen to us at all")  # fmt: skip
    records, _ = noisy_records(n=12, flipped=0)
    rows = [{"text": r.text("text"), "label": r.label} for r in records]
    rows[2] = {"text": text + " tonight", "label": "negative"}
    rows[9] = {"text": text + " today", "label": "negative"}
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "mine.curated"

    def curate() -> dict[str, dict[str, Any]]:
        proc = synthloop("curate", str(data), "--config", str(run_config),
                         "--steps", "exact_dedup,minhash_dedup,length", cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return {d["id"]: d for d in _jsonl(out / "dropped.jsonl")}

    assert curate()["row-9"]["reason"] == "near_duplicate"
    store = ReviewStore(out / "review.sqlite")
    store.decide("row-2", "drop", inputs={"text": rows[2]["text"]})
    store.close()
    dropped = curate()
    assert {rid: (d["dropped_by"], d["reason"]) for rid, d in dropped.items()} == {
        "row-2": ("human_review", "person_dropped"),
        "row-9": ("minhash_dedup", "copy_person_dropped"),
    }
    kept = {r["text"] for r in _jsonl(out / "dataset.jsonl")}
    assert rows[2]["text"] not in kept and rows[9]["text"] not in kept
