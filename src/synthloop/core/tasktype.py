"""The task type contract: what differs between classification, sentence pairs, extractive
QA, instruction data — and any type added after them.

A type is one folder, ``synthloop/tasktypes/<name>/``, holding a :class:`TaskType` subclass
(its default inputs, labels or not, default learner, metrics, reject rules, anchors, HF
features) and its prompt templates, plus one line in the registry
(``synthloop/tasktypes/__init__.py``). Everything else — tasks, generators, the S3 loop,
evaluation, export — asks the task's type instead of branching on its name.

:class:`Scores` are what a type's metrics return: two figures, named by the type
(accuracy and macro-F1; exact match and token F1; ROUGE-L and coverage).

The contract lives here, beside :class:`~synthloop.core.tasks.Task`, so that a task can
check itself against its type; the built-in types are loaded on the first lookup.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from synthloop.core.records import Record
    from synthloop.core.tasks import LearnerInput, Task

_COUNTS = {1: "one", 2: "two", 3: "three"}


@dataclass(frozen=True)
class Scores:
    accuracy: float  # the headline figure (QA: exact match; instruction: ROUGE-L)
    macro_f1: float  # the second figure (QA: token F1; instruction: coverage)
    n: int
    kind: str = "classification"  # the task type, which names the figures

    def as_dict(self) -> dict[str, float | int]:
        spec = task_type(self.kind)
        first, second = spec.metric_names
        a, b = self.accuracy, self.macro_f1
        if spec.metric_digits is not None:
            a, b = round(a, spec.metric_digits), round(b, spec.metric_digits)
        return {first: a, second: b, "n": self.n}

    def __getitem__(self, name: str) -> float | int:
        """A figure by the name its type gives it (``scores["exact_match"]``), unrounded."""
        first, second = task_type(self.kind).metric_names
        values = {first: self.accuracy, second: self.macro_f1, "n": self.n}
        if name not in values:
            raise KeyError(f"{self.kind} scores are {first}, {second} and n, not {name!r}")
        return values[name]


class TaskType:
    """Defaults that fit a single-text labelled task; a type overrides what differs."""

    #: the ``type:`` a task YAML names
    name: ClassVar[str] = "abstract"
    #: input fields when a task names none
    inputs: ClassVar[tuple[str, ...]] = ("text",)
    #: records carry a class label (else a free-text label: an answer, a response)
    labelled: ClassVar[bool] = True
    #: what an unlabelled record's label is, for messages
    label_noun: ClassVar[str] = "label"
    #: every input but the generated one is kept from real data (a premise, a passage)
    keeps_real_inputs: ClassVar[bool] = False
    #: the small model S3 trains by default (None: a run config cannot run S3 on it) ...
    default_learner: ClassVar[str | None] = "tfidf_lr"
    #: ... and the command that does (instruction data: ``synthloop self-instruct``)
    s3_command: ClassVar[str | None] = None
    #: the names of a Scores' two figures, and the digits they are rounded to
    metric_names: ClassVar[tuple[str, str]] = ("accuracy", "macro_f1")
    metric_digits: ClassVar[int | None] = None
    #: the folder of this type's prompt templates (None: the package's only)
    templates: ClassVar[Path | None] = None
    #: prompt templates of generation steps are named ``<prefix><step>``
    template_prefix: ClassVar[str] = ""
    #: the generation steps whose templates this type's folder holds (chat and completion)
    steps: ClassVar[tuple[str, ...]] = (
        "rationales",
        "s3_seed",
        "zerogen",
        "extrapolate",
        "sample_rationale",
    )
    #: what the two figures are called in tables
    metric_titles: ClassVar[tuple[str, str]] = ("acc", "macro-F1")
    #: what the Hugging Face hub calls this kind of dataset
    hf_task_category: ClassVar[str] = "text-classification"

    # -- the task -------------------------------------------------------------------------

    def check(self, task: Task) -> str | None:
        """Why ``task`` does not fit this type, or None."""
        if self.labelled and len(task.labels) < 2:
            return f"a {self.name} task needs at least two labels"
        if not self.labelled and task.labels:
            return (
                f"a {self.name} task declares no labels (a record's label is its {self.label_noun})"
            )
        if len(task.inputs) != len(self.inputs):
            n = len(self.inputs)
            plural = "s" if n > 1 else ""
            return f"a {self.name} task has exactly {_COUNTS.get(n, n)} input field{plural}"
        return None

    def generated_field(self, task: Task) -> str:
        """The input the LLM writes: the only one, else the second."""
        return task.inputs[0] if len(task.inputs) == 1 else task.inputs[1]

    def required_inputs(self, task: Task) -> tuple[str, ...]:
        """Inputs a real record must fill (a blank one is not an example of the task)."""
        return task.inputs

    def kept_fields(self, task: Task) -> tuple[str, ...]:
        """Inputs kept from real data when generating (a premise, a passage)."""
        if not self.keeps_real_inputs:
            return ()
        generated = task.generated_field
        return tuple(f for f in task.inputs if f != generated)

    def learner_input(self, task: Task, record: Record) -> LearnerInput:
        """What a small model is trained on: the text, or the input fields in order."""
        if len(task.inputs) == 1:
            return record.inputs[task.inputs[0]]
        return tuple(record.inputs[f] for f in task.inputs)

    def check_row(self, task: Task, inputs: dict[str, str], label: str) -> str | None:
        """Why a real row does not fit (beyond its label being one of the task's), or None."""
        return None

    # -- generation -----------------------------------------------------------------------

    def template(self, step: str) -> str:
        """The prompt template of a generation step (``zerogen`` → ``pair_zerogen``)."""
        return self.template_prefix + step

    def anchor_label(self, task: Task, fixed: dict[str, str], rng: random.Random) -> str | None:
        """The fixed target of an example kept on these real inputs (a QA answer span), or
        None to go through the labels in turn. Raise :class:`LookupError` when these inputs
        offer none (the anchor is skipped)."""
        return None

    def clean(self, text: str) -> str:
        """A parsed answer, trimmed to the one example asked for."""
        return text

    def reject_raw(self, task: Task, raw: str) -> str | None:
        """Why an answer, as the LLM wrote it, is no example of this type, or None: what the
        parser would cut off says so ("Headline: Storm hits coast" is a headline, not a
        hypothesis with its label cut off). Asked once the parser has found an example."""
        return None

    def reject(
        self, task: Task, text: str, label: str, fixed: Mapping[str, str] | None = None
    ) -> str | None:
        """Why a parsed answer is no example of this type (beyond the rules every type
        shares), or None; ``fixed`` holds the real inputs it was written for (a premise, a
        passage), when it keeps any."""
        return None

    # -- evaluation -----------------------------------------------------------------------

    def score(
        self,
        pred: Sequence[Any],
        records: Sequence[Record],
        task: Task,
        *,
        train: Sequence[Record] | None = None,
    ) -> Scores:
        """A small model's predictions scored against the records' labels (``train``, the
        records it learnt from, for figures that compare the two)."""
        from sklearn.metrics import accuracy_score, f1_score

        gold = [r.label for r in records]
        return Scores(
            accuracy=float(accuracy_score(gold, list(pred))),
            macro_f1=float(
                f1_score(
                    gold, list(pred), labels=task.label_names, average="macro", zero_division=0
                )
            ),
            n=len(records),
            kind=self.name,
        )

    def wrong(self, pred: Sequence[Any], records: Sequence[Record], task: Task) -> list[Record]:
        """The records whose prediction is wrong."""
        return [r for r, p in zip(records, pred, strict=True) if p != r.label]

    # -- Hugging Face ---------------------------------------------------------------------

    def hf_label_feature(self, task: Task) -> Any:
        """The ``datasets`` feature of the label column."""
        import datasets

        if self.labelled:
            return datasets.ClassLabel(names=task.label_names)
        return datasets.Value("string")


_REGISTRY: dict[str, TaskType] = {}


def register_task_type(task_type: TaskType) -> TaskType:
    """Make ``task_type`` known by its name (the registry in ``synthloop.tasktypes`` calls
    this for the built-in types; a plugin outside the package calls it itself)."""
    _REGISTRY[task_type.name] = task_type
    return task_type


def unregister_task_type(name: str) -> None:
    _REGISTRY.pop(name, None)


def task_types() -> dict[str, TaskType]:
    """Every registered type by name (the built-in ones loaded on first use)."""
    if not _REGISTRY:
        importlib.import_module("synthloop.tasktypes")  # registers the built-in types
    return dict(_REGISTRY)


def task_type(name: str) -> TaskType:
    """The registered type ``name``; a ValueError listing the types otherwise."""
    types = task_types()
    if name not in types:
        raise ValueError(f"unknown task type {name!r}; choose one of: {', '.join(types)}")
    return types[name]
