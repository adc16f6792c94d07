"""The bundled DEMO task: sentiment of short restaurant reviews.

Its labelled set (50 validation, 60 test reviews in ``reviews.tsv``) was written by the
synthloop authors for the demo only. It is a DEMO SET, not a benchmark: use it to see the
loop run, and use real data (e.g. ../shared/data) to judge results.
"""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

from synthloop.core.errors import ConfigError
from synthloop.core.io import jsonl_line, write_text_atomic

TASK_YAML = """\
# DEMO task bundled with synthloop.
name: demo-restaurant-sentiment
type: classification
domain: restaurants, cafes and food delivery
example_noun: restaurant review
inputs: [text]
labels:
  positive: the customer enjoyed the food or the service
  negative: the customer was unhappy with the food or the service
"""

RUN_YAML = """\
# DEMO run: S3 on the bundled demo task with the embedded LLM (SmolLM2-135M-Instruct).
# Sized to finish in a few minutes on 2 CPU cores.
task: task.yaml
data:
  validation: {path: validation.jsonl}
  test: {path: test.jsonl}
llm: {backend: embedded, max_tokens: 72}
s3:
  seed_size: 120
  rationale_calls_per_label: 2
  rationales_per_example: 2
  rounds: 2
  per_error: 2
seed: 0
"""

NOTICE = """\
DEMO SET - written by the synthloop authors to demonstrate the S3 loop.
50 validation and 60 test restaurant reviews (half positive, half negative).
It is not a benchmark; judge synthloop on real data.
"""


def write_demo(folder: str | Path) -> Path:
    """Write the demo task, its DEMO labelled set and a run config; return the config path.
    A file already there with other content (an edited copy, another run's data) is never
    written over: ConfigError, before anything is written."""
    folder = Path(folder)
    rows = list(
        csv.DictReader(
            files("synthloop.demo").joinpath("reviews.tsv").open(encoding="utf-8"), delimiter="\t"
        )
    )
    texts = {
        f"{split}.jsonl": "".join(
            jsonl_line({"text": r["text"], "label": r["label"]})
            for r in rows
            if r["split"] == split
        )
        for split in ("validation", "test")
    }
    texts.update({"task.yaml": TASK_YAML, "README.txt": NOTICE, "run.yaml": RUN_YAML})
    for name, text in texts.items():
        path = folder / name
        if path.exists() and (not path.is_file() or path.read_bytes() != text.encode("utf-8")):
            raise ConfigError(
                f"{path} is not the demo's own {name}; the demo does not write over it",
                hint="choose another --out for the demo",
            )
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        write_text_atomic(text, folder / name)
    return folder / "run.yaml"
