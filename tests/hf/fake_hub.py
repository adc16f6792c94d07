"""A local stand-in for the Hugging Face hub API: just the endpoints that
``HfApi.create_repo`` and ``HfApi.upload_folder`` (``create_commit``) call.

Files arrive inline (the preupload answer says ``regular`` for every file), so a commit
is one NDJSON body: a header, then one base64 file per line. Anything else is answered
404 and logged in ``unknown`` so a test shows what a new client version started calling.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HubState:
    token: str
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)  # repo id -> create body
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # repo id -> path -> bytes
    commits: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    url: str = ""


def _handler(state: HubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:
            state.unknown.append(f"GET {self.path}")
            self._send(404, {"error": f"not in the stand-in: GET {self.path}"})

        def do_POST(self) -> None:
            body = self._body()
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._send(401, {"error": "Invalid credentials in Authorization header"})
                return
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts == ["api", "validate-yaml"]:  # the README's metadata, checked first
                req = json.loads(body)
                ok = req.get("content", "").startswith("---\n") and req.get("repoType")
                self._send(200 if ok else 400, {"errors": [], "warnings": []})
                return
            if parts == ["api", "repos", "create"]:
                req = json.loads(body)
                repo_id = (
                    f"{req['organization']}/{req['name']}"
                    if req.get("organization")
                    else req["name"]
                )
                if req.get("type") != "dataset":
                    self._send(400, {"error": "the stand-in holds datasets only"})
                    return
                if repo_id in state.repos:
                    self._send(409, {"error": "You already created this dataset repo"})
                    return
                state.repos[repo_id] = req
                state.files[repo_id] = {}
                self._send(200, {"url": f"{state.url}/datasets/{repo_id}"})
                return
            if len(parts) == 6 and parts[:2] == ["api", "datasets"]:
                repo_id, action = f"{parts[2]}/{parts[3]}", parts[4]
                if repo_id not in state.repos:
                    self._send(404, {"error": f"Repository not found: {repo_id}"})
                    return
                if action == "preupload":
                    files = json.loads(body)["files"]
                    self._send(
                        200,
                        {"files": [{"path": f["path"], "uploadMode": "regular",
                                    "shouldIgnore": False} for f in files]},
                    )  # fmt: skip
                    return
                if action == "commit":
                    lines = [json.loads(ln) for ln in body.decode().splitlines() if ln.strip()]
                    header = next(ln["value"] for ln in lines if ln["key"] == "header")
                    for ln in lines:
                        if ln["key"] == "file":
                            value = ln["value"]
                            data = value["content"].encode()
                            if value.get("encoding") == "base64":
                                data = base64.b64decode(data)
                            state.files[repo_id][value["path"]] = data
                    oid = f"{len(state.commits) + 1:040x}"
                    state.commits.append({"repo": repo_id, "summary": header.get("summary")})
                    self._send(
                        200,
                        {"commitUrl": f"{state.url}/datasets/{repo_id}/commit/{oid}",
                         "commitOid": oid},
                    )  # fmt: skip
                    return
            state.unknown.append(f"POST {self.path}")
            self._send(404, {"error": f"not in the stand-in: POST {self.path}"})

    return Handler


@contextmanager
def fake_hub(token: str = "hf_test_token") -> Iterator[HubState]:
    state = HubState(token=token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
