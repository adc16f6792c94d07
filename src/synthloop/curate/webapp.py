"""The review page: a local web app (Starlette, served by uvicorn on 127.0.0.1 only).

Every request must carry the random token from the URL ``synthloop review`` prints
(``?token=...``); anything else gets 403. The page works with plain HTML forms (one click
per decision); a few lines of inline script add keys: k keep, d drop, 1-9 relabel,
arrows to move. Nothing is loaded from outside (no CDN); the content security policy
forbids it. Each decision is written to ``review.sqlite`` before the page moves on.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from synthloop.core.errors import DataError
from synthloop.core.io import read_jsonl
from synthloop.curate.review import (
    CHOICES,
    QUEUE_FILE,
    STORE_FILE,
    ReviewStore,
    match_decisions,
)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("synthloop", "curate/templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


#: what the page shows of each queued record (`synthloop curate` writes them all)
QUEUE_KEYS = (
    "id",
    "inputs",
    "label",
    "model_label",
    "model_confidence",
    "label_confidence",
    "reasons",
    "method",
)


def load_queue(folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    queue = []
    path = folder / QUEUE_FILE
    for n, item in enumerate(read_jsonl(path), 1):
        missing = [k for k in QUEUE_KEYS if k not in item]
        if missing:
            raise DataError(
                f"{path}: record {n}: not a queued record (no {missing[0]!r})",
                hint="run `synthloop curate` again to write the queue",
            )
        queue.append(item)
    labels: list[str] = []
    summary = folder / "summary.json"
    if summary.is_file():
        labels = list(json.loads(summary.read_text(encoding="utf-8")).get("labels", []))
    if not labels and any(q["model_label"] is not None for q in queue):
        # an older queue: the labels it shows are all we know (a QA queue has none to offer)
        labels = sorted({q["label"] for q in queue} | {q["model_label"] for q in queue})
    return queue, labels


def create_app(folder: str | Path, token: str) -> Starlette:
    folder = Path(folder)
    queue, labels = load_queue(folder)
    store = ReviewStore(folder / STORE_FILE)
    index = {item["id"]: i for i, item in enumerate(queue)}

    def authorised(request: Request) -> bool:
        return secrets.compare_digest(request.query_params.get("token", ""), token)

    def forbidden() -> Response:
        return Response("forbidden: wrong or missing token\n", status_code=403)

    def decisions() -> dict[str, Any]:
        """Each queued record's decision: about its text, under its id or another (rows
        renumbered); one about another text than the queued one leaves it open."""
        return match_decisions([(q["id"], q["inputs"]) for q in queue], store.decisions())

    def first_open(decided: dict[str, Any]) -> int:
        return next((i for i, q in enumerate(queue) if q["id"] not in decided), 0)

    async def page(request: Request) -> Response:
        if not authorised(request):
            return forbidden()
        decided = decisions()
        try:
            i = int(request.query_params.get("i", first_open(decided)))
        except ValueError:
            i = 0
        i = min(max(i, 0), max(len(queue) - 1, 0))
        nonce = secrets.token_urlsafe(12)
        html = _TEMPLATES.get_template("review.html.j2").render(
            queue=queue,
            i=i,
            item=queue[i] if queue else None,
            labels=labels,
            decided=decided,
            token=token,
            nonce=nonce,
            saved=request.query_params.get("saved"),
        )
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": (
                    f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
                    "form-action 'self'; img-src 'self'"
                ),
                "Referrer-Policy": "no-referrer",  # the token is in the URL
                "X-Frame-Options": "DENY",
                "Cache-Control": "no-store",
            },
        )

    async def decide(request: Request) -> Response:
        if not authorised(request):
            return forbidden()
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return Response("bad request: the form is not UTF-8\n", status_code=400)
        form = {k: v[0] for k, v in parse_qs(body).items()}
        record_id, action = form.get("id", ""), form.get("action", "")
        label = form.get("label") or None
        if record_id not in index or action not in CHOICES:
            return Response("bad request: unknown record or action\n", status_code=400)
        if action == "relabel" and label not in labels:
            return Response("bad request: unknown label\n", status_code=400)
        try:
            store.decide(record_id, action, label, inputs=queue[index[record_id]]["inputs"])
        except DataError as exc:
            return Response(f"bad request: {exc.message}\n", status_code=400)
        decided = decisions()
        after = [
            j for j in range(index[record_id] + 1, len(queue)) if queue[j]["id"] not in decided
        ]
        nxt = after[0] if after else index[record_id]
        query = urlencode({"token": token, "i": nxt, "saved": record_id})
        return RedirectResponse(f"/?{query}", status_code=303)

    async def api_queue(request: Request) -> Response:
        if not authorised(request):
            return forbidden()
        decided = decisions()
        items = [
            {**q, "decision": None if q["id"] not in decided else decided[q["id"]].__dict__}
            for q in queue
        ]
        return JSONResponse({"labels": labels, "items": items})

    async def fallback(request: Request) -> Response:
        return forbidden() if not authorised(request) else Response("not found\n", 404)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        store.close()

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/decide", decide, methods=["POST"]),
            Route("/api/queue", api_queue),
            Route("/{path:path}", fallback),
        ],
        lifespan=lifespan,
    )
    return app


class ReviewServer:
    """uvicorn in a background thread, on 127.0.0.1 and a free (or given) port."""

    def __init__(self, folder: str | Path, *, port: int = 0, token: str | None = None) -> None:
        import uvicorn

        self.token = token or secrets.token_urlsafe(18)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(128)  # from here on the URL answers (queued until uvicorn runs)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(create_app(folder, self.token), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def run(self) -> None:
        """Serve in this thread until interrupted."""
        self.server.run(sockets=[self.sock])

    def start(self) -> ReviewServer:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.sock.close()


def serve(folder: Path, *, port: int = 0, announce: Callable[[str], Any] = print) -> None:
    server = ReviewServer(folder, port=port)
    announce(f"review page (this machine only): {server.url}")
    announce("decisions are saved as you go; Ctrl-C to stop, then run `synthloop curate` again")
    server.run()
