"""A user's own file, curated or evaluated, read through a column mapping as the config's
validation and test splits are (``columns: {text: utterance, label: intent}``)."""

import csv
import json
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, synthloop
from tests.reviews import labelled_rows


def own_csv(path: Path, start: int = 100) -> Path:
    """A user's CSV: utterance,intent and a column of their own."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["utterance", "intent", "source"])
        for i, row in enumerate(labelled_rows(24, start)):
            writer.writerow([row["text"], row["label"], f"ann-{i}"])
    return path


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_curate_own_file_with_columns_option(tmp_path: Path, run_config: Path) -> None:
    # was: "mine.csv: row 1 has no column 'text' (columns: utterance, intent, source)"
    data = own_csv(tmp_path / "mine.csv")
    args = ("curate", str(data), "--task", "task.yaml", "--steps", "length")
    proc = synthloop(*args, "--columns", "text=utterance,label=intent", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _jsonl(tmp_path / "mine.curated" / "dataset.jsonl")
    assert len(rows) == 24
    # the dataset curate writes uses the task's field names, the user's other columns kept
    assert rows[0]["label"] in ("positive", "negative") and rows[0]["source"] == "ann-0"
    assert "utterance" not in rows[0] and "intent" not in rows[0]


def test_curate_and_evaluate_own_file_take_the_configs_mapping(
    tmp_path: Path, run_config: Path
) -> None:
    # the user's real splits are in their own column names too, mapped in the config
    for split in ("validation", "test"):
        rows = _jsonl(tmp_path / f"{split}.jsonl")
        (tmp_path / f"{split}.jsonl").write_text(
            "".join(json.dumps({"utterance": r["text"], "intent": r["label"]}) + "\n" for r in rows)
        )
    mapped = "columns: {text: utterance, label: intent}"
    run_config.write_text(
        run_config.read_text()
        .replace("{path: validation.jsonl}", "{path: validation.jsonl, " + mapped + "}")
        .replace("{path: test.jsonl}", "{path: test.jsonl, " + mapped + "}")
    )
    data = own_csv(tmp_path / "mine.csv")
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--steps", "length",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(_jsonl(tmp_path / "mine.curated" / "dataset.jsonl")) == 24
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--no-embeddings",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "small model on real test data" in proc.stdout


def test_evaluate_own_file_with_columns_option(tmp_path: Path, run_config: Path) -> None:
    data = own_csv(tmp_path / "mine.csv")
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--no-embeddings",
                     "--columns", "label=intent, text=utterance", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "small model on real test data" in proc.stdout


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ("text=utterance,label=intnet", "row 1 has no column 'intnet' for the task's 'label'"),
        ("txt=utterance,label=intent", "columns: 'txt' is not a field of the task"),
        ("text=utterance,label", "--columns 'text=utterance,label': 'label' is not FIELD=COLUMN"),
        ("text=intent,label=intent", "columns maps two of the task's fields to 'intent'"),
        # was: the last of the two silently won
        ("text=source,label=intent,text=utterance", "'text' is given twice ('source' and"),
    ],
)
def test_a_bad_column_mapping_is_one_line(
    tmp_path: Path, run_config: Path, columns: str, expected: str
) -> None:
    data = own_csv(tmp_path / "mine.csv")
    proc = synthloop("curate", str(data), "--config", "run.yaml", "--columns", columns,
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, expected)
    assert not (tmp_path / "mine.curated").exists()


def test_evaluate_a_mapping_naming_a_missing_column(tmp_path: Path, run_config: Path) -> None:
    data = own_csv(tmp_path / "mine.csv")
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--columns",
                     "text=utterance,label=intnet", cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "row 1 has no column 'intnet' for the task's 'label'")


def test_columns_map_the_files_of_evaluates_and_generates_options(
    tmp_path: Path, run_config: Path
) -> None:
    # was: "mine_test.csv: row 1 has no column 'text' ... map it: columns: {text: COLUMN}
    # in a config's data spec": --columns mapped FILE alone, a test file in the user's
    # names had no way to be read
    test = own_csv(tmp_path / "mine_test.csv", start=300)
    mapped = ("--columns", "text=utterance,label=intent")
    # a synthetic FILE in the task's names beside it reads as it is
    proc = synthloop("evaluate", "validation.jsonl", "--config", "run.yaml", "--no-embeddings",
                     "--test", str(test), *mapped, "--json", "s.json", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "s.json").read_text())["evaluation"]["sizes"]["test"] == 24
    # and so does the config's test file, given with --test beside a FILE of the user's
    data = own_csv(tmp_path / "mine.csv")
    proc = synthloop("evaluate", str(data), "--config", "run.yaml", "--no-embeddings",
                     "--test", "test.jsonl", "--real", str(test), *mapped,
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    args = ("generate", "run.yaml", "--method", "extrapolate", "-n", "3", "--estimate")
    proc = synthloop(*args, "--from", str(test), *mapped, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "estimate: 3 calls" in proc.stdout
    proc = synthloop(*args, *mapped, cwd=tmp_path)  # a map of nothing: said
    assert_one_line_error(proc, "maps the columns of --from FILE, and no --from was given")
    proc = synthloop(*args, "--from", str(test), "--columns", "text=utterance,label=intnet",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "row 1 has no column 'intnet' for the task's 'label'")
    assert "--columns label=COLUMN" in proc.stderr


def test_a_mapped_column_a_file_lacks_is_said_when_its_own_name_is_read(
    tmp_path: Path, run_config: Path
) -> None:
    # validation.jsonl has "text" and "label": a typo in --columns reads those, and says so
    proc = synthloop("evaluate", "validation.jsonl", "--config", "run.yaml", "--no-embeddings",
                     "--columns", "label=intnet", "--json", "s.json", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (
        "warning: validation.jsonl has no column 'intnet' (--columns label=intnet): read 'label'"
        in proc.stderr
    )
