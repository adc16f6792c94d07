"""Bad input found by a sweep of every command: each is refused in one `error:` line with
a non-zero exit, and what an earlier run wrote stays as it was."""

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

import synthloop as synthloop_pkg
from synthloop.core.io import DataSpec, read_rows
from tests.cli.test_cli import (
    assert_a_rerun_keeps_the_earlier_output,
    assert_one_line_error,
    synthloop,
)
from tests.cli.test_curate import make_run_dir
from tests.cli.test_qa import make_qa_config, synthetic_qa

SEEDS = [
    {"instruction": "Write a haiku about rain.", "input": "", "output": "Rain on the roof."},
    {"instruction": "Name three fruits.", "input": "", "output": "Apple, pear, plum."},
]


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".synthloop.lock"
    }


def instruct_config(tmp_path: Path) -> Path:
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(s) + "\n" for s in SEEDS))
    config = tmp_path / "instruct.yaml"
    config.write_text(
        "task: {name: helper, type: instruction, domain: writing, example_noun: task}\n"
        "seeds: seeds.jsonl\n"
        "llm: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', max_retries: 0, "
        "unreachable_timeout: 0.5}\n"
    )
    return config


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--rounds", "-1", "'--rounds'"), ("--seed-size", "0", "'--seed-size'")],
)
def test_s3_option_out_of_range(
    tmp_path: Path, run_config: Path, option: str, value: str, expected: str
) -> None:
    # was: "internal error ValidationError: 1 validation error for RunConfig" over 4 lines
    proc = synthloop("s3", str(run_config), option, value, "--out", "run", cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert proc.returncode == 2
    assert not (tmp_path / "run").exists()


def test_s3_given_a_folder_for_its_config(tmp_path: Path, run_config: Path) -> None:
    # was: "run config file not found" for a folder that is there
    run = make_run_dir(tmp_path, run_config)
    before = checksums(run)
    proc = synthloop("s3", str(run), "--out", str(run), cwd=tmp_path)
    assert_one_line_error(proc, "is a folder, not a file")
    assert str(run / "config.yaml") in proc.stderr  # the file it likely meant
    assert checksums(run) == before


def test_curate_negative_review_queue(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0, and a queue of all records but one (a negative slice)
    run = make_run_dir(tmp_path, run_config)
    (run / "curated").mkdir()
    (run / "curated" / "dataset.jsonl").write_text('{"precious": true}\n')
    before = checksums(run)
    proc = synthloop("curate", str(run), "--steps", "exact_dedup", "--review-queue", "-1",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "'--review-queue'")
    assert checksums(run) == before


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_review_port_out_of_range(tmp_path: Path, port: str) -> None:
    # was: "internal error OverflowError: bind(): port must be 0-65535."
    (tmp_path / "review_queue.jsonl").write_text("")
    proc = synthloop("review", str(tmp_path), "--port", port, cwd=tmp_path)
    assert_one_line_error(proc, "'--port'")


@pytest.mark.parametrize("value", ["2", "0", "-0.5"])
def test_self_instruct_rouge_threshold_out_of_range(tmp_path: Path, value: str) -> None:
    # was: accepted as given (the config's own 0 < threshold <= 1 was skipped), then run;
    # and 0 was named as the config's field rouge_threshold, not the option given
    config = instruct_config(tmp_path)
    (tmp_path / "instructions.jsonl").write_text("precious\n")
    proc = synthloop("self-instruct", str(config), "--rouge-threshold", value, cwd=tmp_path)
    assert_one_line_error(proc, "'--rouge-threshold'")
    assert "0<x<=1" in proc.stderr
    assert "cannot reach" not in proc.stderr  # refused before any call
    assert (tmp_path / "instructions.jsonl").read_text() == "precious\n"


@pytest.mark.parametrize(
    ("method", "n", "calls"), [("dialogue", "6", 4), ("rationale-example", "5", 4)]
)
def test_generate_says_which_calls_make_no_whole_example(
    tmp_path: Path, run_config: Path, method: str, n: str, calls: int
) -> None:
    # was: silent; -n 6 made one dialogue of 4 turns, and the estimate's "4 calls" was
    # the only sign that 2 of the calls asked for were not made
    proc = synthloop("generate", str(run_config), "--method", method, "-n", n, "--estimate",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"estimate: {calls} calls" in proc.stdout
    assert f"warning: {method}: n={n} leaves {int(n) - calls} call(s) unused" in proc.stderr


@pytest.mark.parametrize(
    ("method", "n", "per"), [("dialogue", "3", 4), ("rationale-example", "1", 2)]
)
def test_generate_too_few_calls_for_one_example(
    tmp_path: Path, run_config: Path, method: str, n: str, per: int
) -> None:
    # was: "0 calls", exit 0, and an empty dataset written over the earlier output
    out = tmp_path / "generated.jsonl"
    out.write_text('{"precious": true}\n')
    proc = synthloop("generate", str(run_config), "--method", method, "-n", n, cwd=tmp_path)
    assert_one_line_error(proc, f"{method} needs {per} calls per example, so n={n} makes none")
    assert out.read_text() == '{"precious": true}\n'


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"extra": "{not json"}, "row 1: extra is not valid JSON"),
        ({"extra": [1, 2]}, "row 1: extra is not a JSON object"),
        ({"round": "abc"}, "row 1: round 'abc' is not a whole number"),
        ({"round": 2.7}, "row 1: round 2.7 is not a whole number"),  # was read as round 2
    ],
)
def test_a_dataset_row_with_bad_provenance(
    tmp_path: Path, run_config: Path, row: dict, expected: str
) -> None:
    # was: "internal error JSONDecodeError" / "internal error ValueError: invalid literal..."
    run = make_run_dir(tmp_path, run_config)
    # a row of synthloop's, with all its provenance (a user's own round is theirs to fill)
    ours = dict.fromkeys(("method", "round", "parent_id", "model", "prompt_hash"))
    (run / "dataset.jsonl").write_text(
        json.dumps({"id": "a", "text": "fine food", "label": "positive", **ours, **row}) + "\n"
    )
    before = checksums(run)
    assert_one_line_error(synthloop("curate", str(run), "--steps", "length", cwd=tmp_path),
                          expected)  # fmt: skip
    assert_one_line_error(synthloop("evaluate", str(run), cwd=tmp_path), expected)
    assert checksums(run) == before


def test_a_label_map_to_no_task_label_says_so(tmp_path: Path, run_config: Path) -> None:
    # was: "has label 'positive', which is not one of the task's labels (positive, negative)"
    run_config.write_text(
        run_config.read_text().replace(
            "{path: validation.jsonl}", "{path: validation.jsonl, label_map: {positive: good}}"
        )
    )
    proc = synthloop("s3", str(run_config), "--out", "run", cwd=tmp_path)
    assert_one_line_error(proc, "has label 'positive' (label_map makes it 'good'), which is not")


def test_evaluate_a_path_that_does_not_exist(tmp_path: Path) -> None:
    # was: "evaluate needs --config (or a run directory holding config.yaml)"
    proc = synthloop("evaluate", "runs/typo", cwd=tmp_path)
    assert_one_line_error(proc, "no such run directory or dataset file: runs/typo")


def test_evaluate_json_onto_the_runs_own_evaluation(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0, RUN/evaluation.json replaced by the --json scores, which report then
    # failed on ("internal error KeyError: 'diversity'")
    run = make_run_dir(tmp_path, run_config)
    (run / "evaluation.json").write_text('{"precious": true}\n')
    before = checksums(run)
    target = str(run / "evaluation.json")
    proc = synthloop("evaluate", str(run), "--no-embeddings", "--json", target, cwd=tmp_path)
    assert_one_line_error(proc, "run/evaluation.json as two of its outputs")
    assert checksums(run) == before


def test_report_on_an_evaluation_json_of_another_shape(tmp_path: Path, run_config: Path) -> None:
    # was: "internal error KeyError: 'diversity'"
    run = make_run_dir(tmp_path, run_config)
    (run / "evaluation.json").write_text('{"accuracy": 0.9}\n')
    (run / "report.html").write_text("<p>precious</p>\n")
    before = checksums(run)
    proc = synthloop("report", str(run), cwd=tmp_path)
    assert_one_line_error(proc, "evaluation.json: not an evaluation `synthloop evaluate` writes")
    assert checksums(run) == before


QUEUED = {"id": "a", "inputs": {"text": "fine food"}, "label": "positive",
          "model_label": "negative", "model_confidence": 0.6, "label_confidence": 0.4,
          "reasons": [], "method": "zerogen"}  # fmt: skip


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("garbage\n", "review_queue.jsonl:1: not valid JSON"),
        ('{"id": "a", "label": "positive"}\n', "review_queue.jsonl: record 1: not a queued record"),
    ],
)
def test_review_a_damaged_queue(tmp_path: Path, queue: str, expected: str) -> None:
    # was: "internal error JSONDecodeError" / "internal error KeyError: 'model_label'"
    (tmp_path / "review_queue.jsonl").write_text(queue)
    proc = synthloop("review", str(tmp_path), cwd=tmp_path)
    assert_one_line_error(proc, expected)


def test_review_and_curate_with_a_damaged_review_store(tmp_path: Path, run_config: Path) -> None:
    # was: "internal error DatabaseError: file is not a database"
    run = make_run_dir(tmp_path, run_config)
    curated = run / "curated"
    curated.mkdir()
    (curated / "review_queue.jsonl").write_text(json.dumps(QUEUED) + "\n")
    (curated / "review.sqlite").write_text("not a database\n")
    (curated / "dataset.jsonl").write_text('{"precious": true}\n')
    (curated / "summary.json").write_text('{"steps": [], "kept": 1}\n')  # an earlier curation's
    before = checksums(run)
    expected = "run/curated/review.sqlite: file is not a database"
    assert_one_line_error(synthloop("review", str(run), cwd=tmp_path), expected)
    proc = synthloop("curate", str(run), "--steps", "length", cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert checksums(run) == before


def test_demo_never_writes_over_other_data_in_its_run_directory(tmp_path: Path) -> None:
    # was: run/demo-data/validation.jsonl replaced by the demo's, then "run holds a run with
    # a different config"
    run = tmp_path / "run"
    (run / "demo-data").mkdir(parents=True)
    (run / "config.yaml").write_text("task: task.yaml\n")
    (run / "demo-data" / "validation.jsonl").write_text('{"text": "mine", "label": "positive"}\n')
    before = checksums(run)
    proc = synthloop("demo", "--out", "run", cwd=tmp_path)
    assert_one_line_error(proc, "validation.jsonl is not the demo's own validation.jsonl")
    assert checksums(run) == before


def test_demo_out_onto_a_file(tmp_path: Path) -> None:
    # was: "error: File exists: notes.txt"
    (tmp_path / "notes.txt").write_text("precious\n")
    proc = synthloop("demo", "--out", "notes.txt", cwd=tmp_path)
    assert_one_line_error(proc, "notes.txt is a file, not a folder")
    assert (tmp_path / "notes.txt").read_text() == "precious\n"


@pytest.mark.parametrize("where", ["config", "environment"])
def test_a_base_url_that_is_no_url_is_refused_before_any_call(
    tmp_path: Path, run_config: Path, where: str
) -> None:
    # was: read as a server that cannot be reached, with the hint to wait for it
    llm = "{backend: openai, model: m, max_retries: 0, unreachable_timeout: 0.5"
    env = {}
    if where == "config":
        llm += ", base_url: 'localhost 8000'}"
    else:
        llm += "}"
        env["SYNTHLOOP_BASE_URL"] = "localhost:8000"  # no scheme: not an http(s) URL
    run_config.write_text(run_config.read_text().replace("llm: {max_tokens: 40}", "llm: " + llm))
    proc = synthloop("s3", str(run_config), "--out", "run", cwd=tmp_path, env=env)
    assert_one_line_error(proc, "is not an http(s) URL")
    assert proc.returncode == 2


def test_generate_refuses_examples_its_method_would_ignore(
    tmp_path: Path, run_config: Path
) -> None:
    # was: zerogen ran (and paid) as if --from had not been given
    examples = tmp_path / "errors.jsonl"
    examples.write_text('{"text": "The soup was cold.", "label": "negative"}\n')
    proc = synthloop("generate", str(run_config), "--method", "zerogen", "-n", "2",
                     "--from", str(examples), "-o", "out.jsonl", cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "zerogen takes no --from FILE")
    assert proc.returncode == 2
    assert not (tmp_path / "out.jsonl").exists()


def star_ratings(tmp_path: Path, label_map: str) -> Path:
    """A task whose labels are numbers, as a user writes them in YAML: unquoted."""
    (tmp_path / "task.yaml").write_text(
        "name: stars\ndomain: apps\nlabels:\n  1: the user hated the app\n"
        "  5: the user loved the app\n"
    )
    rows = [("great app", "good"), ("awful", "bad"), ("love it", "good"), ("hate it", "bad")]
    lines = "".join(json.dumps({"text": t, "label": raw}) + "\n" for t, raw in rows)
    (tmp_path / "validation.jsonl").write_text(lines)
    config = tmp_path / "run.yaml"
    spec = f"{{path: validation.jsonl, label_map: {label_map}}}"
    config.write_text(f"task: task.yaml\ndata:\n  validation: {spec}\n")
    return config


def test_label_names_yaml_reads_as_numbers(tmp_path: Path) -> None:
    # was: "labels.1.[key]: Input should be a valid string" for `1: the user hated the app`
    config = star_ratings(tmp_path, "{good: 5, bad: 1}")
    proc = synthloop("s3", str(config), "--estimate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "estimate:" in proc.stdout


def test_label_names_yaml_reads_as_booleans(tmp_path: Path) -> None:
    # was: "label_map.1.[key]: Input should be a valid string" for a `yes:` the user wrote
    config = star_ratings(tmp_path, "{yes: 5, no: 1}")
    proc = synthloop("s3", str(config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "label_map")
    assert "quote it" in proc.stderr


def test_a_train_split_in_the_data_section(tmp_path: Path, run_config: Path) -> None:
    # was: "data.train: Extra inputs are not permitted", and no word of where it goes
    text = run_config.read_text().replace("data:\n", "data:\n  train: {path: test.jsonl}\n")
    run_config.write_text(text)
    proc = synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "data.train: synthloop writes the training data")
    assert "put your labelled training examples in validation" in proc.stderr


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ("[text, text]", "task.yaml: inputs: 'text' is named twice; each input field needs"),
        ("[label, text]", "task.yaml: inputs: 'label' is the label's field"),
    ],
)
def test_a_task_naming_an_input_twice(
    tmp_path: Path, run_config: Path, inputs: str, expected: str
) -> None:
    # was "(top level): Value error, a classification task has exactly one input field"
    task = tmp_path / "task.yaml"
    task.write_text(task.read_text().replace("inputs: [text]", f"inputs: {inputs}"))
    assert inputs in task.read_text()
    proc = synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert "Value error" not in proc.stderr


@pytest.mark.parametrize("also", [",,", "", " , "])
def test_evaluate_also_naming_no_learner(tmp_path: Path, run_config: Path, also: str) -> None:
    # was: exit 0, the default learner scored alone as if --also were not given
    run = make_run_dir(tmp_path, run_config)
    before = checksums(run)
    proc = synthloop("evaluate", str(run), "--no-embeddings", "--also", also, cwd=tmp_path)
    assert_one_line_error(proc, f"--also {also!r} names no learner")
    assert "e.g. --also embed_lr,minilm_ft" in proc.stderr
    assert checksums(run) == before


def test_evaluate_given_the_curated_folder(tmp_path: Path, run_config: Path) -> None:
    # was: "run config file not found: run/curated/config.yaml", for the folder curate wrote
    run = make_run_dir(tmp_path, run_config)
    assert synthloop("curate", str(run), "--steps", "exact_dedup", cwd=tmp_path).returncode == 0
    proc = synthloop("evaluate", "run/curated", cwd=tmp_path)
    assert_one_line_error(proc, "run/curated holds no config.yaml: it is not a run directory")
    assert f"--config {run.resolve() / 'config.yaml'}" in proc.stderr


def estimate_with_validation_csv(
    tmp_path: Path, run_config: Path, csv: str
) -> subprocess.CompletedProcess[str]:
    """`s3 --estimate` (no LLM call) with the validation split read from ``csv``, a CSV text."""
    (tmp_path / "validation.csv").write_text(csv)
    run_config.write_text(run_config.read_text().replace("validation.jsonl", "validation.csv"))
    return synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)


def test_a_csv_row_with_more_fields_than_its_header(tmp_path: Path, run_config: Path) -> None:
    # was: accepted, the text cut at its unquoted comma ("I lost my card, please help"
    # read as "I lost my card")
    csv = "label,text\npositive,lovely food\nnegative,cold food, rude staff\n"
    proc = estimate_with_validation_csv(tmp_path, run_config, csv)
    assert_one_line_error(proc, "validation.csv:3: 3 fields where the header has 2")
    assert "' rude staff'" in proc.stderr and "must be quoted" in proc.stderr


def test_a_csv_row_with_fewer_fields_than_its_header(tmp_path: Path, run_config: Path) -> None:
    # was: "'label' is null" (or a blank text), naming neither the line nor a missing field
    csv = "text,label\nlovely food,positive\ncold soup\n"
    proc = estimate_with_validation_csv(tmp_path, run_config, csv)
    assert_one_line_error(proc, "validation.csv:3: 1 field where the header has 2 (no 'label')")
    assert "a value for every column" in proc.stderr


def test_a_csv_whose_header_names_a_column_twice(tmp_path: Path, run_config: Path) -> None:
    # was: accepted, each row's last 'label' read and the first lost: a file with the gold
    # label first and a model's guess second was read as the guess, silently
    csv = "text,label,label\nlovely food,positive,negative\ncold soup,negative,positive\n"
    proc = estimate_with_validation_csv(tmp_path, run_config, csv)
    assert_one_line_error(proc, "validation.csv:1: the header names 'label' twice")


def test_a_csv_with_a_trailing_comma_on_each_row_is_read(tmp_path: Path) -> None:
    # spreadsheet exports end rows with an empty field no header names: nothing is cut
    path = tmp_path / "v.csv"
    path.write_text("label,text\npositive,lovely food,\nnegative,cold soup,,\n")
    rows = list(read_rows(DataSpec(path=str(path))))
    assert [(r["label"], r["text"]) for r in rows] == [
        ("positive", "lovely food"),
        ("negative", "cold soup"),
    ]


def test_evaluate_a_qa_dataset_whose_answer_is_not_in_its_context(tmp_path: Path) -> None:
    # was: scored as it was (loading real QA data refuses such a record; a dataset file did not)
    qa_config = make_qa_config(tmp_path)
    rows = [json.loads(ln) for ln in synthetic_qa(tmp_path).read_text().splitlines()]
    rows[2]["label"] = "a span that is not there"
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "scores.json"
    proc = synthloop("evaluate", str(data), "--config", str(qa_config), "--json", str(out),
                     "--no-embeddings", cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "mine.jsonl: row 3: the answer 'a span that is not there' is not")
    assert not out.exists()


def test_curate_a_dataset_with_a_null_text(tmp_path: Path, run_config: Path) -> None:
    # was: the null was curated as the text "None"
    data = tmp_path / "mine.jsonl"
    rows = [
        {"text": "Fine food and kind staff.", "label": "positive"},
        {"text": None, "label": "negative"},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = synthloop("curate", str(data), "--config", str(run_config), "--steps", "exact_dedup",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "mine.jsonl: row 2: 'text' is null")
    assert not (tmp_path / "mine.curated").exists()


def estimate_conditional(
    tmp_path: Path, run_config: Path, generation: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """`generate --method conditional -n 4 --estimate` (no LLM call) with ``args``, under the
    run config with ``generation``, a YAML line of its generation section, added."""
    run_config.write_text(run_config.read_text() + generation)
    return synthloop("generate", str(run_config), "--method", "conditional", "-n", "4", *args,
                     "--estimate", cwd=tmp_path)  # fmt: skip


def test_generate_with_an_empty_condition_value(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0, and prompts with "region: " and nothing after it
    generation = "generation: {conditions: {scopes: {region: [Europe, '']}}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation)
    assert_one_line_error(proc, "condition scope 'region' has an empty value")


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("region: ", "condition scope 'region' has no values: list them ([a, b])"),
        ("region: north", "condition scope 'region' is 'north', not values: list them ([a, b])"),
    ],
)
def test_generate_with_a_condition_scope_that_is_not_values(
    tmp_path: Path, run_config: Path, scope: str, expected: str
) -> None:
    # was: pydantic's two union messages ("Input should be a valid list; Input should be a
    # valid dictionary") over the scope's path, saying neither which form it takes
    generation = f"generation:\n  conditions:\n    scopes: {{{scope}}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation)
    assert_one_line_error(proc, expected)
    assert "or weigh them ({a: 2, b: 1})" in proc.stderr
    assert "valid dictionary" not in proc.stderr


def test_generate_with_a_concept_tree_file_naming_no_topic(
    tmp_path: Path, run_config: Path
) -> None:
    # was: exit 0, and every prompt asked for the topic " > slasher films"
    (tmp_path / "tree.yaml").write_text('news:\n  "": [slasher films]\n')
    generation = "generation: {concept_tree: {file: tree.yaml}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation)
    assert_one_line_error(proc, "concept tree: news has a topic with no name")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("{k: 11}", "k is 11, but the pool has fewer records of labels 'positive' (10), 'neg"),
        ("{k: 21, same_label: false}", "k is 21, but the pool has fewer records (20 records)"),
    ],
)
def test_generate_with_more_demonstrations_than_the_pool_holds_says_so(
    tmp_path: Path, run_config: Path, section: str, expected: str
) -> None:
    # was: silent, every prompt showing fewer demonstrations than k asked for; a rare label
    # with few real examples is normal, so the run goes on and the user is told
    generation = f"generation: {{demonstrations: {section}}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation)
    assert proc.returncode == 0, proc.stderr
    assert f"warning: generation.demonstrations.{expected}" in " ".join(proc.stderr.split())


def test_generate_with_a_concept_tree_file_that_is_a_folder(
    tmp_path: Path, run_config: Path
) -> None:
    # was: the tree's LLM calls paid for, then "error: Is a directory: .../.trees.1a2b.tmp"
    # (a temporary file that is not there)
    (tmp_path / "trees").mkdir()
    generation = "generation: {concept_tree: {file: trees, depth: 1}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation)
    assert_one_line_error(proc, f"cannot write the output {tmp_path / 'trees'}: it is a folder")


def test_generate_onto_the_saved_concept_tree(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0, and the records written over the (hand-edited) tree file it had read
    tree = tmp_path / "tree.yaml"
    tree.write_text("news:\n  sports: [tennis]\n")
    generation = "generation: {concept_tree: {file: tree.yaml}}\n"
    proc = estimate_conditional(tmp_path, run_config, generation, "-o", "tree.yaml")
    assert_one_line_error(proc, f"generate would write tree.yaml over its own input {tree}")
    assert tree.read_text() == "news:\n  sports: [tennis]\n"


@pytest.mark.parametrize(("name", "suffix"), [("gen.csv", ".csv"), ("gen", "a file with no")])
def test_generate_to_an_output_it_cannot_write_as_named(
    tmp_path: Path, run_config: Path, name: str, suffix: str
) -> None:
    # was: exit 0, and JSONL written into gen.csv (which evaluate then read as CSV)
    proc = synthloop("generate", str(run_config), "-n", "4", "-o", name, "--estimate",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, f"generate writes .jsonl or .parquet, not {suffix}")


@pytest.mark.parametrize(
    ("method", "section", "expected"),
    [
        ("rationale-example", "{rounds: 2}", "rationale-example ignores generation.rounds (2): "
         "only conditional generates in dataset-wise rounds"),
        ("dialogue", "{rounds: 3, demonstrations: {k: 1}}", "dialogue ignores generation.rounds "
         "(3): only conditional generates in dataset-wise rounds; and "
         "generation.demonstrations: its turns show none"),
    ],
)  # fmt: skip
def test_generate_says_which_generation_settings_its_method_ignores(
    tmp_path: Path, run_config: Path, method: str, section: str, expected: str
) -> None:
    # was: silent, one round and no demonstrations though the config asked for them
    run_config.write_text(run_config.read_text() + f"generation: {section}\n")

    def warnings(method: str) -> list[str]:
        proc = synthloop("generate", str(run_config), "--method", method, "-n", "4",
                         "--estimate", cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: ")]

    assert warnings(method) == [f"warning: {expected}"]
    assert warnings("conditional") == []  # it honours both


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("rationale-example", "rationale-example ignores generation.template (my_step): its "
         "prompts are its own steps' (sample_rationale, then s3_seed)"),
        ("dialogue", "dialogue ignores generation.template (my_step): its prompts are its own "
         "steps' (dialogue_user and dialogue_assistant)"),
    ],
)  # fmt: skip
def test_generate_says_its_method_ignores_the_generation_template(
    tmp_path: Path, run_config: Path, method: str, expected: str
) -> None:
    # was: silent, the user's template never rendered
    own = tmp_path / "templates"
    own.mkdir()
    zerogen = Path(synthloop_pkg.__file__).parent / "tasktypes/classification/templates"
    (own / "my_step.chat.j2").write_text((zerogen / "zerogen.chat.j2").read_text())
    run_config.write_text(
        run_config.read_text() + "templates_dir: templates\ngeneration: {template: my_step}\n"
    )

    def warnings(method: str) -> list[str]:
        proc = synthloop("generate", str(run_config), "--method", method, "-n", "4",
                         "--estimate", cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: ")]

    assert warnings(method) == [f"warning: {expected}"]
    assert warnings("conditional") == []  # it renders it


@pytest.mark.parametrize("command", ["s3", "generate"])
def test_a_self_instruct_config_given_to_a_run_command(tmp_path: Path, command: str) -> None:
    # was: "data: Field required; seeds: Extra inputs are not permitted; self_instruct: ...",
    # for the README's instruct.yaml, with no word of the command that runs it
    config = instruct_config(tmp_path)
    proc = synthloop(command, str(config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "instruct.yaml is a Self-Instruct config (seeds:)")
    assert "synthloop self-instruct CONFIG" in proc.stderr


def test_s3_on_an_instruction_task_points_to_self_instruct(tmp_path: Path) -> None:
    # was: "a instruction task has no small model to train"
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(s) + "\n" for s in SEEDS))
    config = tmp_path / "run.yaml"
    config.write_text(
        "task: {name: helper, type: instruction, domain: writing}\n"
        "data: {validation: {path: seeds.jsonl, columns: {label: output}}}\n"
    )
    proc = synthloop("s3", str(config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "an instruction task has no small model to train")
    assert "synthloop self-instruct CONFIG --rounds N" in proc.stderr


def test_generate_keeping_nothing_fails_and_keeps_an_earlier_output(
    tmp_path: Path, run_config: Path
) -> None:
    # was: exit 0, "0 records from 4 calls", and an empty OUT written over the records of
    # an earlier run (rationale-example on a QA task kept none of 8 answers of SmolLM2-135M)
    from tests.llm.fault_server import FaultServer

    with FaultServer(answer=lambda _: "I'm sorry, but I can't write that.") as server:
        with run_config.open("a") as f:
            f.write(f"llm: {{backend: openai, model: m, base_url: '{server.base_url}'}}\n")
        text = run_config.read_text().replace("llm: {max_tokens: 40}\n", "")
        run_config.write_text(text)
        out = tmp_path / "zg.jsonl"
        args = ("generate", run_config.name, "-n", "4", "-o", out.name, "-q")
        proc = synthloop(*args, cwd=tmp_path)
        expected = "generate --method zerogen kept no records from 4 calls (dropped: refusal 4)"
        assert_one_line_error(proc, expected)
        stats = out.with_suffix(".stats.json")
        assert json.loads(stats.read_text())["dropped"] == {"refusal": 4}
        assert not out.exists()  # no empty dataset
        assert_a_rerun_keeps_the_earlier_output(args, out, tmp_path, expected)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("placeholder(skip_types=[qa)", "--steps placeholder: cannot read skip_types='[qa'"),
        ("length(min_words={)", "--steps length: cannot read min_words='{'"),
        ("length(min_words=1,min_words=2)", "--steps length: min_words is given twice"),
    ],
)
def test_curate_steps_option_with_a_value_it_cannot_read(
    tmp_path: Path, run_config: Path, steps: str, expected: str
) -> None:
    # was: "internal error ScannerError" over 4 lines; a key given twice: the last one, silently
    run = make_run_dir(tmp_path, run_config)
    before = checksums(run)
    proc = synthloop("curate", str(run), "--steps", steps, cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert checksums(run) == before


def test_curate_steps_option_takes_a_list_of_two(tmp_path: Path, run_config: Path) -> None:
    # was: the list split at its comma, "[instruction" read as broken YAML: an internal error
    run = make_run_dir(tmp_path, run_config)
    proc = synthloop("curate", str(run), "--steps", "placeholder(skip_types=[instruction,qa])",
                     cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((run / "curated" / "summary.json").read_text())
    assert summary["steps"][0]["placeholder"]["skip_types"] == ["instruction", "qa"]


def test_s3_out_onto_a_folder_of_data_that_is_no_run(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0 after the user's own data/dataset.jsonl was written over by the run's
    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset.jsonl").write_text('{"precious": true}\n')
    before = checksums(data)
    proc = synthloop("s3", str(run_config), "--out", "data", cwd=tmp_path)
    assert_one_line_error(proc, "data is not a synthloop run (no config.yaml) and holds dataset")
    assert "--force" in proc.stderr
    assert checksums(data) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["evaluate", "run", "--no-embeddings", "--json", "notes.jsonl"],
         "cannot write the output notes.jsonl: evaluate --json writes .json, not .jsonl"),
        (["report", "run", "--no-evaluate", "-o", "notes.jsonl"],
         "cannot write the output notes.jsonl: report writes .html or .htm, not .jsonl"),
    ],
)  # fmt: skip
def test_evaluate_and_report_onto_a_file_of_another_kind(
    tmp_path: Path, run_config: Path, args: list[str], expected: str
) -> None:
    # was: exit 0, the user's notes.jsonl replaced by the scores' JSON or the report's HTML
    make_run_dir(tmp_path, run_config)
    (tmp_path / "notes.jsonl").write_text('{"precious": true}\n')
    proc = synthloop(*args, cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert (tmp_path / "notes.jsonl").read_text() == '{"precious": true}\n'


def test_self_instruct_onto_a_file_of_another_kind(tmp_path: Path) -> None:
    # was: the instructions' JSONL written over the user's notes.yaml (after the LLM calls)
    config = instruct_config(tmp_path)
    (tmp_path / "notes.yaml").write_text("precious\n")
    proc = synthloop("self-instruct", str(config), "-o", "notes.yaml", cwd=tmp_path)
    assert_one_line_error(
        proc, "cannot write the output notes.yaml: self-instruct writes .jsonl or .parquet"
    )
    assert "cannot reach" not in proc.stderr  # refused before any call
    assert (tmp_path / "notes.yaml").read_text() == "precious\n"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("notes.txt", "model notes.txt is not a GGUF file (it begins b'prec', not b'GGUF')"),
        ("models", "model models is a folder, not a GGUF file"),
    ],
)
def test_an_embedded_model_that_is_no_gguf_file(
    tmp_path: Path, run_config: Path, model: str, expected: str
) -> None:
    # was: llama.cpp's log, then "llama.cpp could not convert notes.txt to q8_0"; and a
    # folder was "model file not found"
    (tmp_path / "notes.txt").write_text("precious\n")
    (tmp_path / "models").mkdir()
    run_config.write_text(run_config.read_text().replace("{max_tokens: 40}", f"{{model: {model}}}"))
    proc = synthloop("generate", str(run_config), "-n", "1", "-o", "g.jsonl", cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert (tmp_path / "notes.txt").read_text() == "precious\n"


def test_curate_out_onto_a_folder_that_no_curation_wrote(tmp_path: Path, run_config: Path) -> None:
    # was: exit 0, the user's mine/dataset.jsonl replaced by the curated records
    make_run_dir(tmp_path, run_config)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "dataset.jsonl").write_text('{"precious": true}\n')
    before = checksums(mine)
    proc = synthloop("curate", "run", "--steps", "exact_dedup", "-o", "mine", cwd=tmp_path)
    assert_one_line_error(proc, "mine is not the output of a curation")
    assert "holds dataset.jsonl" in proc.stderr
    assert checksums(mine) == before
    # a folder curate wrote is curated into again
    for _ in range(2):
        proc = synthloop("curate", "run", "--steps", "exact_dedup", "-o", "cur", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr


def test_a_data_path_that_is_a_folder_of_files(tmp_path: Path, run_config: Path) -> None:
    # was: "cannot load Hugging Face dataset 'data': Directory data is neither a `Dataset`
    # directory nor a `DatasetDict` directory." for a folder of the user's data files
    (tmp_path / "data").mkdir()
    (tmp_path / "validation.jsonl").rename(tmp_path / "data" / "validation.jsonl")
    run_config.write_text(run_config.read_text().replace("validation.jsonl", "data"))
    proc = synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "data is a folder, not a data file")
    assert "give one of its files as the path: validation.jsonl" in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["s3", "run.yaml", "--seed", "-1", "--estimate"], "'--seed'"),
        (["s3", "run.yaml", "--seed", "4294967296", "--estimate"], "'--seed'"),
        (["s3", "seed.yaml", "--estimate"], "seed.yaml: seed: Input should be greater than or"),
        (["evaluate", "run", "--seed", "-1", "--no-embeddings"], "'--seed'"),
    ],
)
def test_a_seed_outside_what_numpy_takes(
    tmp_path: Path, run_config: Path, args: list[str], expected: str
) -> None:
    # was: "internal error ValueError: Seed must be between 0 and 2**32 - 1"
    (tmp_path / "seed.yaml").write_text(run_config.read_text() + "seed: -1\n")
    make_run_dir(tmp_path, run_config)
    assert_one_line_error(synthloop(*args, cwd=tmp_path), expected)


def test_a_seed_of_true_is_no_seed(tmp_path: Path, run_config: Path) -> None:
    # was: read as seed 1 (YAML's true is a bool, which pydantic's lax int takes as 1)
    (tmp_path / "seed.yaml").write_text(run_config.read_text() + "seed: true\n")
    proc = synthloop("s3", "seed.yaml", "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, "seed: Input should be a valid integer, not true or false")


def test_ray_options_without_the_ray_runner(tmp_path: Path, run_config: Path) -> None:
    # was: ignored silently, the work done in this process (--endpoint: the LLM calls sent
    # to the config's one server, not the replicas named)
    run = make_run_dir(tmp_path, run_config)
    proc = synthloop("curate", str(run), "--steps", "exact_dedup", "--ray-address", "auto",
                     cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, "--ray-address is for --runner ray")
    assert not (run / "curated").exists()


@pytest.mark.parametrize(
    ("slip", "fixed", "expected"),
    [
        ("{path: test.jsonl", "{path: test.jsonl}",
         "run.yaml: malformed YAML at line 5, column 4: a ',' or the closing '}' is missing "
         "before this ':' (in the '{' opened at line 4, column 9)"),
        ("{max_tokens: 40 temperature: 0.5}", "{max_tokens: 40}",
         "run.yaml: malformed YAML at line 5, column 33: a ',' or the closing '}' is missing"),
        ("{path: test.jsonl}}", "{path: test.jsonl}",
         "run.yaml: malformed YAML at line 4, column 27: a '}' with no '{' open before it"),
        ("{path: test.jsonl,, limit: 5}", "{path: test.jsonl}",
         "run.yaml: malformed YAML at line 4, column 27: a ',' with no item before it"),
        ("{path: test.jsonl]", "{path: test.jsonl}",
         "run.yaml: malformed YAML at line 4, column 26: ']' closes the '{' opened at line 4"),
    ],
)  # fmt: skip
def test_a_flow_style_slip_in_the_run_config(
    tmp_path: Path, run_config: Path, slip: str, fixed: str, expected: str
) -> None:
    # was PyYAML's tokens: "expected ',' or '}', but got ':'", and for a bracket left open
    # a line below it
    text = run_config.read_text()
    assert fixed in text
    run_config.write_text(text.replace(fixed, slip, 1))
    proc = synthloop("s3", str(run_config), "--estimate", cwd=tmp_path)
    assert_one_line_error(proc, expected)
    assert proc.returncode == 2
