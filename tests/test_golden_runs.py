"""Golden runs: every command that calls the LLM, on a scripted OpenAI-compatible server,
gives the same requests (cache keys) and the same outputs as when the fixture was written.

The commands are driven only through the CLI entry point, config files and arguments
(``synthloop.cli:main``), never through internal modules, so this test does not change
when the code behind the commands is moved or rewritten: it is the proof that a
restructuring changed no behaviour. Answers come from ``FaultServer`` (no faults) with a
scripted answer per task type, chosen by the model name each config declares; every
config sets ``server_identity`` so the server's port does not enter the cache keys.

Recorded per command: its exit status, the sorted request keys of every response cache it
wrote, and a SHA-256 of every file it wrote (JSON with timings removed; Parquet by its rows;
journals and the resolved config.yaml, which hold arrival order and temporary paths, left
out).

To rewrite the fixture after an intended change (say which entries changed and why in
the commit): ``SYNTHLOOP_WRITE_GOLDEN=1 .venv/bin/pytest tests/test_golden_runs.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.llm.fault_server import FaultServer

FIXTURE = Path(__file__).parent / "golden" / "runs.json"
WRITE = bool(os.environ.get("SYNTHLOOP_WRITE_GOLDEN"))

# -- scripted answers, one function per task type, chosen by the config's model name ------

POSITIVE = ["wonderful", "delicious", "friendly", "lovely", "great", "fresh", "superb"]
NEGATIVE = ["awful", "cold", "rude", "stale", "dirty", "bland", "terrible"]


def _texts(body: dict[str, Any]) -> tuple[str, str]:
    """(the last message or the prompt, all the text sent)."""
    if "messages" in body:
        contents = [m.get("content", "") for m in body["messages"]]
        return contents[-1], "\n".join(contents)
    prompt = body.get("prompt", "")
    return prompt, prompt


def _quoted(text: str) -> list[str]:
    return re.findall(r'^"(.+)"$', text, re.MULTILINE)


def review_answer(body: dict[str, Any]) -> str:
    text, everything = _texts(body)
    seed = int(body.get("seed") or 0)
    topic = re.search(r'subtopics of "([^"]+)"', text)
    if topic:
        name = topic.group(1).split(" ")[-1]
        return "Here you go:\n" + "\n".join(f"{i}. {name} part {i}" for i in range(1, 4))
    if "numbered list" in text:
        return "Here are some reasons:\n1. The food was tasty and fresh\n2. Staff were kind\n"
    if "Which label fits it best?" in text or "Answer with the label name only" in text:
        negative = any(w in text.lower() for w in NEGATIVE)
        return "negative" if negative != (seed % 5 == 0) else "positive"
    if text.startswith("Rate the"):
        return f"Rating: {2 + seed % 4}"
    if 'Answer "A" or "B" only' in text:
        return "A" if seed % 3 else "B"
    if "describe a specific situation" in text:
        return f"The guest found the soup cold on visit number {seed % 89}."
    if "Answer the last message helpfully" in everything:
        return f"Assistant: I am sorry to hear that, we will fix it by visit {seed % 53}."
    if "Reply to the last message" in everything or "Write the first message" in everything:
        mood = "unhappy" if "unhappy" in everything else "happy"
        return f"User: I was {mood} with the dinner on visit {seed % 71}, to be honest."
    first = re.search(r"\b(positive|negative)\b", text)
    label = first.group(1) if first else "positive"
    imitated = _quoted(text)
    if imitated:  # error extrapolation: stay close to the real example
        return f"Much like this one, {imitated[-1]}"
    words = (POSITIVE if label == "positive" else NEGATIVE)[:3]
    meal, room, staff = (words[(seed + i) % len(words)] for i in range(3))
    cond = re.search(r"- topic: (.+)", text)
    about = f" ({cond.group(1).strip()})" if cond else ""
    return f'Review: "The meal{about} was {meal}, the room {room} and the staff {staff} ' + (
        f'#{seed % 97}."'
    )


def pair_answer(body: dict[str, Any]) -> str:
    text, _ = _texts(body)
    seed = int(body.get("seed") or 0)
    if "numbered list" in text:
        return "1. Restate one fact of the premise\n2. Keep the same names\n"
    if "describe a specific way" in text:
        return f"Keep the city and change the year, variant {seed % 13}."
    entail = "must be true" in text
    quoted = _quoted(text)
    kept = quoted[0] if quoted else ""
    m = re.search(r"The (\w+) in (\w+)", kept)
    thing, city = (m.group(1), m.group(2)) if m else ("hall", "Rome")
    if len(quoted) > 1:  # extrapolation: the premise and the hypothesis the model got wrong
        if entail:
            return f"Hypothesis: There is a {thing} in {city} today, {seed % 11}."
        return f"The {thing} was never opened and lies far from {city} #{seed % 5}."
    if entail:
        return f'Sure! Here is a hypothesis:\n"The {thing} in {city} was opened {seed % 9}."'
    return f"The {thing} in {city} was closed by the mayor #{seed % 7}."


def _wh(answer: str) -> str:
    if re.fullmatch(r"1\d{3}|20\d{2}", answer):
        return "When"
    if any(ch.isdigit() for ch in answer):
        return "How many"
    return "Who" if answer[:1].isupper() else "What"


def qa_answer(body: dict[str, Any]) -> str:
    text, _ = _texts(body)
    seed = int(body.get("seed") or 0)
    if "numbered list" in text:
        return "1. Ask about a date\n2. Ask about a person\n"
    quoted = _quoted(text)
    passage = quoted[0] if quoted else ""
    m = re.search(r'answer is (?:also )?"([^"]+)"', text)
    answer = m.group(1) if m else ""
    if "which fact of the" in text:
        return f"Ask which fact the passage gives about {answer or 'it'}, variant {seed % 7}."
    sentence = next((s for s in re.split(r"(?<=\.)\s+", passage) if answer in s), passage)
    rest = sentence.replace(answer, "").rstrip(". ").strip()
    if "has the answer" in text:  # extrapolation
        return f"Question: Can you tell me, {_wh(answer).lower()} — {rest}?"
    return f'"{_wh(answer)} {rest} ({seed % 5})?" That is my question.'


NEW_INSTRUCTIONS = [
    "Write a haiku about autumn leaves falling.",  # a near copy of a seed: not novel
    "Draw a picture of a cat wearing a hat.",  # needs more than text
    "List five fruits that are rich in vitamin C.",
    "Explain why the sky looks blue during the day.",
    "Translate the given sentence into French.",
    "Suggest a name for a small bakery in a seaside town.",
    "Classify the following animal as a mammal, bird or fish.",
    "Describe how to boil an egg in four steps.",
    "Write a short apology email for missing a meeting.",
    "Convert the temperature from Celsius to Fahrenheit.",
    "Name two planets that have rings.",
    "Give a synonym for the word happy.",
]


def instruction_answer(body: dict[str, Any]) -> str:
    text, _ = _texts(body)
    seed = int(body.get("seed") or 0)
    if "of the same kind" in text:  # S3: a new instruction like the real one shown
        shown = _quoted(text)
        words = (shown[0] if shown else "a task").rstrip(".?").split()
        return f"Sure!\nLikewise, {' '.join(words[::2])} for my aunt number {seed % 9}."
    if "Carry out this instruction" in text:
        wanted = text.split("Instruction:")[-1].split("\n")[0].strip()
        if "given" in wanted or "following" in wanted:
            return "Input: The cat sat on the mat.\nOutput: Le chat était assis."
        topic = wanted.rstrip(".").split()[-1]
        return f"Input: <none>\nOutput: Sure! First this, then that, for the {topic}."
    item = NEW_INSTRUCTIONS[seed % len(NEW_INSTRUCTIONS)]
    return f"Sure! Here is a new instruction:\n{item}"


ANSWERS = {
    "golden-reviews": review_answer,
    "golden-nli": pair_answer,
    "golden-qa": qa_answer,
    "golden-instructions": instruction_answer,
}


def answer(body: dict[str, Any]) -> str:
    return ANSWERS[body["model"]](body)


# -- real-looking data --------------------------------------------------------------------


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def review_rows(n: int, offset: int = 0) -> list[dict[str, str]]:
    rows = []
    for k in range(n):
        i = k + offset
        if k % 2 == 0:
            text = f"{POSITIVE[i % 7]} food and {POSITIVE[(i + 3) % 7]} service, visit {i}"
            rows.append({"text": text, "label": "positive"})
        else:
            text = f"{NEGATIVE[i % 7]} food and {NEGATIVE[(i + 2) % 7]} waiter, visit {i}"
            rows.append({"text": text, "label": "negative"})
    return rows


CITIES = ["Paris", "Lyon", "Turin", "Porto", "Ghent", "Bergen", "Krakow", "Leeds"]
THINGS = ["bakery", "museum", "library", "stadium", "bridge", "theatre", "market", "harbour"]


def pair_rows(n: int, offset: int = 0) -> list[dict[str, str]]:
    rows = []
    for k in range(n):
        i = k + offset
        p = (
            f"The {THINGS[i % 8]} in {CITIES[(i * 3) % 8]} was opened in {1900 + 7 * i} "
            f"by a local group of {10 + i} volunteers."
        )
        if k % 2 == 0:
            h = f"A {THINGS[i % 8]} exists in {CITIES[(i * 3) % 8]}."
            rows.append({"premise": p, "hypothesis": h, "label": "entailment"})
        else:
            h = f"The {THINGS[i % 8]} was never opened and stands in {CITIES[(i * 3 + 1) % 8]}."
            rows.append({"premise": p, "hypothesis": h, "label": "not_entailment"})
    return rows


PASSAGES = [
    (
        "The Harlow Bridge was built across the river Dene in 1887. It was designed by the "
        "engineer Margaret Ashby and cost 42,000 pounds.",
        [("In which year was the Harlow Bridge built?", "1887"),
         ("Who designed it?", "Margaret Ashby")],
    ),
    (
        "Lake Orvin is the largest lake in the province of Tamsk. It is fed by the Selva River "
        "and covers 310 square kilometres.",
        [("Which river feeds Lake Orvin?", "Selva River"),
         ("How large is it?", "310 square kilometres")],
    ),
    (
        "Dr. Lena Okafor founded the Northfield Seed Bank in 2004. The bank stores more than "
        "9,000 seed varieties from Ethiopia and Peru.",
        [("Who founded the seed bank?", "Lena Okafor"), ("When was it founded?", "2004")],
    ),
    (
        "The Kessler Prize is awarded every two years in Vienna. In 1998 it went to the "
        "composer Paul Remy for his third symphony.",
        [("Where is the prize awarded?", "Vienna"), ("Who won it in 1998?", "Paul Remy")],
    ),
]  # fmt: skip


def qa_rows(parts: slice) -> list[dict[str, str]]:
    rows = []
    for context, qas in PASSAGES[parts]:
        for question, ans in qas:
            rows.append({"context": context, "question": question, "answer": ans})
    return rows


SEEDS = [
    {"instruction": "Write a haiku about autumn leaves.", "output": "Red leaves drift and fall."},
    {
        "instruction": "Summarise the following paragraph in one sentence.",
        "input": "The council met on Monday and agreed to repair the old bridge next year.",
        "output": "The council agreed to repair the bridge next year.",
    },
    {"instruction": "Give three tips for sleeping better.", "output": "Keep a schedule; ..."},
]
REAL_INSTRUCTIONS = [
    {"instruction": "Name three rivers in Europe.",
     "output": "The Danube, the Rhine and the Loire."},
    {
        "instruction": "Rewrite the sentence in the passive voice.",
        "input": "The dog chased the ball.",
        "output": "The ball was chased by the dog.",
    },
    {"instruction": "Suggest a healthy snack for the afternoon.",
     "output": "A handful of almonds."},
    {
        "instruction": "Find the odd one out in the list.",
        "input": "apple, pear, carrot, plum",
        "output": "carrot, because it is a vegetable.",
    },
    {"instruction": "Explain what a leap year is.", "output": "A year with 366 days."},
    {"instruction": "Name three mountains in Asia.", "output": "Everest, K2 and Fuji."},
    {"instruction": "Explain what an eclipse is.", "output": "The moon hides the sun."},
]  # fmt: skip


def llm_yaml(model: str, base_url: str) -> str:
    return (
        f"llm: {{backend: openai, model: {model}, base_url: '{base_url}', "
        "server_identity: golden, max_concurrency: 4, max_tokens: 48}\n"
    )


def write_inputs(root: Path, base_url: str) -> dict[str, Path]:
    """Every config and data file the commands read, under ``root``."""
    data = root / "data"
    data.mkdir()
    _jsonl(data / "reviews_val.jsonl", review_rows(16))
    _jsonl(data / "reviews_test.jsonl", review_rows(20, offset=40))
    _jsonl(data / "reviews_errors.jsonl", review_rows(4, offset=80))
    _jsonl(data / "reviews_reference.jsonl", review_rows(6, offset=100))
    _jsonl(data / "nli_val.jsonl", pair_rows(10))
    _jsonl(data / "nli_test.jsonl", pair_rows(10, offset=20))
    _jsonl(data / "nli_errors.jsonl", pair_rows(3, offset=40))
    _jsonl(data / "qa_val.jsonl", qa_rows(slice(0, 3)))
    _jsonl(data / "qa_test.jsonl", qa_rows(slice(3, 4)))
    errors = [{"context": r["context"], "question": r["question"], "label": r["answer"]}
              for r in qa_rows(slice(1, 2))]  # fmt: skip
    _jsonl(data / "qa_errors.jsonl", errors)
    _jsonl(data / "seeds.jsonl", SEEDS)
    _jsonl(data / "inst_val.jsonl", REAL_INSTRUCTIONS[:5])
    _jsonl(data / "inst_test.jsonl", REAL_INSTRUCTIONS[5:])
    configs = {
        "reviews": (
            "task:\n  name: reviews\n  domain: restaurants\n  example_noun: restaurant review\n"
            "  labels: {positive: the customer was happy, negative: the customer was unhappy}\n"
            "data:\n  validation: data/reviews_val.jsonl\n  test: data/reviews_test.jsonl\n"
            + llm_yaml("golden-reviews", base_url)
            + "s3: {seed_size: 8, rationale_calls_per_label: 1, rationales_per_call: 3,"
            " rounds: 2, max_errors_per_round: 4}\n"
            "generation:\n"
            "  conditions:\n"
            "    scopes: {length: {short: 2, long: 1}, audience: [critics, families]}\n"
            "    exclude: [{length: long, audience: critics}]\n"
            "  concept_tree: {depth: 2, branching: 2}\n"
            "  demonstrations: {k: 2, select: similar}\n"
            "  rounds: 2\n"
            "  clusters: 2\n"
            "  extrapolate_neighbours: 1\n"
            "  dialogue: {turns: 3}\n"
            "curate:\n"
            "  steps: [exact_dedup, length, {llm_agreement: {mode: flag}}]\n"
            "  review_queue: 3\n"
        ),
        "nli": (
            "task:\n  name: nli\n  type: pair\n  domain: city news\n  example_noun: hypothesis\n"
            "  labels:\n"
            "    entailment: the hypothesis must be true if the premise is true\n"
            "    not_entailment: the hypothesis does not follow from the premise\n"
            "data:\n  validation: data/nli_val.jsonl\n  test: data/nli_test.jsonl\n"
            + llm_yaml("golden-nli", base_url)
            + "s3: {seed_size: 8, rationale_calls_per_label: 1, rationales_per_call: 2,"
            " rounds: 1, max_errors_per_round: 4}\n"
            "generation:\n"
            "  conditions: {scopes: {style: [paraphrase, negation]}}\n"
            "  demonstrations: {k: 1, select: random}\n"
            "  rounds: 2\n"
            "  clusters: 2\n"
        ),
        "qa": (
            "task: {name: qa, type: qa, domain: local history, example_noun: question}\n"
            "data:\n"
            "  validation: {path: data/qa_val.jsonl, columns: {label: answer}}\n"
            "  test: {path: data/qa_test.jsonl, columns: {label: answer}}\n"
            + llm_yaml("golden-qa", base_url)
            + "s3: {seed_size: 6, rounds: 1, max_errors_per_round: 3}\n"
            "generation:\n"
            "  concept_tree: {root: history, depth: 1, branching: 2}\n"
            "  demonstrations: {k: 1, select: random}\n"
        ),
        "instructions": (
            "task: {name: helper, type: instruction, domain: everyday tasks,"
            " example_noun: instruction}\n"
            "seeds: data/seeds.jsonl\n"
            + llm_yaml("golden-instructions", base_url)
            + "self_instruct: {n: 4, batch: 4, max_calls: 16}\n"
            "real: {validation: data/inst_val.jsonl, test: data/inst_test.jsonl}\n"
            "s3: {errors_per_round: 3}\n"
        ),
        "instructions-plain": (
            "task: {name: helper, type: instruction, domain: everyday tasks,"
            " example_noun: instruction}\n"
            "seeds: data/seeds.jsonl\n"
            + llm_yaml("golden-instructions", base_url)
            + "self_instruct: {n: 5, batch: 4}\n"
        ),
    }
    paths = {}
    for name, text in configs.items():
        paths[name] = root / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


# -- the commands ---------------------------------------------------------------------------


EVALUATE = ["evaluate", "runs/reviews", "--judge", "3", "--reference",
            "data/reviews_reference.jsonl", "--pairs", "3", "--no-embeddings"]  # fmt: skip


def commands() -> list[tuple[str, list[str]]]:
    """(name, arguments); paths are relative to the test's root folder."""
    out: list[tuple[str, list[str]]] = [
        ("s3 reviews", ["s3", "reviews.yaml", "--out", "runs/reviews"]),
        ("curate reviews", ["curate", "runs/reviews", "--steps", "exact_dedup,llm_agreement"]),
        ("evaluate reviews", EVALUATE),
        ("s3 nli", ["s3", "nli.yaml", "--out", "runs/nli"]),
        ("s3 qa", ["s3", "qa.yaml", "--out", "runs/qa"]),
    ]
    methods = {
        "reviews": ["zerogen", "s3-seed", "extrapolate", "conditional", "rationale-example",
                    "dialogue"],
        "nli": ["zerogen", "s3-seed", "extrapolate", "conditional", "rationale-example"],
        "qa": ["zerogen", "s3-seed", "extrapolate", "conditional", "rationale-example"],
    }  # fmt: skip
    for task, names in methods.items():
        for method in names:
            args = ["generate", f"{task}.yaml", "--method", method, "-n", "6"]
            args += ["-o", f"gen/{task}-{method}.jsonl"]
            if method == "extrapolate":
                args += ["--from", f"data/{task}_errors.jsonl"]
            out.append((f"generate {task} {method}", args))
    out.append(
        ("self-instruct rounds", ["self-instruct", "instructions.yaml", "-o",
                                  "inst/s3.jsonl", "--rounds", "1"])
    )  # fmt: skip
    out.append(
        ("self-instruct", ["self-instruct", "instructions-plain.yaml", "-o", "inst/p.jsonl"])
    )
    return out


def run_cli(args: list[str], cwd: Path) -> int:
    """``synthloop ARGS --quiet`` in ``cwd``, in this process; its exit status."""
    from synthloop.cli import main

    old_argv, old_cwd = sys.argv, Path.cwd()
    sys.argv = ["synthloop", *args, "--quiet"]
    os.chdir(cwd)
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return 0


# -- what a command leaves ------------------------------------------------------------------


def _skipped(rel: Path) -> bool:
    return (
        rel.name == "config.yaml"
        or rel.suffix in (".tmp", ".sqlite-wal", ".sqlite-shm")
        or any(p == "journal" or p.endswith(".journal") for p in rel.parts)
    )


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def file_digest(path: Path, root: Path) -> str:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        text = json.dumps(pq.read_table(path).to_pylist(), sort_keys=True, default=str)
    elif path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(_without_timings(data), sort_keys=True, ensure_ascii=False)
    else:
        text = path.read_text(encoding="utf-8")
    return hashlib.sha256(text.replace(str(root), "<root>").encode()).hexdigest()


def snapshot(root: Path) -> dict[str, tuple[float, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


def cache_keys(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return sorted(row[0] for row in db.execute("SELECT key FROM responses"))


def written(root: Path, before: dict[str, tuple[float, int]]) -> dict[str, Any]:
    """The caches and files a command wrote (new or changed since ``before``)."""
    after = snapshot(root)
    changed = sorted(
        rel
        for rel, stamp in after.items()
        if before.get(rel) != stamp and not rel.startswith("data")
    )
    caches = {rel: cache_keys(root / rel) for rel in changed if rel.endswith(".sqlite")}
    files = {
        rel: file_digest(root / rel, root)
        for rel in changed
        if not rel.endswith(".sqlite") and not _skipped(Path(rel))
    }
    return {"caches": caches, "files": files}


@pytest.fixture(scope="module")
def golden_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("golden")
    results: dict[str, Any] = {}
    with FaultServer(answer=answer) as server:
        write_inputs(root, server.base_url)
        for name, args in commands():
            before = snapshot(root)
            status = run_cli(args, root)
            results[name] = {"exit": status, **written(root, before)}
    yield results


def test_every_command_sends_the_same_requests_and_writes_the_same_outputs(
    golden_runs: dict[str, Any],
) -> None:
    if WRITE:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(json.dumps(golden_runs, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"wrote {FIXTURE}")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert sorted(golden_runs) == sorted(expected)
    for name, want in expected.items():
        got = golden_runs[name]
        assert got["exit"] == want["exit"], f"{name}: exit status {got['exit']}"
        assert got["caches"] == want["caches"], f"{name}: other requests were sent"
        assert got["files"] == want["files"], f"{name}: other outputs were written"
