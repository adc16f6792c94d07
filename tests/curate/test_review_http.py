"""The review page over plain HTTP (no browser): what a malformed request gets."""

from __future__ import annotations

import dataclasses
import json
import socket
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.curate import CurateContext, Pipeline, make_step
from synthloop.curate.pipeline import CurationResult, with_review
from synthloop.curate.webapp import ReviewServer
from tests.curate.conftest import noisy_records


def flagged_curation(records: list[Record], task: Task, tmp_path: Path) -> Path:
    """The folder of a curation that flags the records of low confidence, six queued for
    review."""
    steps = [make_step({"confidence": {"threshold": 0.3, "mode": "flag"}})]
    ctx = CurateContext(task=task)
    return Pipeline(steps).run(records, ctx, review_queue=6).write(tmp_path / "curated")


@pytest.fixture
def server(tmp_path: Path, task: Task) -> Iterator[ReviewServer]:
    records, _ = noisy_records(n=40, flipped=4)
    srv = ReviewServer(flagged_curation(records, task, tmp_path)).start()
    yield srv
    srv.stop()


def page_queue(folder: Path) -> dict[str, dict[str, Any]]:
    """The review queue the page of curation ``folder`` serves, by record id."""
    srv = ReviewServer(folder).start()
    try:
        url = f"http://127.0.0.1:{srv.port}/api/queue?token={srv.token}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            return {q["id"]: q for q in json.loads(resp.read())["items"]}
    finally:
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


def test_a_decision_is_not_applied_to_another_text_that_now_has_its_id(
    tmp_path: Path, task: Task
) -> None:
    # a file without ids names its records by row: once a row is removed, the decision a
    # person made about row-k was applied to the text that moved up into row-k
    records, _ = noisy_records(n=40, flipped=4)
    rows = [dataclasses.replace(r, id=f"row-{i}") for i, r in enumerate(records)]
    folder = flagged_curation(rows, task, tmp_path)
    srv = ReviewServer(folder).start()
    try:
        base = f"http://127.0.0.1:{srv.port}"
        with urllib.request.urlopen(f"{base}/api/queue?token={srv.token}", timeout=10) as resp:
            target = json.loads(resp.read())["items"][0]
        body = f"id={target['id']}&action=drop".encode()
        assert post(f"{base}/decide?token={srv.token}", body)[0] == 200  # after the redirect
    finally:
        srv.stop()
    k = int(target["id"].removeprefix("row-"))

    def curate_again(records: list[Record]) -> CurationResult:
        pipeline = with_review(Pipeline([make_step("length")]), folder)
        return pipeline.run(records, CurateContext(task=task), review_queue=1)

    same = curate_again(rows)
    assert target["id"] not in {r.id for r in same.kept}
    shifted = [dataclasses.replace(r, id=f"row-{i}") for i, r in enumerate(records[1:])]
    again = curate_again(shifted)
    # the text that is row-k now was never reviewed: kept; the dropped one, moved up a
    # row, is still dropped (the decision follows its text)
    moved = [r.id for r in shifted if r.inputs == target["inputs"]]
    assert len(moved) == 1 and len(again.kept) == len(shifted) - 1
    human = [(e.record_id, e.action, e.reason) for e in again.audit if e.step == "human_review"]
    assert human == [(moved[0], "drop", "person_dropped")]
    assert records[k].inputs == target["inputs"] != shifted[k].inputs
    # the text edited in place: the decision about it is set aside, the record asked again
    edited = [*rows]
    edited[k] = dataclasses.replace(rows[k], inputs={"text": "an edited review text"})
    again = curate_again(edited)
    human = [(e.record_id, e.action, e.reason) for e in again.audit if e.step == "human_review"]
    assert human == [(target["id"], "flag", "text_changed_since_review")]
    again.write(folder)  # queued again, and open on the page
    items = page_queue(folder)
    assert items[target["id"]]["inputs"] == {"text": "an edited review text"}
    assert items[target["id"]]["decision"] is None


def test_decisions_stored_before_their_text_was_kept_still_apply(
    tmp_path: Path, task: Task
) -> None:
    db = sqlite3.connect(tmp_path / "review.sqlite")
    db.execute(
        "CREATE TABLE decisions (record_id TEXT PRIMARY KEY, action TEXT NOT NULL,"
        " label TEXT, decided_at REAL NOT NULL)"
    )
    db.execute("INSERT INTO decisions VALUES ('r1', 'drop', NULL, 0)")
    db.commit()
    db.close()
    records, _ = noisy_records(n=10, flipped=0)
    result = with_review(Pipeline([make_step("length")]), tmp_path).run(
        records, CurateContext(task=task)
    )
    assert [r.id for r in result.kept] == [r.id for r in records if r.id != "r1"]


def test_the_url_answers_as_soon_as_it_is_known(tmp_path: Path, task: Task) -> None:
    # `synthloop review` prints the URL before uvicorn starts: a request was refused then
    records, _ = noisy_records(n=20, flipped=0)
    folder = (
        Pipeline([make_step("length")])
        .run(records, CurateContext(task=task))
        .write(tmp_path / "curated")
    )
    srv = ReviewServer(folder)
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=10).close()
    finally:
        srv.sock.close()


def test_a_users_record_is_shown_without_a_method(tmp_path: Path, task: Task) -> None:
    # a record of the user's own file has no method: the page said "r3 · None"
    records, _ = noisy_records(n=40, flipped=4)
    records = [dataclasses.replace(r, method=None) for r in records]
    srv = ReviewServer(flagged_curation(records, task, tmp_path)).start()
    try:
        with urllib.request.urlopen(srv.url, timeout=10) as resp:
            page = resp.read().decode()
    finally:
        srv.stop()
    assert "record 1 of" in page and "None" not in page


def test_a_drop_made_on_the_page_can_be_taken_back_there(tmp_path: Path, task: Task) -> None:
    # once curate applied a drop, the record left the curated set and so the queue: the
    # page could no longer show it, and only editing review.sqlite by hand undid it
    records, _ = noisy_records(n=40, flipped=4)
    ctx = CurateContext(task=task)

    def curate(folder: Path) -> CurationResult:
        result = with_review(Pipeline([make_step("length")]), folder).run(
            records, ctx, review_queue=3
        )
        result.write(folder)
        return result

    folder = tmp_path / "curated"
    curate(folder)

    def decide(body: str) -> dict[str, dict[str, object]]:
        srv = ReviewServer(folder).start()
        try:
            base = f"http://127.0.0.1:{srv.port}"
            if body:
                assert post(f"{base}/decide?token={srv.token}", body.encode())[0] == 200
            with urllib.request.urlopen(f"{base}/api/queue?token={srv.token}", timeout=10) as r:
                return {q["id"]: q for q in json.loads(r.read())["items"]}
        finally:
            srv.stop()

    target = next(iter(decide("")))
    decide(f"id={target}&action=drop")
    assert target not in {r.id for r in curate(folder).kept}
    items = decide("")
    assert items[target]["decision"]["action"] == "drop"  # type: ignore[index]
    decide(f"id={target}&action=keep")
    assert target in {r.id for r in curate(folder).kept}
