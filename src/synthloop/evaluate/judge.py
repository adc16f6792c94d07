"""The LLM as a judge: which label fits a text, how fluent and on-task it is (1–5, with a
rubric), and which of two texts is the better example. Prompts are plain strings here so a
reader sees exactly what the judge is asked; answers are parsed leniently, and an answer
that cannot be parsed counts as no answer, never as a guess."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from synthloop.core.seeds import derive_seed
from synthloop.core.tasks import Task, with_article
from synthloop.llm import LLM, Request, complete_many
from synthloop.llm.progress import llm_progress

LABEL_PROMPT = """\
Here is {a_noun} ({domain}):

"{text}"

Which label fits it best?
{label_lines}

Answer with the label name only."""

# One aspect per prompt: small judges answer "Rating: 4" but do not keep a two-line format.
RUBRICS = {
    "fluency": """\
1 = not readable, broken words or sentences
2 = hard to read, many errors
3 = readable with some awkward or broken parts
4 = fluent with small slips
5 = natural, fluent English a person would write""",
    "relevance": """\
1 = not {a_noun} at all (an instruction, a list, chatter about the task)
2 = barely related to {domain}
3 = about {domain} but not clearly {a_noun}
4 = {a_noun}, with some off-task text
5 = exactly {a_noun} about {domain}""",
}

RATING_PROMPT = """\
Rate the {aspect} of this {noun} ({domain}) from 1 to 5.

"{text}"

Rubric for {aspect}:
{rubric}

Answer with one number from 1 to 5."""

PAIR_PROMPT = """\
Two {noun}s ({domain}):

Text A: "{first}"

Text B: "{second}"

Which one is the better, more realistic {noun}? Answer "A" or "B" only."""

SYSTEM = "You are a careful annotator. Follow the answer format exactly."


def _request(prompt: str, seed: int, max_tokens: int) -> Request:
    # temperature 0: a judge should give the same verdict every time it is asked
    return Request.chat(prompt, system=SYSTEM, temperature=0.0, max_tokens=max_tokens, seed=seed)


def parse_label(answer: str, labels: Sequence[str]) -> str | None:
    """The label named first in the answer (whole words, any case), or None."""
    best: tuple[int, str] | None = None
    for label in labels:
        m = re.search(rf"(?<!\w){re.escape(label.lower())}(?!\w)", answer.lower())
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), label)
    return best[1] if best else None


def parse_rating(answer: str) -> int | None:
    """The first number in the answer, if it is a rating from 1 to 5 ("4.5" reads as 4)."""
    m = re.search(r"(?<![\d.])(\d+(?:\.\d+)?)", answer)
    if not m:
        return None
    value = int(float(m.group(1)))
    return value if 1 <= value <= 5 else None


def parse_choice(answer: str) -> str | None:
    m = re.search(r"\b(?:text\s+)?([AB])\b", answer.strip())
    return m.group(1) if m else None


@dataclass(frozen=True)
class Rating:
    fluency: int | None
    relevance: int | None


async def judge_labels(
    llm: LLM,
    task: Task,
    texts: Sequence[str],
    *,
    seed: int = 0,
    show_progress: bool = False,
) -> list[str | None]:
    label_lines = "\n".join(f"- {name}: {desc}" for name, desc in task.labels.items())
    requests = [
        _request(
            LABEL_PROMPT.format(
                a_noun=with_article(task.example_noun),
                domain=task.domain,
                text=t,
                label_lines=label_lines,
            ),
            derive_seed(seed, "judge-label", i),
            max_tokens=8,
        )
        for i, t in enumerate(texts)
    ]
    with llm_progress("judge: labels", len(requests), enabled=show_progress) as done:
        answers = await complete_many(llm, requests, done)
    return [parse_label(a.text, task.label_names) for a in answers]


async def judge_ratings(
    llm: LLM,
    task: Task,
    texts: Sequence[str],
    *,
    seed: int = 0,
    show_progress: bool = False,
) -> list[Rating]:
    """Fluency and task relevance of each text, 1–5, one prompt per aspect."""
    requests = []
    for aspect in ("fluency", "relevance"):
        rubric = RUBRICS[aspect].format(a_noun=with_article(task.example_noun), domain=task.domain)
        for i, t in enumerate(texts):
            prompt = RATING_PROMPT.format(
                aspect="task relevance" if aspect == "relevance" else aspect,
                noun=task.example_noun,
                domain=task.domain,
                text=t,
                rubric=rubric,
            )
            requests.append(_request(prompt, derive_seed(seed, "judge-rating", aspect, i), 8))
    with llm_progress("judge: ratings", len(requests), enabled=show_progress) as done:
        answers = await complete_many(llm, requests, done)
    n = len(texts)
    return [
        Rating(parse_rating(answers[i].text), parse_rating(answers[n + i].text)) for i in range(n)
    ]


async def judge_pairs(
    llm: LLM,
    task: Task,
    candidates: Sequence[str],
    references: Sequence[str],
    *,
    seed: int = 0,
    show_progress: bool = False,
) -> dict[str, float | int]:
    """Pairwise preference of candidate vs reference texts, each pair asked in both orders.

    A candidate wins a pair only if the judge prefers it in both orders, loses only if the
    judge prefers the reference both times; anything else (the judge picks the same
    position twice, or no parsable answer) is a tie. Asking both orders cancels the
    judge's bias for the first or second position.
    """
    pairs = list(zip(candidates, references, strict=False))
    requests = []
    for i, (cand, ref) in enumerate(pairs):
        for order, (first, second) in enumerate(((cand, ref), (ref, cand))):
            prompt = PAIR_PROMPT.format(
                noun=task.example_noun, domain=task.domain, first=first, second=second
            )
            requests.append(_request(prompt, derive_seed(seed, "judge-pair", i, order), 4))
    with llm_progress("judge: pairs", len(requests), enabled=show_progress) as done:
        answers = await complete_many(llm, requests, done)
    wins = losses = 0
    for i in range(len(pairs)):
        straight = parse_choice(answers[2 * i].text)
        swapped = parse_choice(answers[2 * i + 1].text)
        if straight == "A" and swapped == "B":
            wins += 1
        elif straight == "B" and swapped == "A":
            losses += 1
    n = len(pairs)
    ties = n - wins - losses
    return {
        "n": n,
        "wins": wins,
        "losses": losses,
        "ties": ties,
        "win_rate": (wins + 0.5 * ties) / n if n else 0.0,
    }
