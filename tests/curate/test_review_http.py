"""The review page over plain HTTP (no browser): what a malformed request gets."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthloop.core.tasks import Task
from synthloop.curate import CurateContext, Pipeline, make_step
from synthloop.curate.webapp import ReviewServer
from tests.curate.conftest import noisy_records


@pytest.fixture
def server(tmp_path: Path, task: Task) -> Iterator[ReviewServer]:
    records, _ = noisy_records(n=40, flipped=4)
    steps = [make_step({"confidence": {"threshold": 0.3, "mode": "flag"}})]
    folder = (
        Pipeline(steps)
        .run(records, CurateContext(task=task), review_queue=6)
        .write(tmp_path / "curated")
    )
    srv = ReviewServer(folder).start()
    yield srv
    srv.stop()


def post(url: str, body: bytes) -> tuple[int, str]:
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_form_that_is_not_utf8_is_a_bad_request_not_a_crash(server: ReviewServer) -> None:
    url = f"http://127.0.0.1:{server.port}/decide?token={server.token}"
    assert post(url, b"id=\xff\xfe&action=keep") == (400, "bad request: the form is not UTF-8\n")
    assert post(url, b"id=nope&action=keep")[0] == 400  # and the page still serves
