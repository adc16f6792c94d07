"""Client overhead: requests/s and CPU seconds per 1,000 requests against a local mock
OpenAI-compatible server with a fixed latency, for synthloop's client (alone, and with the
cache and journal a generation run uses), bare httpx and httpx2 loops (synthloop's client
is built on httpx2), distilabel and curator.

Every client sends the same chat requests ("Write restaurant review #i", max_tokens 40) with
at most CONCURRENCY in flight, to the fault server of the test suite (no faults, fixed
latency) running in its own process. Each client runs in its own process; CPU time is that
process's user+system time (and its children's) during the run, imports excluded. Runs are
interleaved (every client once, then again) and the median is reported.

    python bench/client_overhead.py                  # 2,000 requests, 100 ms, 64 in flight
    python bench/client_overhead.py -n 200 --repeats 1   # a quick look

distilabel and curator are installed into their own venvs (see --distilabel-python and
--curator-python); a client whose venv is missing or that fails is reported with its error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TIMING = """
import json, resource, sys, time
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
URL, N, CONC = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PROMPTS = [f"Write restaurant review #{i}." for i in range(N)]
def report(t0, c0, texts):
    ok = sum(1 for t in texts if t)
    print("RESULT " + json.dumps({"ok": ok, "wall": time.perf_counter() - t0, "cpu": cpu() - c0}))
"""

# The same bare loop for both clients (httpx2 keeps httpx's API): only the module differs.
BARE_LOOP = """
import asyncio
import HTTP_MODULE as http
async def main():
    gate = asyncio.Semaphore(CONC)
    limits = http.Limits(max_connections=CONC, max_keepalive_connections=CONC)
    async with http.AsyncClient(base_url=URL, limits=limits, timeout=60) as client:
        async def one(i):
            async with gate:
                body = {"model": "m", "max_tokens": 40, "seed": i,
                        "messages": [{"role": "user", "content": PROMPTS[i]}]}
                r = await client.post("/chat/completions", json=body)
                return r.json()["choices"][0]["message"]["content"]
        return await asyncio.gather(*(one(i) for i in range(N)))
t0, c0 = time.perf_counter(), cpu()
report(t0, c0, asyncio.run(main()))
"""

CLIENTS: dict[str, str] = {
    "bare httpx loop": BARE_LOOP.replace("HTTP_MODULE", "httpx"),
    "bare httpx2 loop": BARE_LOOP.replace("HTTP_MODULE", "httpx2"),
    "synthloop client": """
import asyncio
from synthloop.llm import Request, complete_many
from synthloop.llm.openai_compat import OpenAICompatLLM
async def main():
    llm = OpenAICompatLLM("m", base_url=URL, api_key="sk", max_concurrency=CONC)
    reqs = [Request.chat(p, seed=i, max_tokens=40) for i, p in enumerate(PROMPTS)]
    out = await complete_many(llm, reqs)
    await llm.aclose()
    return [r.text for r in out]
t0, c0 = time.perf_counter(), cpu()
report(t0, c0, asyncio.run(main()))
""",
    "synthloop client + cache + journal": """
import asyncio, tempfile
from pathlib import Path
from synthloop.llm.journal import Journal
from synthloop.llm import CachedLLM, Request, complete_many
from synthloop.llm.openai_compat import OpenAICompatLLM
async def main(folder):
    inner = OpenAICompatLLM("m", base_url=URL, api_key="sk", max_concurrency=CONC)
    llm = CachedLLM(inner, Path(folder) / "cache.sqlite")
    journal = Journal(Path(folder) / "journal.jsonl")
    reqs = [Request.chat(p, seed=i, max_tokens=40) for i, p in enumerate(PROMPTS)]
    def on_result(i, resp):
        journal.append({"job": i, "key": str(i), "text": resp.text})
    out = await complete_many(llm, reqs, on_result=on_result)
    journal.close()
    await llm.aclose()
    return [r.text for r in out]
with tempfile.TemporaryDirectory() as folder:
    t0, c0 = time.perf_counter(), cpu()
    report(t0, c0, asyncio.run(main(folder)))
""",
    "distilabel": """
import logging
logging.disable(logging.WARNING)
from distilabel.models import OpenAILLM
llm = OpenAILLM(model="m", base_url=URL, api_key="sk", max_retries=0, timeout=60)
llm.load()
inputs = [[{"role": "user", "content": p}] for p in PROMPTS]
t0, c0 = time.perf_counter(), cpu()
texts = []
# A distilabel step hands its LLM one batch at a time and gathers the whole batch;
# batches of CONC keep the same number in flight as the other clients.
for start in range(0, N, CONC):
    outs = llm.generate_outputs(inputs=inputs[start:start + CONC], num_generations=1,
                                max_new_tokens=40)
    texts += [o["generations"][0] for o in outs]
report(t0, c0, texts)
""",
    "curator": """
import os, tempfile, logging
os.environ.setdefault("CURATOR_CACHE_DIR", tempfile.mkdtemp())
os.environ["CURATOR_DISABLE_CACHE"] = "1"
os.environ["TELEMETRY_ENABLED"] = "0"
os.environ["CURATOR_DISABLE_RICH_DISPLAY"] = "1"
# curator counts tokens with tiktoken, which downloads its encodings; litellm (a curator
# dependency) ships them, so point tiktoken's cache there to run offline.
import litellm, pathlib
os.environ["TIKTOKEN_CACHE_DIR"] = str(
    pathlib.Path(litellm.__file__).parent / "litellm_core_utils" / "tokenizers")
logging.disable(logging.WARNING)
from bespokelabs import curator
llm = curator.LLM(
    model_name="gpt-4o-mini", backend="openai",
    generation_params={"max_tokens": 40},
    backend_params={"base_url": URL, "api_key": "sk", "max_concurrent_requests": CONC,
                    "max_requests_per_minute": 10_000_000, "max_tokens_per_minute": 10**10,
                    "max_retries": 0, "request_timeout": 60, "require_all_responses": True},
)
t0, c0 = time.perf_counter(), cpu()
ds = llm(PROMPTS)
texts = list(ds["response"]) if hasattr(ds, "__getitem__") else list(ds.dataset["response"])
report(t0, c0, texts)
""",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def version(python: str, dist: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() or "?"


def run_client(name: str, python: str, url: str, n: int, conc: int) -> dict[str, float] | str:
    code = textwrap.dedent(TIMING) + textwrap.dedent(CLIENTS[name])
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(code)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    try:
        proc = subprocess.run(
            [python, fh.name, url, str(n), str(conc)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
    finally:
        os.unlink(fh.name)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, float] = json.loads(line[7:])
            if result["ok"] != n:
                return f"only {int(result['ok'])} of {n} answers"
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return "failed: " + " | ".join(tail)[:400]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--distilabel-python", default="/tmp/venv-distilabel/bin/python")
    parser.add_argument("--curator-python", default="/tmp/venv-curator/bin/python")
    parser.add_argument("--out", default=str(ROOT / "bench/results/client_overhead.md"))
    args = parser.parse_args()

    pythons = {name: sys.executable for name in CLIENTS}
    pythons["distilabel"] = args.distilabel_python
    pythons["curator"] = args.curator_python
    versions = {
        "bare httpx loop": f"httpx {version(sys.executable, 'httpx')}",
        "bare httpx2 loop": f"httpx2 {version(sys.executable, 'httpx2')}",
        "synthloop client": f"synthloop {version(sys.executable, 'synthloop')}",
        "synthloop client + cache + journal": "same",
        "distilabel": f"distilabel {version(args.distilabel_python, 'distilabel')}, "
        f"openai {version(args.distilabel_python, 'openai')}",
        "curator": f"bespokelabs-curator {version(args.curator_python, 'bespokelabs-curator')}",
    }
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.llm.fault_server", "--port", str(port), "--latency",
         str(args.latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    server.stdout.readline()  # "listening on ..."
    url = f"http://127.0.0.1:{port}/v1"
    results: dict[str, list[dict[str, float]]] = {name: [] for name in CLIENTS}
    errors: dict[str, str] = {}
    try:
        for rep in range(args.repeats):
            for name in CLIENTS:
                if name in errors:
                    continue
                if not Path(pythons[name]).exists():
                    errors[name] = f"no venv at {pythons[name]}"
                    continue
                out = run_client(name, pythons[name], url, args.n, args.concurrency)
                if isinstance(out, str):
                    errors[name] = out
                else:
                    results[name].append(out)
                print(f"[{rep}] {name}: {out}", flush=True)
    finally:
        server.terminate()

    ideal = args.n / args.concurrency * args.latency
    bare = results["bare httpx loop"]
    bare_cpu = statistics.median(r["cpu"] for r in bare) if bare else None
    lines = [
        "# Client overhead against a local mock server",
        "",
        f"{args.n:,} chat requests, at most {args.concurrency} in flight, mock server latency "
        f"{args.latency * 1000:.0f} ms (ideal wall time {ideal:.2f} s). Median of "
        f"{args.repeats} interleaved runs. CPU s/1k: the client process's user+system CPU "
        "seconds per 1,000 requests.",
        "",
        "| client | version | requests/s | CPU s / 1k requests | CPU vs bare httpx |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name in CLIENTS:
        if results[name]:
            wall = statistics.median(r["wall"] for r in results[name])
            cpu = statistics.median(r["cpu"] for r in results[name])
            ratio = f"{cpu / bare_cpu:.2f}×" if bare_cpu else "–"
            lines.append(
                f"| {name} | {versions[name]} | {args.n / wall:.0f} | "
                f"{cpu / args.n * 1000:.2f} | {ratio} |"
            )
        else:
            lines.append(f"| {name} | {versions[name]} | – | – | {errors.get(name, '')} |")
    lines += [
        "",
        "Command: `python bench/client_overhead.py "
        f"-n {args.n} --latency {args.latency} --concurrency {args.concurrency} "
        f"--repeats {args.repeats}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    if errors:
        lines += ["", "Errors:"] + [f"- {k}: {v}" for k, v in errors.items()]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
