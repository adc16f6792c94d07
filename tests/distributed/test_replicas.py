"""Several OpenAI-compatible replicas of one server: the cache key is the config's (its
declared server identity, else its URL), never the replica that answered, so reordering or
adding replicas, or going back to the local runner, answers everything from the cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.distributed.test_wiring import invoke
from tests.llm.fault_server import FaultServer

pytestmark = pytest.mark.usefixtures("local_ray")


def paid(output: str) -> tuple[int, int]:
    found = re.search(r"(\d+) paid calls, (\d+) from cache", output)
    assert found, output
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("declared", [None, "fake-server v1"])
def test_reordered_or_added_replicas_keep_the_cache(
    tmp_path: Path, run_config: Path, declared: str | None
) -> None:
    with FaultServer() as a, FaultServer() as b, FaultServer() as c:
        llm = f"llm: {{backend: openai, model: m, base_url: '{a.base_url}'"
        llm += f", server_identity: '{declared}'}}" if declared else "}"
        run_config.write_text(run_config.read_text().replace("llm: {max_tokens: 40}", llm))

        def generate(out: str, *replicas: FaultServer) -> tuple[int, int]:
            # each run its own output (and journal), all of them one cache
            ray = ["--runner", "ray", "--ray-workers", "2"] if replicas else []
            for server in replicas:
                ray += ["--endpoint", server.base_url]
            return paid(invoke("generate", str(run_config), "-n", "12", "-o",
                               str(tmp_path / out), "--cache", str(tmp_path / "cache.sqlite"),
                               "-q", *ray))  # fmt: skip

        assert generate("ab.jsonl", a, b) == (12, 0)
        assert generate("ba.jsonl", b, a) == (0, 12)  # reordered
        assert generate("cba.jsonl", c, b, a) == (0, 12)  # a replica added
        assert generate("local.jsonl") == (0, 12)  # the local runner, on the config's server
        assert sum(c.stats.answered.values()) == 0  # the new replica was never asked
    first = (tmp_path / "ab.jsonl").read_text()
    for out in ("ba.jsonl", "cba.jsonl", "local.jsonl"):
        assert (tmp_path / out).read_text() == first, out
