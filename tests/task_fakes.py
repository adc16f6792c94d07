"""Scripted LLM answers and tiny real-looking data for the pair, QA and instruction types."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from synthloop.core.io import DataSpec, load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.self_instruct import InstructionExample
from synthloop.llm import Request

CITIES = ["Paris", "Lyon", "Turin", "Porto", "Ghent", "Bergen", "Krakow", "Leeds"]
THINGS = ["bakery", "museum", "library", "stadium", "bridge", "theatre", "market", "harbour"]


def premise(i: int) -> str:
    return (
        f"The {THINGS[i % 8]} in {CITIES[(i * 3) % 8]} was opened in {1900 + 7 * i} "
        f"by a local group of {10 + i} volunteers."
    )


def pair_rows(n: int, offset: int = 0) -> list[dict]:
    """RTE-shaped rows: entailed hypotheses restate the premise, others change the city."""
    rows = []
    for k in range(n):
        i = k + offset
        p = premise(i)
        if k % 2 == 0:
            h = f"A {THINGS[i % 8]} exists in {CITIES[(i * 3) % 8]}."
            rows.append({"premise": p, "hypothesis": h, "label": "entailment"})
        else:
            h = f"The {THINGS[i % 8]} was never opened and stands in {CITIES[(i * 3 + 1) % 8]}."
            rows.append({"premise": p, "hypothesis": h, "label": "not_entailment"})
    return rows


def as_records(task: Task, rows: list[dict[str, str]], prefix: str) -> list[Record]:
    """Real records of ``task`` from labelled rows, with ids ``{prefix}0``, ``{prefix}1``, …"""
    return [
        Record(id=f"{prefix}{i}", inputs={f: r[f] for f in task.inputs}, label=r["label"])
        for i, r in enumerate(rows)
    ]


def pair_task() -> Task:
    return Task(
        name="nli",
        type="pair",
        domain="city news",
        example_noun="hypothesis",
        labels={
            "entailment": "the hypothesis must be true if the premise is true",
            "not_entailment": "the hypothesis does not follow from the premise",
        },
    )


def fact_check_task(domain: str = "science facts") -> Task:
    """A pair task whose field names are everyday words (claim, evidence) and whose example
    noun starts with a vowel: what the built-in premise/hypothesis names never exercise."""
    return Task(
        name="fact-check",
        type="pair",
        domain=domain,
        example_noun="evidence sentence",
        inputs=("claim", "evidence"),
        labels={"supported": "the evidence shows the claim is true", "refuted": "it is false"},
    )


def _quoted(text: str) -> list[str]:
    return re.findall(r'^"(.+)"$', text, re.MULTILINE)


def pair_answer(request: Request) -> str:
    """Hypotheses in the shape the pair prompts ask for. Seed answers only know "opened"
    facts (entailment) and "closed" claims (not entailment), so real data leaves errors."""
    text = request.messages[-1].content if request.messages else request.prompt or ""
    seed = request.seed or 0
    if "numbered list" in text:
        return "1. Restate one fact of the premise\n2. Keep the same names\n"
    entail = "must be true" in text
    quoted = _quoted(text)
    kept = quoted[0] if quoted else ""
    m = re.search(r"The (\w+) in (\w+)", kept)
    thing, city = (m.group(1), m.group(2)) if m else ("hall", "Rome")
    if len(quoted) > 1:  # extrapolation: the premise and the hypothesis the model got wrong
        if entail:
            return f"Hypothesis: There is a {thing} in {city} today."
        return f"The {thing} was never opened and lies far from {city} #{seed % 5}."
    if entail:
        return f'Sure! Here is a hypothesis:\n"The {thing} in {city} was opened."'
    return f"The {thing} in {city} was closed by the mayor #{seed % 7}."


QA_DEMO = Path(__file__).resolve().parents[1] / "src" / "synthloop" / "demo" / "qa"


def qa_task() -> Task:
    return Task(name="demo-qa", type="qa", domain="local history", example_noun="question")


def qa_records(split: str, split_name: str = "data") -> list[Record]:
    """The QA demo's ``split`` (validation or test), with ids ``{split_name}-{i}``."""
    spec = DataSpec(path=str(QA_DEMO / f"{split}.jsonl"), columns={"label": "answer"})
    return load_records(spec, qa_task(), split_name=split_name)


def _wh(answer: str) -> str:
    if re.fullmatch(r"1\d{3}|20\d{2}", answer):
        return "When"
    if any(ch.isdigit() for ch in answer):
        return "How many"
    return "Who" if answer[:1].isupper() else "What"


def qa_answer(request: Request) -> str:
    """Questions built the way a careful writer would: the answer's sentence, with the
    answer replaced by a wh-word. Extrapolation rewords the question it is shown."""
    text = request.messages[-1].content if request.messages else request.prompt or ""
    quoted = _quoted(text)
    passage = quoted[0] if quoted else ""
    m = re.search(r'answer is (?:also )?"([^"]+)"', text)
    answer = m.group(1) if m else ""
    sentence = next((s for s in re.split(r"(?<=\.)\s+", passage) if answer in s), passage)
    rest = sentence.replace(answer, "").rstrip(". ").strip()
    if "has the answer" in text:  # extrapolation
        return f"Question: Can you tell me, {_wh(answer).lower()} — {rest}?"
    return f'"{_wh(answer)} {rest}?" That is my question.'


SEED_INSTRUCTIONS = [
    {"instruction": "Write a haiku about autumn leaves.", "output": "Red leaves drift and fall."},
    {
        "instruction": "Summarise the following paragraph in one sentence.",
        "input": "The council met on Monday and agreed to repair the old bridge next year.",
        "output": "The council agreed to repair the bridge next year.",
    },
    {"instruction": "Give three tips for sleeping better.", "output": "Keep a schedule; ..."},
]


def instruction_task() -> Task:
    return Task(name="h", type="instruction", domain="everyday tasks", example_noun="instruction")


def seed_examples() -> list[InstructionExample]:
    return [InstructionExample(**s) for s in SEED_INSTRUCTIONS]


TEMPLATES = ["Name three {} that grow in a garden.", "Explain how a {} works in one sentence."]


def instruction_answer(request: Request) -> str:
    """Deterministic per request: new instructions vary with the seed; responses answer."""
    text = request.messages[-1].content if request.messages else request.prompt or ""
    seed = request.seed or 0
    things = ["tomatoes", "bicycle", "kettle", "violin", "compass", "tulips", "clock"]
    if "Carry out this instruction" in text:
        return f"Input: <none>\nOutput: A clear and short answer, number {seed % 97}."
    return TEMPLATES[seed % 2].format(things[seed % 7])


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
]


class InstructWriter:
    """Proposes NEW_INSTRUCTIONS in turn (so a test knows what comes), answers the rest."""

    def __init__(self) -> None:
        self.proposed = 0

    def __call__(self, request: Request) -> str:
        text = request.messages[-1].content if request.messages else request.prompt or ""
        if "of the same kind" in text:  # S3: a new instruction like the real one shown
            shown = re.search(r'^"(.+)"$', text, re.MULTILINE)
            assert shown is not None
            words = shown.group(1).rstrip(".?").split()
            return f"Sure!\nLikewise, {' '.join(words[::2])} for my aunt."  # reworded
        if "Carry out this instruction" in text and "Likewise," in text:
            example = re.search(r"^Output: (.+)$", text, re.MULTILINE)  # the error, shown
            assert example is not None
            return f"Input: <none>\nOutput: Sure! {example.group(1)}\nI hope this helps!"
        if "Carry out this instruction" in text:
            wanted = text.split("Instruction:")[-1].split("\n")[0].strip()
            if "given" in wanted or "following" in wanted:
                return "Input: The cat sat on the mat.\nOutput: Le chat était assis."
            topic = wanted.rstrip(".").split()[-1]
            return f"Input: <none>\nOutput: Sure! First this, then that, for the {topic}."
        item = NEW_INSTRUCTIONS[self.proposed % len(NEW_INSTRUCTIONS)]
        self.proposed += 1
        return f"Sure! Here is a new instruction:\n{item}"


def premise_pairs(task: Task, hypothesis: Callable[[str, random.Random], str]) -> list[Record]:
    """An NLI-style set: 30 premises of unique words, one hypothesis per label for each,
    written by ``hypothesis(label, rng)``."""
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(2000)]
    records: list[Record] = []
    for _ in range(30):
        text = " ".join(rng.sample(vocab, 12))
        for label in task.labels:
            inputs = {"premise": text, "hypothesis": hypothesis(label, rng)}
            records.append(Record(id=f"r{len(records)}", inputs=inputs, label=label))
    return records


def flip_labels(task: Task, records: list[Record], ids: set[str]) -> list[Record]:
    """``records`` with the records ``ids`` given the other label of a two-label task."""
    first, second = task.labels
    other = {first: second, second: first}
    return [replace(r, label=other[r.label]) if r.id in ids else r for r in records]


SAID = {"entailment": "A {} exists there.", "not_entailment": "No {} was ever there."}


def said_pairs(task: Task) -> list[Record]:
    """:func:`premise_pairs` whose hypotheses carry their label in a word (``SAID``)."""
    return premise_pairs(task, lambda label, rng: SAID[label].format(rng.randrange(100)))
