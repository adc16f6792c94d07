"""A fault-injecting OpenAI-compatible server on 127.0.0.1, for tests and benchmarks.

It answers ``POST /v1/chat/completions`` and ``/v1/completions`` with a deterministic,
parseable restaurant review derived from the request, and injects faults at a set rate:
429 with ``Retry-After``, 500, a slow answer past the client's timeout, a body cut short
(the connection closes mid-body), a malformed body, and a connection closed before any
answer. Which attempt gets which fault is a hash of (seed, request, attempt number), so
it does not depend on the order requests arrive in: the same run meets the same faults.

It counts, per request, the attempts and the answers delivered whole (``answered``), so
a test can tell a call paid twice from a call retried after a fault. It speaks plain
HTTP/1.1 over asyncio streams (keep-alive included) because a truncated body needs
control of the socket that ASGI servers do not give.

Run alone (for benchmarks): ``python -m tests.llm.fault_server --port 8123 --latency 0.1``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("429", "500", "slow", "truncated", "malformed", "reset")

POSITIVE = ["wonderful", "delicious", "friendly", "lovely", "great", "fresh", "superb"]
NEGATIVE = ["awful", "cold", "rude", "stale", "dirty", "bland", "terrible"]


@dataclass
class Faults:
    rate: float = 0.0  # fraction of attempts that meet a fault, spread over `kinds`
    kinds: tuple[str, ...] = KINDS
    seed: int = 0
    latency: float = 0.0  # seconds before every answer
    retry_after: float = 0.01  # seconds, sent as Retry-After on 429
    slow_seconds: float = 1.0  # how long a "slow" answer takes
    status: int | None = None  # answer every request with this status (e.g. 401)


def request_key(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20]


def review_answer(body: dict[str, Any]) -> str:
    """A review in the label the prompt asks for, unique per seed (so none are dropped)."""
    if "messages" in body:
        text = " ".join(m.get("content", "") for m in body["messages"])
    else:
        text = body.get("prompt", "")
    seed = int(body.get("seed") or 0)
    negative = " negative" in text.lower().split("label")[-1] or "unhappy" in text.lower()
    words = NEGATIVE if negative else POSITIVE
    picks = [words[(seed >> (3 * i)) % len(words)] for i in range(3)]
    return (
        f'Review: "The soup was {picks[0]}, the bread {picks[1]} and the waiter '
        f'{picks[2]} on visit {seed}."'
    )


@dataclass
class Stats:
    requests: int = 0
    attempts: Counter[str] = field(default_factory=Counter)  # per request key
    answered: Counter[str] = field(default_factory=Counter)  # whole 200 answers per key
    faults: Counter[str] = field(default_factory=Counter)  # per kind


class FaultServer:
    def __init__(
        self,
        faults: Faults | None = None,
        answer: Callable[[dict[str, Any]], str] = review_answer,
        port: int = 0,
    ) -> None:
        self.faults = faults or Faults()
        self.answer = answer
        self.port = port
        self.stats = Stats()
        self.open = threading.Event()  # cleared: hold every answer (for kill tests)
        self.open.set()
        #: close the gate by itself once this many answers were delivered whole
        self.hold_after: int | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- fault decisions ----------------------------------------------------------------

    def fault_for(self, key: str, attempt: int) -> str | None:
        f = self.faults
        if f.rate <= 0:
            return None
        digest = hashlib.sha256(f"{f.seed}:{key}:{attempt}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        if u >= f.rate:
            return None
        return f.kinds[int.from_bytes(digest[8:12], "big") % len(f.kinds)]

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                keep = await self._respond(method, path, body, reader, writer)
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:  # the server is stopping
            pass
        finally:
            writer.close()

    @staticmethod
    def _send(
        writer: asyncio.StreamWriter,
        status: int,
        payload: bytes,
        extra: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        reason = {200: "OK", 401: "Unauthorized", 429: "Too Many Requests"}.get(status, "Error")
        head = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json"]
        head.append(f"Content-Length: {len(payload) if length is None else length}")
        head += [f"{k}: {v}" for k, v in (extra or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)

    async def _respond(
        self,
        method: str,
        path: str,
        raw: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if method != "POST" or not path.endswith(("/chat/completions", "/completions")):
            self._send(writer, 404, b'{"error": {"message": "no such endpoint"}}')
            return True
        body = json.loads(raw)
        key = request_key(body)
        with self._lock:
            self.stats.requests += 1
            attempt = self.stats.attempts[key]
            self.stats.attempts[key] += 1
        f = self.faults
        if f.latency:
            await asyncio.sleep(f.latency)
        while not self.open.is_set():
            await asyncio.sleep(0.005)
            if reader.at_eof():  # the client died while we held its answer
                return False
        if f.status is not None:
            msg = "Incorrect API key provided" if f.status == 401 else "refused"
            self._send(writer, f.status, json.dumps({"error": {"message": msg}}).encode())
            return True
        kind = self.fault_for(key, attempt)
        if kind is not None:
            with self._lock:
                self.stats.faults[kind] += 1
        if kind == "429":
            extra = {"Retry-After": f"{f.retry_after:g}"}
            self._send(writer, 429, b'{"error": {"message": "rate limited"}}', extra)
            return True
        if kind == "500":
            self._send(writer, 500, b'{"error": {"message": "internal error"}}')
            return True
        if kind == "reset":
            return False  # close without a word
        if kind == "slow":
            await asyncio.sleep(f.slow_seconds)
        text = self.answer(body)
        chat = path.endswith("/chat/completions")
        choice: dict[str, Any] = (
            {"index": 0, "message": {"role": "assistant", "content": text}}
            if chat
            else {"index": 0, "text": text}
        )
        choice["finish_reason"] = "stop"
        sent = json.dumps(body.get("messages") or body.get("prompt"))
        usage = {"prompt_tokens": len(sent) // 4, "completion_tokens": len(text.split())}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        payload = json.dumps(
            {"object": "chat.completion", "model": body.get("model"), "choices": [choice],
             "usage": usage}
        ).encode()  # fmt: skip
        if kind == "truncated":
            self._send(writer, 200, payload[: len(payload) // 2], length=len(payload))
            await writer.drain()
            return False
        if kind == "malformed":
            bad = b'{"choices": [' if key[0] in "01234567" else b'{"object": "chat.completion"}'
            self._send(writer, 200, bad)
            return True
        # Counted before sending: the client may read the answer (and the test the stats)
        # before this coroutine resumes after drain(). A slow answer arrives after the
        # client gave up, so it is not delivered and not counted.
        delivered = kind is None
        if delivered:
            with self._lock:
                self.stats.answered[key] += 1
                if self.hold_after is not None and self.stats.answered.total() >= self.hold_after:
                    self.open.clear()
        try:
            self._send(writer, 200, payload)
            await writer.drain()
        except ConnectionError:
            if delivered:
                with self._lock:
                    self.stats.answered[key] -= 1
            return False
        return True

    # -- lifecycle ----------------------------------------------------------------------

    async def serve(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> FaultServer:
        """Serve from a background thread; returns once the port is bound."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        loop = self._loop

        async def main() -> None:
            self._stopping = asyncio.Event()
            await self.serve()
            ready.set()
            await self._stopping.wait()
            assert self._server is not None
            self._server.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        def run() -> None:
            loop.run_until_complete(main())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    faults = Faults(rate=args.rate, seed=args.seed, latency=args.latency)
    server = FaultServer(faults, port=args.port)

    async def forever() -> None:
        await server.serve()
        print(f"listening on {server.base_url}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(forever())


if __name__ == "__main__":
    main()
