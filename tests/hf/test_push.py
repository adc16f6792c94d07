"""`synthloop push` against a local stand-in of the hub API: the files arrive."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from synthloop.core.errors import HubError
from synthloop.hf.push import push_run
from tests.cli.test_cli import assert_one_line_error, command
from tests.hf.fake_hub import fake_hub

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def synthloop(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=300, env=env)


# huggingface_hub reads TRANSFORMERS_OFFLINE as offline mode too (the embedder sets it).
OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN")


def online_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_VARS}
    return {**env, "NO_COLOR": "1", **extra}


def test_push_uploads_the_dataset_and_its_card(finished_run: Path) -> None:
    with fake_hub() as hub:
        proc = synthloop(
            "push", str(finished_run), "me/reviews-s3", "--endpoint", hub.url,
            env=online_env(HF_TOKEN=hub.token, PYTHONPATH=os.environ.get("PYTHONPATH", "")),
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert "me/reviews-s3" in proc.stdout and not hub.unknown
        files = hub.files["me/reviews-s3"]
    assert hub.repos["me/reviews-s3"]["type"] == "dataset"
    assert set(files) == {
        "README.md",
        "data/train-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet",
        "data/test-00000-of-00001.parquet",
    }
    train = pq.read_table(io.BytesIO(files["data/train-00000-of-00001.parquet"])).to_pylist()
    sent = [ln for ln in (finished_run / "dataset.jsonl").read_text().splitlines() if ln]
    assert len(train) == len(sent) > 0
    assert {"id", "text", "label", "method", "round", "parent_id", "prompt_hash"} <= set(train[0])
    card = files["README.md"].decode()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["synthloop"]["task"]["name"] == "reviews"
    assert meta["synthloop"]["rounds"] == 1  # extrapolation rounds, as s3.rounds counts them


def test_push_with_a_bad_token_is_one_line(finished_run: Path) -> None:
    with fake_hub() as hub:
        proc = synthloop(
            "push", str(finished_run), "me/x", "--endpoint", hub.url, "--token", "wrong",
            env=online_env(PYTHONPATH=os.environ.get("PYTHONPATH", "")),
        )  # fmt: skip
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "refused the upload" in errors[0], proc.stderr


def test_push_when_offline_or_unreachable(
    finished_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(HubError, match="offline mode"):
        push_run(finished_run, "me/x", endpoint="http://127.0.0.1:9", token="t")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with pytest.raises(HubError, match="cannot reach"):
        push_run(finished_run, "me/x", endpoint="http://127.0.0.1:9", token="t")


@pytest.mark.parametrize("repo_id", ["bad repo id!", "a/b/c", "me/x-"])
def test_push_to_a_malformed_repo_id_is_refused_before_any_request(
    finished_run: Path, repo_id: str
) -> None:
    # was: "internal error HFValidationError"; nothing listens at the endpoint, so a request
    # would say "cannot reach"
    proc = synthloop(
        "push", str(finished_run), repo_id, "--endpoint", "http://127.0.0.1:9", "--token", "t",
        env=online_env(PYTHONPATH=os.environ.get("PYTHONPATH", "")),
    )  # fmt: skip
    assert_one_line_error(proc, f"not a hub repo id: {repo_id!r}")


def test_push_of_something_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="not a finished synthloop run"):
        push_run(tmp_path, "me/x", endpoint="http://127.0.0.1:9", token="t")
