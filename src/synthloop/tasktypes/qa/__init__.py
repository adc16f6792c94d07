"""Extractive question answering: the LLM writes the question for a real passage and an
answer span of it; a small model (``span_lr``) is scored by SQuAD's exact match and F1."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from synthloop.core.records import Record
from synthloop.core.tasks import LearnerInput, Task
from synthloop.core.tasktype import Scores, TaskType
from synthloop.tasktypes.rules import ITEM_MARK, QUOTES, lists_several, lowered

#: what a small model wraps its question in: "What is the answer to the question: ...?",
#: "Question 2:", "Here is a question about the passage: ...", "Answer this question -"
_WRAPPER = re.compile(
    r"^(?:(?:what is|what's|what does)\s+)?(?:the\s+)?answer\s+(?:to\s+)?(?:the|this|that|a|my)\s+"
    r"(?:following\s+)?question|"
    r"^(?:(?:here\s+is|here's|this\s+is)\s+)?(?:(?:a|an|the|my|one)\s+)?"
    r"(?:(?:new|possible|suggested|sample|good)\s+)?question(?![a-z])(?:\s*\d+)?"
    r"(?:\s+(?:about|for|on|from|based\s+on)\s+(?:the|this|that)\s+"
    r"(?:passage|text|context|paragraph|article))?",
    re.IGNORECASE,
)

#: a question in double quotes soon after the word "question", anywhere: 'In this
#: context, the question "Who built it?"', 'A question about this context, which is "…?"'
_QUOTED_QUESTION = re.compile(r'\bquestions?\b[^"“?]{0,40}?["“]([^"”?]+\?)', re.I)


def _unwrapped(text: str) -> str:
    """The question inside a wrapper of meta text, or ``text`` when it has none: the
    wrapper must end in a colon or dash, or in a quote opening the question; else a
    question in double quotes after the word "question" is the one asked."""
    found = _WRAPPER.match(text)
    rest = text[found.end() :].lstrip() if found else ""
    if rest and rest[0] in ":-–—":
        rest = rest[1:].lstrip()
    elif rest[:1] not in QUOTES:
        rest = ""  # "What is the answer to the question of ...?" asks a question itself
    if rest:
        inner = rest.strip(QUOTES + " ")
        if "?" in rest and not inner.endswith("?"):
            inner = rest.split("?")[0].strip(QUOTES + " ") + "?"
        if "?" in inner and len(inner.split()) >= 3:
            return inner
    quoted = _QUOTED_QUESTION.search(text)
    inner = quoted[1].strip() if quoted else ""
    return inner if len(inner.split()) >= 3 else text


def _content_stems(text: str) -> set[str]:
    """The content words of ``text`` (not stopwords), lowercased, without a possessive,
    cut to five letters: a crude stem, so "founded" meets "founder" and "Bach's" "Bach"."""
    from synthloop.tasktypes.qa.spans import is_content, tokenize

    return {
        t.lower.removesuffix("'s").removesuffix("’s")[:5] for t in tokenize(text) if is_content(t)
    }


class QA(TaskType):
    name = "qa"
    inputs = ("context", "question")
    labelled = False
    label_noun = "answer"
    keeps_real_inputs = True
    default_learner = "span_lr"
    metric_names = ("exact_match", "f1")
    metric_titles = ("exact match", "F1")
    templates: ClassVar[Path | None] = Path(__file__).parent / "templates"
    template_prefix = "qa_"
    steps = ("s3_seed", "zerogen", "extrapolate", "sample_rationale")  # no labels: no rationales
    hf_task_category = "question-answering"

    def learner_input(self, task: Task, record: Record) -> LearnerInput:
        # always (context, question), whatever order the task declares
        return (record.inputs[task.kept_fields[0]], record.inputs[task.generated_field])

    def check_row(self, task: Task, inputs: dict[str, str], label: str) -> str | None:
        passage = task.kept_fields[0]
        if not label.strip() or label not in inputs[passage]:
            return (
                f"the answer {label!r} is not a span of its {passage} (extractive QA needs "
                "answers copied from the passage)"
            )
        return None

    def anchor_label(self, task: Task, fixed: dict[str, str], rng: random.Random) -> str | None:
        from synthloop.tasktypes.qa.spans import salient_spans

        spans = salient_spans(fixed[task.kept_fields[0]])
        if not spans:
            raise LookupError("no passage has a name, number or year to ask about")
        return rng.choice(spans)

    def clean(self, text: str) -> str:
        # The question a small model wrapped in meta text is kept, the wrapper cut (the
        # parser cuts "Question:" only when the task's example_noun says "question").
        # Nothing is cut from any of QNLI's 5,463 real questions (train + test). A lone
        # list item's mark goes too ("1. Who built it?"; a list is dropped by reject_raw).
        text = ITEM_MARK.sub("", text.strip(), count=1)
        while (inner := _unwrapped(text)) != text:  # a wrapper inside a wrapper
            text = inner
        if "?" in text:  # one question: cut what a small model adds after it
            text = text.split("?")[0].strip().lstrip("\"'“‘«").strip() + "?"
        return text

    def reject_raw(self, task: Task, raw: str) -> str | None:
        # "1. Who built it?\n2. When?" is a list of questions: the parser would keep the
        # first, which need not be the one the anchored answer answers. False rejects on
        # real data: 0 of QNLI's 5,463 questions (train + test).
        if lists_several(raw):
            return "list_of_answers"
        return None

    def reject(
        self, task: Task, text: str, label: str, fixed: Mapping[str, str] | None = None
    ) -> str | None:
        if "?" not in text:
            return "not_a_question"
        if lowered(label) in lowered(text):
            return "answer_in_question"
        passage = (fixed or {}).get(task.kept_fields[0])
        if passage is not None and not _content_stems(text) & _content_stems(passage):
            # "What is the answer to this question?" asks about no passage. A real question
            # names something of its passage: of QNLI's 2,702 questions whose sentence
            # holds the answer, 2.8% share no content word with that one sentence (mostly
            # "he"/"it" standing for a name said earlier in the paragraph), 0.5% of the
            # 1,362 questions with several sentences with all of them, and none of the
            # 30 demo questions with their passage.
            return "question_off_passage"
        return None

    def score(
        self,
        pred: Sequence[Any],
        records: Sequence[Record],
        task: Task,
        *,
        train: Sequence[Record] | None = None,
    ) -> Scores:
        from synthloop.tasktypes.qa.metrics import qa_scores

        em, f1 = qa_scores([str(p) for p in pred], [r.label for r in records])
        return Scores(accuracy=em, macro_f1=f1, n=len(records), kind=self.name)

    def wrong(self, pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
        from synthloop.tasktypes.qa.metrics import exact_match

        return [r for r, p in zip(records, pred, strict=True) if not exact_match(str(p), r.label)]
