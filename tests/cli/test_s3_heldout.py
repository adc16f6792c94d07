"""`synthloop s3` shows held-out scores beside the mined validation score, and its
metrics.json and report carry them and the final model chosen on held-out data."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synthloop.cli import app
from tests.conftest import FakeLLM, use_fake_llm
from tests.reviews import labelled_rows, write_rows


def run_s3_cli(tmp_path: Path, run_config: Path, s3_extra: str = "") -> tuple[str, dict]:
    config = run_config.read_text().replace(
        "max_errors_per_round: 3}", f"max_errors_per_round: 3, learners: [tfidf_lr]{s3_extra}}}"
    )
    run_config.write_text(config)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["s3", str(run_config), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    return res.output, json.loads((out / "metrics.json").read_text())


def test_round_table_and_metrics_carry_held_out_scores(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_llm(monkeypatch, FakeLLM())
    output, metrics = run_s3_cli(tmp_path, run_config)
    table = output.split("LLM:")[0]
    assert "…" not in table  # nothing cut off in an 80-column terminal
    lines = [line.split() for line in table.splitlines()]
    at = lines.index(["held-", "r+s", "r+s"])  # headers read top to bottom
    assert lines[at + 1] == ["val", "out", "val", "test", "test", "held-", "test"]
    assert lines[at + 2][4:7] == ["acc", "acc", "err"]  # val acc | held-out acc | errors
    assert "trust it" in " ".join(output.split())
    for r in metrics["rounds"]:
        for key in ("val", "heldout", "heldout_with_real", "test_with_real"):
            assert 0 <= r[key]["accuracy"] <= 1, key
        assert r["heldout"]["n"] == metrics["validation_size"]
    # round 0's synthetic data imitates no validation record: held-out is the same model
    first = metrics["rounds"][0]
    assert first["heldout"]["accuracy"] == first["val"]["accuracy"]
    final = metrics["final_model"]
    assert final["choice"].startswith("tfidf_lr(C=")
    assert final["heldout"]["accuracy"] >= final["heldout_real_alone"]["accuracy"]
    assert 0 <= final["test"]["accuracy"] <= 1
    assert metrics["kept_round"] == metrics["rounds"][-1]["round"]  # no patience: all kept
    res = CliRunner().invoke(app, ["report", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    html = next((tmp_path / "run").glob("*.html")).read_text()
    assert "held-out acc %" in html and "real+synth held-out %" in html


def test_the_held_out_strategy_runs_from_the_config(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_llm(monkeypatch, FakeLLM())
    _, metrics = run_s3_cli(tmp_path, run_config, ", strategy: heldout, patience: 1")
    for r in metrics["rounds"]:
        assert r["choice"].startswith("tfidf_lr") and "heldout_real_alone" in r
    kept = metrics["kept_round"]
    kept_records = (tmp_path / "run" / "dataset.jsonl").read_text().splitlines()
    assert len(kept_records) == metrics["dataset_size"] == metrics["rounds"][kept]["train_size"]


def test_a_label_too_rare_to_cross_fit_is_named(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: held-out columns of dashes, no final model and not a word why, under a table
    # that says to trust held-out
    use_fake_llm(monkeypatch, FakeLLM())
    rows = labelled_rows(20)
    rows = [r for r in rows if r["label"] == "positive"] + [rows[1]]  # one negative
    write_rows(tmp_path / "validation.jsonl", rows)
    output, metrics = run_s3_cli(tmp_path, run_config)
    assert all(r["heldout"] is None for r in metrics["rounds"])
    assert metrics["final_model"] is None
    assert "'negative' has 1" in metrics["no_heldout"]
    said = " ".join(output.split())
    assert "no held-out scores: cannot cross-fit 11 real records" in said
    assert "'negative' has 1" in said


def test_a_label_with_no_validation_records_is_warned_of(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: the run went ahead in silence; its rounds never find that label's errors and
    # held-out never scores it
    use_fake_llm(monkeypatch, FakeLLM())
    positives = [r for r in labelled_rows(20) if r["label"] == "positive"]
    write_rows(tmp_path / "validation.jsonl", positives)
    output, _ = run_s3_cli(tmp_path, run_config)
    said = " ".join(output.split())
    assert "warning: 1 of 2 labels have no validation records ('negative')" in said
    assert "validation.jsonl" in said


def test_the_llm_line_says_paid_calls_apart_from_cached_ones(
    tmp_path: Path, run_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was "LLM: 18 calls (8 from cache)" for 18 paid and 8 cached: read as 8 of the 18
    use_fake_llm(monkeypatch, FakeLLM())
    first, metrics = run_s3_cli(tmp_path, run_config)
    paid = metrics["usage"]["calls"]
    assert f"LLM: {paid} paid calls, 0 from cache," in " ".join(first.split())
    res = CliRunner().invoke(app, ["s3", str(run_config), "--out", str(tmp_path / "run"), "-q"])
    assert res.exit_code == 0, res.output
    assert f"LLM: 0 paid calls, {paid} from cache," in " ".join(res.output.split())
