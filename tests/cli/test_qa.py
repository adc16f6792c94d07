"""Extractive-QA data through the commands: its label is an answer, not a class, so the
steps and models that judge class labels do not run on it (by default) or are refused."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.curate.webapp import ReviewServer
from synthloop.run.config import load_config
from tests.cli.test_cli import assert_one_line_error, synthloop

PASSAGES = [
    ("The Harbor Bridge opened in 1932 and was designed by Clara Voss.", "1932", "Clara Voss"),
    ("Mount Tarrin rises 2,410 metres above Stenholm and was climbed in 1871.", "1871", "Stenholm"),
    ("The Lantern Cafe was opened by Ada Hollis on Quay Street.", "Ada Hollis", "Quay Street"),
    ("Riverton's apple fair attracts 12,000 visitors every October.", "12,000", "October"),
    ("The town library holds 48,000 books and was rebuilt in 1967.", "48,000", "1967"),
    ("The old mill on Fenn River ground wheat until 1954.", "Fenn River", "1954"),
    ("Lake Orla covers 14 square kilometres and is fed by the Brenn.", "the Brenn", "Lake Orla"),
]


def write_qa(path: Path, question: str) -> None:
    rows = [
        {"context": c, "question": question.format(a), "answer": a}
        for c, *answers in PASSAGES
        for a in answers
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def make_qa_config(tmp_path: Path) -> Path:
    write_qa(tmp_path / "validation.jsonl", "Which words of the passage say {}?")
    write_qa(tmp_path / "test.jsonl", "What does the passage tell about {}?")
    config = tmp_path / "qa.yaml"
    config.write_text(
        "task: {name: town-qa, type: qa, domain: local history, example_noun: question}\n"
        "data:\n"
        "  validation: {path: validation.jsonl, columns: {label: answer}}\n"
        "  test: {path: test.jsonl, columns: {label: answer}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def qa_config(tmp_path: Path) -> Path:
    return make_qa_config(tmp_path)


def synthetic_qa(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic.jsonl"
    rows = [
        {"context": c, "question": f"Question {n} on {c.split()[k + 1]}, briefly?", "label": a}
        for n, (c, *answers) in enumerate(PASSAGES)
        for k, a in enumerate(answers)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_curate_qa_file_with_the_default_steps(tmp_path: Path, qa_config: Path) -> None:
    # was: "internal error ZeroDivisionError: float division by zero" (the confidence step
    # and the review queue trained a classifier over a QA task's zero class labels)
    data = synthetic_qa(tmp_path)
    proc = synthloop("curate", str(data), "--config", str(qa_config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kept = [json.loads(ln) for ln in (tmp_path / "synthetic.curated" / "dataset.jsonl").open()]
    assert len(kept) >= len(PASSAGES)  # near-duplicate questions may go
    assert all(r["label"] in r["context"] for r in kept)  # answers stay spans
    summary = json.loads((tmp_path / "synthetic.curated" / "summary.json").read_text())
    assert "confidence" not in json.dumps(summary["steps"])


def test_curate_drops_a_qa_record_with_a_blank_question(tmp_path: Path, qa_config: Path) -> None:
    # was: kept, its passage long enough for the length step, and trained on as a question
    data = synthetic_qa(tmp_path)
    rows = [json.loads(ln) for ln in data.open()]
    rows[2]["question"] = "  "
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    proc = synthloop("curate", str(data), "--config", str(qa_config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "synthetic.curated"
    kept = [json.loads(ln) for ln in (folder / "dataset.jsonl").open()]
    dropped = [json.loads(ln) for ln in (folder / "dropped.jsonl").open()]
    assert all(r["question"].strip() for r in kept)
    assert [(r["id"], r["reason"]) for r in dropped if r["dropped_by"] == "length"] == [
        ("row-2", "too_short")
    ]


def test_curate_qa_refuses_a_step_that_judges_class_labels(tmp_path: Path, qa_config: Path) -> None:
    data = synthetic_qa(tmp_path)
    proc = synthloop(
        "curate", str(data), "--config", str(qa_config), "--steps", "exact_dedup,confidence",
        cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, "curation step confidence judges class labels")
    assert not (tmp_path / "synthetic.curated").exists()


def test_qa_flagged_records_are_queued_and_the_review_page_serves(
    tmp_path: Path, qa_config: Path
) -> None:
    data = synthetic_qa(tmp_path)
    steps = "length(min_words=100,mode=flag)"  # flags every record
    proc = synthloop("curate", str(data), "--config", str(qa_config), "--steps", steps,
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "synthetic.curated"
    queue = [json.loads(ln) for ln in (folder / "review_queue.jsonl").open()]
    assert len(queue) == len(PASSAGES) * 2
    assert all(q["model_label"] is None and q["reasons"] for q in queue)
    server = ReviewServer(folder).start()
    try:
        with urllib.request.urlopen(server.url, timeout=10) as resp:
            page = resp.read().decode()
        assert resp.status == 200 and queue[0]["label"] in page
    finally:
        server.stop()


def test_review_of_a_qa_curation_with_nothing_flagged_says_how_to_queue(
    tmp_path: Path, qa_config: Path
) -> None:
    # was: "it kept none, or flagged none and --review-queue was 0", though curate kept
    # every record with the default --review-queue 50: a QA record gets no model opinion
    data = synthetic_qa(tmp_path)
    proc = synthloop("curate", str(data), "--config", str(qa_config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = synthloop("review", str(data), cwd=tmp_path)
    assert_one_line_error(proc, "the review queue in")
    assert "only records a step flagged are queued" in proc.stderr
    assert "mode=flag" in proc.stderr


def test_qa_run_config_curates_each_round_without_label_steps(
    tmp_path: Path, qa_config: Path
) -> None:
    text = qa_config.read_text()
    qa_config.write_text(text + "curate: {review_queue: 5}\n")
    steps = load_config(qa_config).curate.steps  # type: ignore[union-attr]
    assert "exact_dedup" in steps and "confidence" not in json.dumps(steps)
    qa_config.write_text(text + "curate: {steps: [exact_dedup, relabel]}\n")
    with pytest.raises(ConfigError, match="curation step relabel judges class labels"):
        load_config(qa_config)


def test_evaluate_qa_checks_answers_with_a_span_model(tmp_path: Path, qa_config: Path) -> None:
    # was: tfidf_lr, a classifier over the real answers: it never agrees with an answer that
    # no real record has, so its "label agreement" measured nothing; and no "(on real,
    # cross-validated: …)" ceiling beside it: the folds were stratified by answer, and with
    # every answer unique no split was possible; and "distance to real: label TV 0.000", a
    # perfect label mix, for answers that are no classes at all
    data = synthetic_qa(tmp_path)
    out = tmp_path / "scores.json"
    proc = synthloop("evaluate", str(data), "--config", str(qa_config), "--json", str(out),
                     "--no-embeddings", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    aux = json.loads(out.read_text())["evaluation"]["faithfulness"]["auxiliary_model"]
    assert aux["learner"] == "span_lr" and aux["trained_on_real"] == len(PASSAGES) * 2
    assert aux["real_cv_accuracy"]["n"] == len(PASSAGES) * 2
    assert "(on real, cross-validated: " in " ".join(proc.stdout.split())
    labels = json.loads(out.read_text())["evaluation"]["distance"]["labels"]
    assert labels["total_variation"] is None
    assert "distance to real: vocab Jaccard" in proc.stdout and "label TV" not in proc.stdout


@pytest.mark.parametrize("option", ["--also", "--learner", "--aux-learner"])
def test_evaluate_qa_refuses_a_classifier(tmp_path: Path, qa_config: Path, option: str) -> None:
    # was: embed_lr trained on QA and scored 0.0 exact match, as if the data were worthless
    data = synthetic_qa(tmp_path)
    proc = synthloop("evaluate", str(data), "--config", str(qa_config), option, "embed_lr",
                     "--no-embeddings", cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "learner 'embed_lr' does not fit a qa task; choose one of: span_lr")
