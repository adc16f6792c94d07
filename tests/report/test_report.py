"""``synthloop report``: one self-contained HTML page from a run directory."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.cli.test_qa import make_qa_config
from tests.conftest import FakeLLM
from tests.evaluate.runs import fake_run_dir, make_fake_run
from tests.task_fakes import qa_answer

AUDIT = [
    {"record_id": "s3-seed-r0-00001", "step": "dedup", "action": "drop", "reason": "exact"},
    {"record_id": "s3-seed-r0-00002", "step": "heuristics", "action": "drop", "reason": "short"},
    {"record_id": "s3-seed-r0-00003", "step": "heuristics", "action": "drop", "reason": "short"},
    {"record_id": "s3-seed-r0-00004", "step": "relabel", "action": "relabel", "reason": "aux"},
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_run_dir(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report(run_dir: Path) -> Path:
    (run_dir / "curate").mkdir()
    (run_dir / "curate" / "audit.jsonl").write_text(
        "".join(json.dumps(row) + "\n" for row in AUDIT), encoding="utf-8"
    )
    proc = synthloop("report", str(run_dir), "-q", cwd=run_dir)
    assert proc.returncode == 0, proc.stderr
    return run_dir / "report.html"


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    # nothing is fetched: no src=, no stylesheet links, no URLs but the SVG namespace
    assert not re.search(r"\b(src|href)=", html)
    assert set(re.findall(r"https?://[^\s\"']+", html)) <= {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") >= 4  # rounds, lengths, labels, drops


def test_report_shows_every_part(report: Path, run_dir: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for section in ("rounds", "diversity", "faithfulness", "distance", "indirect", "drops"):
        assert f'id="{section}"' in html
    assert "Accuracy per S3 round" in html and "Vendi score" in html
    assert "· labels positive, negative ·" in html  # the header names the task's labels
    # curation drops by reason, the relabel (a change, not a drop) left out
    assert "dedup: exact" in html and "heuristics: short" in html and "relabel: aux" not in html
    assert "curate/audit.jsonl" in html
    # the config and records with provenance, extrapolated ones beside the error they imitate
    assert "seed_size: 12" in html
    rows = [json.loads(x) for x in (run_dir / "dataset.jsonl").read_text().splitlines()]
    child = next(r for r in rows if r["parent_id"])
    assert child["id"] in html and f"imitates {child['parent_id']}" in html
    assert (run_dir / "evaluation.json").exists()  # computed, since none was there


def test_report_shows_the_score_at_the_real_label_mix(
    report: Path, run_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    ev = json.loads((run_dir / "evaluation.json").read_text())
    ev["indirect"]["tfidf_lr"]["label_mix_matched"] = {"accuracy": 0.8731, "macro_f1": 0.7, "n": 30}
    (copy / "evaluation.json").write_text(json.dumps(ev))
    proc = synthloop(
        "report", str(copy), "--no-evaluate", "-o", str(tmp_path / "r.html"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "accuracy % at the real label mix" in html and "<td>87.3</td>" in html


def test_report_without_evaluation_says_what_to_run(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "evaluation.json").unlink(missing_ok=True)
    shutil.rmtree(copy / "curate", ignore_errors=True)
    proc = synthloop(
        "report", str(copy), "--no-evaluate", "-o", str(tmp_path / "r.html"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No evaluation in this run directory" in html
    assert "No curation audit in this run directory" in html


def test_report_on_a_non_run_is_a_clear_error(tmp_path: Path) -> None:
    assert_one_line_error(synthloop("report", str(tmp_path), cwd=tmp_path), "has no config.yaml")
    assert_one_line_error(
        synthloop("report", str(tmp_path / "nope"), cwd=tmp_path), "is not a run directory"
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    flags = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ]  # fmt: skip
    dom = subprocess.run(
        [*flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    rows = (report.parent / "dataset.jsonl").read_text().splitlines()
    # the record filter's script ran and counted every row
    assert f"{len(rows)} shown" in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_a_record_dropped_in_two_audits_counts_once(
    report: Path, run_dir: Path, tmp_path: Path
) -> None:
    # the same dataset curated again into another folder doubled every count
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    shutil.copytree(copy / "curate", copy / "curate_again")
    proc = synthloop(
        "report", str(copy), "--no-evaluate", "-o", str(tmp_path / "r.html"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "curate_again/audit.jsonl" in html
    drops = dict(re.findall(r">([a-z]+: [a-z]+)</text>.*?>(\d+)</text>", html))
    assert drops["heuristics: short"] == "2" and drops["dedup: exact"] == "1"


def test_report_of_a_qa_run(tmp_path: Path) -> None:
    # was: "internal error KeyError: 'accuracy'": the page read classification figures only
    config = make_qa_config(tmp_path)
    config.write_text(
        config.read_text() + "s3: {seed_size: 8, rounds: 1, max_errors_per_round: 4}\n"
    )
    llm = FakeLLM(qa_answer)  # questions on their passage: generic ones are dropped
    run = make_fake_run(config, tmp_path / "run", llm=llm)
    proc = synthloop("report", str(run), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = (run / "report.html").read_text(encoding="utf-8")
    rounds = json.loads((run / "metrics.json").read_text())["rounds"]
    assert "Exact match per S3 round" in html and "<th>exact match %</th>" in html
    assert f"{100 * rounds[-1]['test']['exact_match']:.1f}%" in html  # the last round's card
    header = html.split('<p class="sub">', 1)[1].split("</p>", 1)[0]
    assert "labels" not in header  # was: "labels ·", naming none: QA has no class labels


def test_report_on_records_without_synthloop_provenance(run_dir: Path, tmp_path: Path) -> None:
    # a user's curated file has no method and may have a round of its own: the report
    # offered "None" as a method to filter by, and failed on int("a")
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    dataset = copy / "dataset.jsonl"
    rows = [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines()]
    for i, row in enumerate(rows):
        for key in ("method", "parent_id", "prompt_hash"):
            row.pop(key)
        row["round"] = "ab"[i % 2]
    dataset.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    proc = synthloop("report", str(copy), "--no-evaluate", "-o", "r.html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<option>None</option>" not in html
    assert "<option>a</option><option>b</option>" in html


def test_report_of_a_curated_run_says_which_set_and_reports_the_curated_one(
    run_dir: Path, tmp_path: Path
) -> None:
    # was: `report RUN_DIR` showed the uncurated records beside the curation's drops and
    # said nothing of curated/; `report RUN_DIR/curated` was "has no config.yaml"
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    shutil.rmtree(copy / "curate", ignore_errors=True)
    curate = synthloop("curate", str(copy), "--steps", "length(min_words=12)", "-q", cwd=tmp_path)
    assert curate.returncode == 0, curate.stderr
    kept = (copy / "curated" / "dataset.jsonl").read_text().splitlines()
    everything = (copy / "dataset.jsonl").read_text().splitlines()
    assert 0 < len(kept) < len(everything)

    # -q too (was: held back under -q, where evaluate's like warning and every other shows)
    proc = synthloop("report", str(copy), "--no-evaluate", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stderr.split())
    assert f"warning: reporting {copy / 'dataset.jsonl'}, the run's dataset before curation" in said
    assert f"synthloop report {copy / 'curated'}" in said
    html = " ".join((copy / "report.html").read_text(encoding="utf-8").split())
    assert f"{len(everything)} synthetic records" in html
    assert f"The run&#39;s own dataset {copy / 'dataset.jsonl'}, before curation" in html

    proc = synthloop("report", str(copy / "curated"), "--no-evaluate", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    html = " ".join((copy / "curated" / "report.html").read_text(encoding="utf-8").split())
    assert f"{len(kept)} synthetic records" in html
    assert f"The curated set {copy / 'curated' / 'dataset.jsonl'}" in html
    assert "Accuracy per S3 round" in html  # the run's rounds, read from the run directory
    assert "length: too_short" in html


def test_a_killed_curations_staging_folder_is_not_read(
    report: Path, run_dir: Path, tmp_path: Path
) -> None:
    # curate killed among its renames leaves its staging folder in the output folder: its
    # audit was read as one of the run's, its drops counted
    from synthloop.core.io import staged_file

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    left = staged_file(copy / "curate", "audit.jsonl")
    left.parent.mkdir()
    row = {"record_id": "s3-seed-r0-00005", "step": "length", "action": "drop", "reason": "long"}
    left.write_text(json.dumps(row) + "\n", encoding="utf-8")
    proc = synthloop(
        "report", str(copy), "--no-evaluate", "-o", str(tmp_path / "r.html"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "curate/audit.jsonl" in html and "heuristics: short" in html
    assert left.parent.name not in html and "length: long" not in html
