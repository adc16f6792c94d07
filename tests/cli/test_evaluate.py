"""``synthloop evaluate`` end to end on a run made by the FakeLLM (no LLM judge here: the
judge's path is covered with a scripted LLM in test_faithfulness and test_evaluation)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.evaluate.runs import fake_run_dir


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_run_dir(tmp_path_factory.mktemp("evalcli"))


def test_evaluate_run_dir_writes_json_and_prints_tables(run_dir: Path, tmp_path: Path) -> None:
    proc = synthloop(
        "evaluate", str(run_dir), "--json", str(tmp_path / "s.json"), "-q", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "small model on real test data" in proc.stdout and "Vendi score" in proc.stdout
    scores = json.loads((tmp_path / "s.json").read_text())
    # the keys the command always wrote stay at the top level
    rows = (run_dir / "dataset.jsonl").read_text().splitlines()
    assert scores["train_size"] == len(rows) and scores["n"] == 30
    assert 0 <= scores["accuracy"] <= 1 and 0 <= scores["macro_f1"] <= 1
    full = json.loads((run_dir / "evaluation.json").read_text())
    assert full == scores["evaluation"]
    assert set(full) >= {"diversity", "distance", "faithfulness", "indirect", "sizes"}
    assert full["diversity"]["real"]["vendi_score"] > 1
    assert full["indirect"]["tfidf_lr"]["confusion"]["labels"] == ["positive", "negative"]


def test_evaluate_a_file_with_validation_and_no_embeddings(run_dir: Path, tmp_path: Path) -> None:
    proc = synthloop(
        "evaluate",
        str(run_dir / "dataset.parquet"),
        "--config",
        str(run_dir / "config.yaml"),
        "--with-validation",
        "--no-embeddings",
        "--json",
        str(tmp_path / "s.json"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((tmp_path / "s.json").read_text())
    rows = (run_dir / "dataset.jsonl").read_text().splitlines()
    assert scores["train_size"] == len(rows) + 20
    assert "vendi_score" not in scores["evaluation"]["diversity"]["synthetic"]


def test_unknown_learner_fails_before_any_work(run_dir: Path) -> None:
    assert_one_line_error(
        synthloop("evaluate", str(run_dir), "--also", "bert-xxl", cwd=run_dir),
        "unknown learner 'bert-xxl'",
    )


def test_empty_dataset_is_a_clear_error(run_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert_one_line_error(
        synthloop("evaluate", str(empty), "--config", str(run_dir / "config.yaml"), cwd=tmp_path),
        "the dataset is empty",
    )


def test_a_skewed_set_is_also_scored_at_the_real_label_mix(run_dir: Path, tmp_path: Path) -> None:
    # 15 positive records to 1 negative; the run's validation set is half and half
    skewed = tmp_path / "skewed.jsonl"
    rows = [
        {"text": f"tasty food and kind service #{i}", "label": "positive"} for i in range(15)
    ] + [{"text": "cold food and a rude waiter", "label": "negative"}]
    skewed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = synthloop(
        "evaluate", str(skewed), "--config", str(run_dir / "config.yaml"), "--no-embeddings",
        "--json", str(tmp_path / "s.json"), "-q", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "at the real label mix" in proc.stdout
    matched = json.loads((tmp_path / "s.json").read_text())["label_mix_matched"]
    assert set(matched) == {"accuracy", "macro_f1", "n"} and matched["n"] == 30


def evaluate_the_run_and(
    run_dir: Path, tmp_path: Path, added: list[dict[str, str]]
) -> tuple[subprocess.CompletedProcess[str], int]:
    """`evaluate` of the run's records with ``added`` after them, under the run's config (no
    embeddings, the scores into s.json); and how many records the run holds."""
    rows = (run_dir / "dataset.jsonl").read_text().splitlines()
    mine = tmp_path / "mine.jsonl"
    mine.write_text("\n".join([*rows, *map(json.dumps, added)]) + "\n")
    config = str(run_dir / "config.yaml")
    proc = synthloop("evaluate", str(mine), "--config", config, "--no-embeddings",
                     "--json", str(tmp_path / "s.json"), cwd=tmp_path)  # fmt: skip
    return proc, len(rows)


def test_evaluate_warns_of_training_records_that_copy_the_test_set(
    run_dir: Path, tmp_path: Path
) -> None:
    # was: trained on them without a word, so the test scores were inflated
    import yaml

    test_file = Path(yaml.safe_load((run_dir / "config.yaml").read_text())["data"]["test"]["path"])
    tests = [json.loads(x) for x in test_file.read_text().splitlines()[:2]]
    copies = [
        {"id": f"copy-{i}", "text": t["text"].upper() + " !", "label": t["label"]}
        for i, t in enumerate(tests)
    ]
    proc, n = evaluate_the_run_and(run_dir, tmp_path, copies)
    assert proc.returncode == 0, proc.stderr
    expected = f"warning: 2 of {n + 2} training records are copies of test records"
    assert expected in " ".join(proc.stderr.split())
    assert json.loads((tmp_path / "s.json").read_text())["evaluation"]["copies_of_test"] == [
        "copy-0",
        "copy-1",
    ]
    config = str(run_dir / "config.yaml")
    clean = synthloop("evaluate", str(run_dir / "dataset.jsonl"), "--config", config,
                      "--no-embeddings", cwd=tmp_path)  # fmt: skip
    assert clean.returncode == 0 and "copies of test" not in clean.stderr


def test_evaluate_leaves_out_records_with_a_blank_text(run_dir: Path, tmp_path: Path) -> None:
    # was: trained on without a word, and a file of blank texts only failed with "internal
    # error ValueError: empty vocabulary"
    blanks = [
        {"id": f"blank-{i}", "text": t, "label": "positive"} for i, t in enumerate(["", "  \n"])
    ]
    proc, n = evaluate_the_run_and(run_dir, tmp_path, blanks)
    assert proc.returncode == 0, proc.stderr
    expected = (
        f"warning: 2 of {n + 2} records have a blank text (e.g. 'blank-0'): left out "
        "of training and the metrics; `synthloop curate` drops them (length)"
    )
    assert expected in proc.stderr.splitlines()
    assert json.loads((tmp_path / "s.json").read_text())["train_size"] == n
    only = tmp_path / "blank.jsonl"
    only.write_text("".join(json.dumps(b) + "\n" for b in blanks))
    config = str(run_dir / "config.yaml")
    assert_one_line_error(
        synthloop("evaluate", str(only), "--config", config, "--no-embeddings", cwd=tmp_path),
        f"{only}: every record has a blank text: nothing to train on",
    )


def test_evaluate_texts_without_a_word_is_a_one_line_error(run_dir: Path, tmp_path: Path) -> None:
    # was: "internal error ValueError: empty vocabulary" from tf-idf on texts of punctuation
    # and one-letter words, which are not blank and so reached the learner
    texts = ["!!! ???", "a b c", ":-) :-("]
    labels = ["positive", "negative"]
    rows = [json.dumps({"id": f"p-{i}", "text": texts[i % 3], "label": labels[i % 2]})
            for i in range(12)]  # fmt: skip
    junk = tmp_path / "junk.jsonl"
    junk.write_text("\n".join(rows) + "\n")
    config = str(run_dir / "config.yaml")
    assert_one_line_error(
        synthloop("evaluate", str(junk), "--config", config, "--no-embeddings", cwd=tmp_path),
        "none of the 12 training texts has a word of two or more letters",
    )


def test_evaluate_prints_the_pairwise_comparison_with_a_reference(
    run_dir: Path, tmp_path: Path
) -> None:
    # was: the pairwise result went only into --json and evaluation.json
    import yaml

    from tests.llm.fault_server import Faults, FaultServer

    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    rows = (run_dir / "dataset.jsonl").read_text().splitlines()
    reference = tmp_path / "reference.jsonl"
    reference.write_text("\n".join(rows[:4]) + "\n")
    with FaultServer(Faults()) as server:
        cfg["llm"] = {"backend": "openai", "model": "m", "base_url": server.base_url}
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump(cfg))
        proc = synthloop("evaluate", str(run_dir / "dataset.jsonl"), "--config", str(config),
                         "--reference", str(reference), "--pairs", "2", "--no-embeddings",
                         cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "pairwise against the reference (LLM judge, 2 pairs):" in out
    assert "win rate" in out


def test_results_are_written_even_when_stdout_is_closed(run_dir: Path, tmp_path: Path) -> None:
    # was: written after the tables were printed, so `synthloop evaluate … --json s.json | head`
    # exited 1 and wrote neither s.json nor RUN_DIR/evaluation.json
    import os
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "evaluation.json").unlink(missing_ok=True)
    read, write = os.pipe()
    os.close(read)  # a reader that has gone away, as `| head` does after its lines
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "synthloop.cli", "evaluate", str(copy), "--no-embeddings",
             "-q", "--json", str(tmp_path / "s.json")],
            cwd=tmp_path, stdout=write, stderr=subprocess.PIPE, text=True, timeout=300,
        )  # fmt: skip
    finally:
        os.close(write)
    assert "Traceback" not in proc.stderr
    assert json.loads((tmp_path / "s.json").read_text())["train_size"] > 0
    assert (copy / "evaluation.json").is_file()


def test_with_validation_is_recorded_and_reported_as_such(run_dir: Path, tmp_path: Path) -> None:
    # was: RUN_DIR/evaluation.json of `--with-validation` said nothing of it, so `synthloop
    # report` showed the synthetic + validation scores as "trained on the synthetic data"
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    proc = synthloop("evaluate", str(copy), "--with-validation", "--no-embeddings", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "dataset.jsonl + real validation: small model on real test data" in proc.stdout
    assert json.loads((copy / "evaluation.json").read_text())["with_validation"] is True
    proc = synthloop("report", str(copy), "--no-evaluate", "-o", str(tmp_path / "r.html"),
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "trained on the synthetic data plus the real validation set" in html
    proc = synthloop("evaluate", str(copy), "--no-embeddings", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "with_validation" not in json.loads((copy / "evaluation.json").read_text())
    assert "+ real validation" not in proc.stdout


def test_label_agreement_is_printed_beside_the_auxiliary_models_real_accuracy(
    run_dir: Path, tmp_path: Path
) -> None:
    # was: only the agreement, without the ceiling the README puts beside it
    config = str(run_dir / "config.yaml")
    proc = synthloop("evaluate", str(run_dir / "dataset.jsonl"), "--config", config,
                     "--no-embeddings", "-q", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "label agreement: auxiliary model" in out and "(on real, cross-validated:" in out


def test_a_judge_server_not_there_fails_before_any_work(run_dir: Path, tmp_path: Path) -> None:
    # was: the metrics computed, then the judge waited out llm.unreachable_timeout (600 s)
    import socket

    import yaml

    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    cfg["llm"].update(backend="openai", model="m", base_url=f"http://127.0.0.1:{port}/v1")
    config = tmp_path / "dead.yaml"
    config.write_text(yaml.safe_dump(cfg))
    run = shutil.copytree(run_dir, tmp_path / "run")
    (run / "evaluation.json").write_text('{"earlier": true}\n')
    proc = synthloop("evaluate", str(run), "--config", str(config), "--judge", "4",
                     "--no-embeddings", "-q", cwd=tmp_path, timeout=120)  # fmt: skip
    assert_one_line_error(proc, f"cannot reach http://127.0.0.1:{port}/v1 (Connection refused)")
    assert (run / "evaluation.json").read_text() == '{"earlier": true}\n'
