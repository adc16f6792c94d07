"""The review page end to end in a real browser: headless Chromium (Debian's package)
driven by Playwright. Load, relabel, reload shows the change, a restart keeps it, and a
wrong token is refused."""

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from synthloop.core.tasks import Task
from synthloop.curate import CurateContext, Pipeline, make_step, with_review
from synthloop.curate.review import ReviewStore
from synthloop.curate.webapp import ReviewServer
from tests.curate.conftest import noisy_records

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install-dev)"
)


@pytest.fixture
def curated(tmp_path: Path, task: Task) -> Path:
    records, _ = noisy_records(n=40, flipped=4)
    steps = [make_step({"confidence": {"threshold": 0.3, "mode": "flag"}})]
    result = Pipeline(steps).run(records, CurateContext(task=task), review_queue=6)
    return result.write(tmp_path / "curated")


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_review_page_in_chromium(curated: Path, task: Task, tmp_path: Path) -> None:
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    queue = [json.loads(x) for x in (curated / "review_queue.jsonl").read_text().splitlines()]
    first = queue[0]
    other = next(label for label in task.label_names if label != first["label"])
    server = ReviewServer(curated).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        base = server.url.split("?")[0]
        assert status(base) == 403
        assert status(base + "?token=wrong") == 403
        assert status(base + "api/queue?token=wrong") == 403
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            resp = page.goto(base + "?token=not-the-token")
            assert resp is not None and resp.status == 403
            assert "forbidden" in page.content()

            page.goto(server.url)
            assert page.locator("#record").get_attribute("data-id") == first["id"]
            assert page.locator("#label").inner_text() == first["label"]
            assert first["model_label"] in page.locator("#opinion").inner_text()
            # the confidence step flagged it: its reason says the model doubts the label, once
            assert page.locator("ul.reasons").inner_text() == first["reasons"][0]
            assert first["reasons"][0].startswith("confidence: low_confidence")
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)

            page.keyboard.press("1")  # relabel as the first other label, by key
            page.wait_for_url("**saved=*")
            assert page.locator("#record").get_attribute("data-id") == queue[1]["id"]
            page.locator("#drop").click()  # one click: drop the second record
            page.wait_for_url(f"**saved={queue[1]['id']}*")

            page.goto(f"{base}?token={server.token}&i=0")
            page.reload()
            assert "relabel → " + other in page.locator("#decision").inner_text()
            browser.close()
    finally:
        server.stop()

    # the decisions are on disk, survive a restart, and the curated dataset uses them
    store = ReviewStore(curated / "review.sqlite")
    decisions = store.decisions()
    store.close()
    assert decisions[first["id"]].action == "relabel" and decisions[first["id"]].label == other
    assert decisions[queue[1]["id"]].action == "drop"
    again = ReviewServer(curated).start()
    try:
        with urllib.request.urlopen(again.url + "&i=0", timeout=10) as resp:
            assert f"relabel → {other}" in resp.read().decode()
    finally:
        again.stop()
    records, _ = noisy_records(n=40, flipped=4)
    result = with_review(Pipeline([]), curated).run(records, CurateContext(task=task))
    by_id = {r.id: r for r in result.kept}
    assert by_id[first["id"]].label == other and queue[1]["id"] not in by_id
