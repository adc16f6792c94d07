"""A run as a DatasetDict with provenance columns and a dataset card that records it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import datasets
import pytest
import yaml

import synthloop
from synthloop.core.errors import ConfigError, DataError
from synthloop.core.io import load_dataset_file
from synthloop.core.tasks import Task
from synthloop.hf import export_run, run_dataset_dict, task_from_dataset
from tests.conftest import FakeLLM
from tests.reviews import labelled_rows


def test_the_run_becomes_a_dataset_dict(finished_run: Path, task: Task) -> None:
    dd = run_dataset_dict(finished_run)
    assert list(dd) == ["train", "validation", "test"]
    assert (len(dd["validation"]), len(dd["test"])) == (20, 30)
    assert dd["train"].features["label"].names == ["positive", "negative"]
    written = load_dataset_file(finished_run / "dataset.jsonl", task)
    train = dd["train"]
    assert train["id"] == [r.id for r in written]
    assert train["text"] == [r.inputs["text"] for r in written]
    assert [train.features["label"].int2str(x) for x in train["label"]] == [
        r.label for r in written
    ]
    assert train["method"] == [r.method for r in written]
    assert train["parent_id"] == [r.parent_id for r in written]
    assert [json.loads(x) for x in train["extra"]] == [r.extra for r in written]
    assert set(dd["test"]["method"]) == {"real"}


def test_the_exported_folder_loads_back_with_its_card(finished_run: Path) -> None:
    folder = export_run(finished_run, finished_run.parent / "export", repo_id="me/reviews")
    back = datasets.load_dataset(str(folder))
    assert {name: len(ds) for name, ds in back.items()} == {
        name: len(ds) for name, ds in run_dataset_dict(finished_run).items()
    }
    card = (folder / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    metrics = json.loads((finished_run / "metrics.json").read_text())
    sl = meta["synthloop"]
    assert sl["task"]["labels"] == {"positive": "the customer was happy",
                                    "negative": "the customer was unhappy"}  # fmt: skip
    # what one example is, as the task says it (was: only in the body's prose)
    assert sl["task"]["example_noun"] == "restaurant review"
    assert sl["llm"]["model"] == metrics["model"] == "fake-1"
    assert sl["method"] == ["extrapolate", "s3-seed"]
    # one extrapolation round after the seed round, as s3.rounds counts them
    assert sl["s3"]["rounds"] == 1 and sl["rounds"] == 1 == len(metrics["rounds"]) - 1
    assert sl["kept_round"] == metrics["kept_round"] == 1
    assert sl["evaluation"]["test_accuracy"] == metrics["rounds"][-1]["test"]["accuracy"]
    assert "text-classification" in meta["task_categories"]
    # the body shows every round's test accuracy and held-out scores, as the run measured them
    for r in metrics["rounds"]:
        assert f"{100 * r['test']['accuracy']:.1f}" in card
        assert f"{100 * r['heldout_with_real']['accuracy']:.1f}" in card
    assert "held-out acc %" in card and "val acc % (mined)" in card
    # ... and the final model chosen on held-out data, with real alone beside it
    final = metrics["final_model"]
    said = f"Final model, chosen on held-out real data: **{final['choice']}**: held-out accuracy"
    assert said in card
    assert f"test {100 * final['test']['accuracy']:.1f} %" in card
    # ... and what the LLM was paid for, in words, not a Python dict
    usage = metrics["usage"]
    assert "{'" not in card
    assert f"LLM usage: {usage['calls']:,} paid calls, {usage['prompt_tokens']:,} prompt" in card


def test_the_card_scores_the_kept_round_not_the_last(finished_run: Path) -> None:
    # the train split holds rounds 0..kept_round; the card's test figure was the last round's
    path = finished_run / "metrics.json"
    metrics = json.loads(path.read_text())
    metrics["kept_round"] = 0
    metrics["rounds"][0]["test"]["accuracy"] = 0.123
    path.write_text(json.dumps(metrics))
    folder = export_run(finished_run, finished_run.parent / "export")
    sl = yaml.safe_load((folder / "README.md").read_text().split("---")[1])["synthloop"]
    assert sl["kept_round"] == 0 and sl["rounds"] == 1
    assert sl["evaluation"]["test_accuracy"] == 0.123


def test_the_card_of_a_run_dir_of_real_records_claims_no_llm_nor_s3(finished_run: Path) -> None:
    # a run dir assembled by hand (config.yaml + the user's own records) was described as S3
    # output written by the config's LLM, with its seed size and rounds
    real = (finished_run.parent / "validation.jsonl").read_text()
    (finished_run / "dataset.jsonl").write_text(real)
    (finished_run / "metrics.json").unlink()
    folder = export_run(finished_run, finished_run.parent / "export")
    card = (folder / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["synthloop"]["llm"] is None and meta["synthloop"]["s3"] is None
    assert "synthetic" not in meta["tags"] and "s3" not in meta["tags"]
    assert "Synthesis Step by Step" not in card and "fake" not in card
    assert "none of it was written by an LLM" in card
    assert "| train | 20 | real (brought by the user) |" in card
    assert "No round metrics were recorded" in card and "*mined*" not in card


def test_the_card_of_a_zerogen_run_describes_zerogen(finished_run: Path) -> None:
    path = finished_run / "dataset.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps({**r, "method": "zerogen"}) + "\n" for r in rows))
    card = (export_run(finished_run, finished_run.parent / "export") / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["synthloop"]["method"] == ["zerogen"] and meta["synthloop"]["s3"] is None
    assert "ZeroGen: the LLM writes examples" in card and "Synthesis Step by Step" not in card
    assert "synthetic" in meta["tags"] and "s3" not in meta["tags"]


def test_exporting_onto_a_file_is_one_line_and_leaves_the_file(finished_run: Path) -> None:
    # was: NotADirectoryError with a traceback, from mkdir of FILE/data
    target = finished_run.parent / "notes.txt"
    target.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notes.txt is a file, not a folder") as info:
        export_run(finished_run, target)
    assert "\n" not in info.value.one_line()
    assert target.read_text(encoding="utf-8") == "my notes\n"
    # a file where its data/ folder goes, likewise
    folder = finished_run.parent / "export"
    folder.mkdir()
    (folder / "data").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data is a file, not a folder"):
        export_run(finished_run, folder)
    assert (folder / "data").read_text(encoding="utf-8") == "x"


def test_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a finished synthloop run"):
        run_dataset_dict(tmp_path)


@pytest.fixture
def qa_run(tmp_path: Path) -> Path:
    """A real S3 run directory of an extractive QA task, made with the scripted fake LLM."""
    import asyncio

    from synthloop.run.config import load_config
    from synthloop.run.s3 import run_s3
    from tests.conftest import FakeLLM
    from tests.task_fakes import QA_DEMO, qa_answer

    config = tmp_path / "qa.yaml"
    config.write_text(
        "task: {name: demo-qa, type: qa, domain: local history, example_noun: question}\n"
        f"data:\n  validation: {{path: {QA_DEMO}/validation.jsonl, columns: {{label: answer}}}}\n"
        f"  test: {{path: {QA_DEMO}/test.jsonl, columns: {{label: answer}}}}\n"
        "s3: {seed_size: 8, rounds: 1, max_errors_per_round: 4}\n"
    )
    out = tmp_path / "run"
    asyncio.run(
        run_s3(load_config(config), out, show_progress=False, backend=lambda _c: FakeLLM(qa_answer))
    )
    return out


def test_a_qa_run_keeps_its_answers_as_text_and_its_card_says_question_answering(
    qa_run: Path,
) -> None:
    dd = run_dataset_dict(qa_run)
    train = dd["train"]
    assert train.features["label"] == datasets.Value("string")  # answers, not a ClassLabel
    written = [json.loads(line) for line in (qa_run / "dataset.jsonl").read_text().splitlines()]
    assert train["label"] == [r["label"] for r in written] and all(train["label"])
    folder = export_run(qa_run, qa_run.parent / "export")
    card = (folder / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["task_categories"] == ["question-answering"]
    assert meta["synthloop"]["task"]["example_noun"] == "question"
    last = json.loads((qa_run / "metrics.json").read_text())["rounds"][-1]["test"]
    assert meta["synthloop"]["evaluation"]["test_exact_match"] == last["exact_match"]
    assert "test exact match %" in card and f"{100 * last['f1']:.1f}" in card
    assert "free text, not a class" in card


def test_the_card_names_the_small_model_a_run_without_learner_trained(finished_run: Path) -> None:
    # the config leaves `learner` out, so each round trained the task type's default;
    # the card said "a small model (`None`)" and `learner: null`
    assert "learner" not in (finished_run.parent / "run.yaml").read_text()
    folder = export_run(finished_run, finished_run.parent / "export")
    card = (folder / "README.md").read_text()
    sl = yaml.safe_load(card.split("---")[1])["synthloop"]
    assert sl["learner"] == "tfidf_lr"
    assert "a small model (`tfidf_lr`) is trained" in card
    assert "`None`" not in card


def test_a_run_of_a_config_built_in_python_exports_from_anywhere(
    tmp_path: Path, real_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a RunConfig built in Python holds paths relative to the working directory; the run's
    # config.yaml kept them relative, so reading the run back (run_dataset_dict, export,
    # push, evaluate) looked for the data inside the run directory: "data file not found"
    monkeypatch.chdir(tmp_path)
    task = task_from_dataset(
        datasets.Dataset.from_list(labelled_rows(4)),
        name="reviews",
        domain="restaurant reviews",
        descriptions={"positive": "the customer was happy", "negative": "the customer was unhappy"},
    )
    config = synthloop.RunConfig(
        task=task,
        data={"validation": {"path": "validation.jsonl"}, "test": {"path": "test.jsonl"}},
        s3={"seed_size": 6, "rationale_calls_per_label": 1, "rounds": 1, "max_errors_per_round": 3},
    )
    asyncio.run(synthloop.run_s3(config, "run", show_progress=False, backend=lambda _c: FakeLLM()))
    monkeypatch.chdir(tmp_path / "run")
    dd = run_dataset_dict(".")
    assert (len(dd["validation"]), len(dd["test"])) == (20, 30)
    assert synthloop.load_config("config.yaml").data.validation.path == str(
        real_files["validation"].resolve()
    )


def test_the_card_records_the_s3_settings_the_run_config_holds(finished_run: Path) -> None:
    # the card's s3 block listed errors_per_round and error_below, settings of instruction
    # data that a run config refuses and its config.yaml leaves out
    folder = export_run(finished_run, finished_run.parent / "export")
    sl = yaml.safe_load((folder / "README.md").read_text().split("---")[1])["synthloop"]
    written = yaml.safe_load((finished_run / "config.yaml").read_text())["s3"]
    assert sl["s3"] == written
    assert "errors_per_round" not in sl["s3"] and "error_below" not in sl["s3"]
