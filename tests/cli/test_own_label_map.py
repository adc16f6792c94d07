"""A user's own file with raw label values (0/1 for negative/positive), curated or evaluated
through ``--label-map``, as a config's data spec reads them through ``label_map``."""

import csv
import json
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.reviews import labelled_rows

MAP = "0=negative,1=positive"


def raw_file(path: Path, n: int = 24, start: int = 100) -> Path:
    """The task's rows with labels 1 (positive) and 0 (negative): text in a CSV; in JSONL
    numbers, and the text "1" in every fourth row, which must read alike."""
    rows = [
        {"text": r["text"], "label": int(r["label"] == "positive")} for r in labelled_rows(n, start)
    ]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=["text", "label"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        for i, row in enumerate(rows):
            if i % 4 == 0:
                row["label"] = str(row["label"])
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _labels(path: Path) -> list[str]:
    return [json.loads(line)["label"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("name", ["mine.csv", "mine.jsonl"])
def test_curate_own_file_with_raw_labels(tmp_path: Path, run_config: Path, name: str) -> None:
    # was: "mine.csv: row 1 has label '1', which is not one of the task's labels"
    data = raw_file(tmp_path / name)
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--steps", "length",
                     "--label-map", MAP, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    expected = [r["label"] for r in labelled_rows(24, 100)]
    assert _labels(tmp_path / "mine.curated" / "dataset.jsonl") == expected


def test_evaluate_own_file_and_test_file_with_raw_labels(tmp_path: Path, run_config: Path) -> None:
    # was: "--test mine_test.jsonl: row 1 has label 1 ...; map it with label_map", which a
    # file given on the command line had no way to do
    data = raw_file(tmp_path / "mine.csv")
    test = raw_file(tmp_path / "mine_test.jsonl", n=30, start=300)
    out = tmp_path / "scores.json"
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--no-embeddings",
                     "--test", str(test), "--label-map", MAP, "--json", str(out),
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["evaluation"]["sizes"]["test"] == 30
    # the synthetic file already in the task's labels reads as it is beside a mapped test
    proc = synthloop("evaluate", "test.jsonl", "--config", "run.yaml", "--no-embeddings",
                     "--test", str(test), "--label-map", MAP, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("label_map", "expected"),
    [
        ("0=negative", "row 1 has label '1', which --label-map does not map"),
        ("0=negative,1=postive", "--label-map '0=negative,1=postive': 'postive' is not one of"),
        ("0=negative,1", "--label-map '0=negative,1': '1' is not RAW=LABEL"),
        # was: the last of the two silently won
        (
            "0=negative,1=positive,0=positive",
            "--label-map '0=negative,1=positive,0=positive': "
            "'0' is given twice ('negative' and 'positive')",
        ),
    ],
)
def test_a_bad_label_map_is_one_line(
    tmp_path: Path, run_config: Path, label_map: str, expected: str
) -> None:
    data = raw_file(tmp_path / "mine.csv")
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--label-map", label_map,
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, expected)
    assert not (tmp_path / "mine.curated").exists()


def test_evaluate_a_test_value_the_map_leaves_out(tmp_path: Path, run_config: Path) -> None:
    test = raw_file(tmp_path / "mine_test.jsonl")
    proc = synthloop("evaluate", "test.jsonl", "--config", "run.yaml", "--test", str(test),
                     "--label-map", "0=negative", cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "row 1 has label '1', which is not one of the task's labels")
    assert "--label-map" in proc.stderr


def test_generate_from_a_file_with_raw_labels(tmp_path: Path, run_config: Path) -> None:
    # was: "mine.csv: row 1 has label '1' ...; map it with label_map" (no way to from here)
    data = raw_file(tmp_path / "mine.csv")
    args = ("generate", "run.yaml", "--method", "extrapolate", "-n", "3", "--estimate")
    proc = synthloop(*args, "--from", str(data), "--label-map", MAP, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "estimate: 3 calls" in proc.stdout
    proc = synthloop(*args, "--label-map", MAP, cwd=tmp_path)  # a map of nothing: said
    assert_one_line_error(proc, "maps the labels of --from FILE, and no --from was given")


def test_own_file_takes_the_configs_label_map_as_its_columns(
    tmp_path: Path, run_config: Path
) -> None:
    # was: a file of the user's took the config's columns where it had no column of a field,
    # and not its label_map: "row 1 has label '1', which is not one of the task's labels"
    run_config.write_text(
        run_config.read_text().replace(
            "{path: validation.jsonl}",
            '{path: validation.jsonl, label_map: {"0": negative, "1": positive}}',
        )
    )
    data = raw_file(tmp_path / "mine.csv")
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _labels(tmp_path / "mine.curated" / "dataset.jsonl") == [
        r["label"] for r in labelled_rows(24, 100)
    ]
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--no-embeddings",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # --label-map maps over it, key by key; a value neither maps is named with the config
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--steps", "length",
                     "--label-map", "1=negative", "-o", "swapped", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert set(_labels(tmp_path / "swapped" / "dataset.jsonl")) == {"negative"}
    (tmp_path / "two.csv").write_text("text,label\nfine,2\n")
    proc = synthloop("curate", "two.csv", "--config", "run.yaml", cwd=tmp_path)
    assert_one_line_error(proc, "has label '2', which the config's label_map does not map")
