"""The steps ``synthloop curate`` runs when none are given (a module of its own, so the
command's help can name them without loading the steps)."""

from __future__ import annotations

from typing import Any

#: What ``synthloop curate`` runs when no steps are given: cheap, model-free filters, then
#: a cross-validated confidence check that queues doubtful records for a person.
DEFAULT_STEPS: list[str | dict[str, Any]] = [
    "exact_dedup",
    "minhash_dedup",
    "length",
    "repetition",
    "non_text",
    "language",
    "prompt_leftover",
    "placeholder",
    "refusal",
    {"confidence": {"mode": "flag"}},
]
