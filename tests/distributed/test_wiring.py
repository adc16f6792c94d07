"""`--runner ray` for curation, evaluation and the S3 loop: the commands compute near
duplicates, embeddings, confidence and scores on Ray Data, and write what the local runner
writes. The local path is made to fail during the Ray runs, so they cannot fall back on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from synthloop.cli import app
from synthloop.compute.local import LocalCompute
from synthloop.core.io import write_records
from synthloop.core.records import Record
from synthloop.run.config import load_config
from tests.conftest import TASK_YAML, labelled_rows, write_rows
from tests.curate.conftest import noisy_records
from tests.evaluate.runs import make_fake_run
from tests.llm.fault_server import FaultServer

pytestmark = pytest.mark.usefixtures("local_ray")

CURATED = ("dataset.jsonl", "dropped.jsonl", "audit.jsonl", "summary.json", "review_queue.jsonl")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def local_compute_refused() -> Iterator[None]:
    """Within the block, any use of the single-process path is an error."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the local compute path was used under --runner ray")

    with pytest.MonkeyPatch.context() as m:
        for name in ("near_duplicates", "embed", "cross_val_proba", "predict"):
            m.setattr(LocalCompute, name, refuse)
        yield


def curation_run(base: Path) -> Path:
    """A run directory whose dataset has exact and near copies, a leaked test example and
    mislabelled records, with real validation and test sets beside it."""
    write_rows(base / "validation.jsonl", labelled_rows(20))
    write_rows(base / "test.jsonl", labelled_rows(30))
    (base / "task.yaml").write_text(TASK_YAML, encoding="utf-8")
    (base / "run.yaml").write_text(
        "task: task.yaml\n"
        "data:\n  validation: {path: validation.jsonl}\n  test: {path: test.jsonl}\n",
        encoding="utf-8",
    )
    run = base / "run"
    run.mkdir()
    (run / "config.yaml").write_text(load_config(base / "run.yaml").to_yaml())
    records, _ = noisy_records(n=60, flipped=6)
    near = [
        Record(id=f"near{i}", inputs={"text": r.text("text") + " indeed"}, label=r.label)
        for i, r in enumerate(records[10:20])
    ]
    leak_text = labelled_rows(30)[25]["text"] + " honestly"  # in test only
    leak = Record(id="leak", inputs={"text": leak_text}, label="positive")
    write_records([*records, records[5], *near, leak], run / "dataset.jsonl")
    return run


STEPS = (
    "exact_dedup,minhash_dedup(threshold=0.6),"
    "confidence(mode=flag,threshold=0.4),relabel(min_confidence=0.7)"
)


def test_curate_on_ray_writes_the_local_result(tmp_path: Path) -> None:
    run = curation_run(tmp_path)
    with local_compute_refused():
        invoke("curate", str(run), "--steps", STEPS, "-o", str(tmp_path / "ray"), "-q",
               "--runner", "ray")  # fmt: skip
    invoke("curate", str(run), "--steps", STEPS, "-o", str(tmp_path / "local"), "-q")
    summary = json.loads((tmp_path / "local" / "summary.json").read_text())
    reasons = {row["reason"] for row in summary["by_step"]}
    # every step had work to do, so agreement below is not agreement on nothing
    assert {"duplicate", "near_duplicate", "leak:validation", "low_confidence"} <= reasons
    for name in CURATED:
        ray_text = (tmp_path / "ray" / name).read_text()
        assert ray_text == (tmp_path / "local" / name).read_text(), name


def flat(value: Any, path: str = "") -> dict[str, Any]:
    """Nested JSON as {"a.b.0": leaf}, without timings and file names."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if k not in ("seconds", "dataset")]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return {path: value}
    return {k: v for key, item in items for k, v in flat(item, f"{path}.{key}").items()}


def test_evaluate_on_ray_gives_the_local_scores(tmp_path: Path) -> None:
    curation_run(tmp_path)  # the real data and the run config
    run = make_fake_run(tmp_path / "run.yaml", tmp_path / "s3run")
    with local_compute_refused():
        invoke("evaluate", str(run), "--json", str(tmp_path / "ray.json"), "-q",
               "--runner", "ray")  # fmt: skip
    invoke("evaluate", str(run), "--json", str(tmp_path / "local.json"), "-q")
    on_ray = flat(json.loads((tmp_path / "ray.json").read_text()))
    local = flat(json.loads((tmp_path / "local.json").read_text()))
    assert local[".evaluation.diversity.synthetic.vendi_score"] > 1  # embedded
    assert local[".evaluation.indirect.tfidf_lr.n"] == 30  # scored
    assert on_ray.keys() == local.keys()
    # embeddings agree to float rounding, so the metrics built on them to 1e-4
    for key, value in local.items():
        if isinstance(value, float):
            assert on_ray[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
        else:
            assert on_ray[key] == value, key


def test_s3_on_ray_curates_and_scores_each_round_as_the_local_runner(tmp_path: Path) -> None:
    curation_run(tmp_path)
    with FaultServer() as server:
        config = tmp_path / "run.yaml"
        config.write_text(
            config.read_text()
            + f"llm: {{backend: openai, model: m, base_url: '{server.base_url}'}}\n"
            "s3: {seed_size: 24, rationale_calls_per_label: 1, rounds: 1,"
            " max_errors_per_round: 4}\n"
            "curate: {steps: [exact_dedup, {minhash_dedup: {threshold: 0.5}},"
            " {confidence: {mode: flag, threshold: 0.45}}], review_queue: 5}\n"
        )
        with local_compute_refused():
            invoke("s3", str(config), "-o", str(tmp_path / "ray"), "-q",
                   "--runner", "ray", "--ray-workers", "1")  # fmt: skip
        invoke("s3", str(config), "-o", str(tmp_path / "local"), "-q")
    curated = [f"round_{r}/curation/{f}" for r in (0, 1) for f in CURATED]
    for name in ("dataset.jsonl", *curated):
        ray_text = (tmp_path / "ray" / name).read_text()
        assert ray_text == (tmp_path / "local" / name).read_text(), name
    # curation had decisions to agree on: drops, and a queue ranked by CV confidence
    first = tmp_path / "local" / "round_0" / "curation"
    assert (first / "audit.jsonl").read_text().strip()
    assert len((first / "review_queue.jsonl").read_text().splitlines()) == 5
    rounds = [json.loads((tmp_path / d / "metrics.json").read_text())["rounds"]
              for d in ("ray", "local")]  # fmt: skip
    assert rounds[0] == rounds[1] and len(rounds[0]) == 2
