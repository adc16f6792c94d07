"""Curation: turn a generated set into a smaller, cleaner, weighted one, and say why.

Steps (filters, re-weighting, relabelling, a person's review) each return the kept records
and an audit of what they dropped or changed and why; see :mod:`synthloop.curate.base`.
"""

from typing import TYPE_CHECKING

from synthloop.core.lazy import lazy_exports

if TYPE_CHECKING:
    from synthloop.curate.base import AuditEntry, CurateContext, FilterStep, Step, StepResult
    from synthloop.curate.confidence import ConfidenceFilter, LLMAgreementFilter
    from synthloop.curate.crossval import cross_val_proba
    from synthloop.curate.dedup import EmbeddingDedup, ExactDedup, MinHashDedup, normalise
    from synthloop.curate.heuristics import (
        LanguageFilter,
        LengthFilter,
        NonTextFilter,
        PlaceholderFilter,
        PromptLeftoverFilter,
        RefusalFilter,
        RepetitionFilter,
    )
    from synthloop.curate.pipeline import (
        DEFAULT_STEPS,
        STEPS,
        CurateConfig,
        CurationResult,
        Pipeline,
        make_step,
        parse_steps_option,
        with_review,
    )
    from synthloop.curate.relabel import CrossPartitionRelabel
    from synthloop.curate.review import HumanReview, ReviewStore, build_queue
    from synthloop.curate.rounds import RoundCurator
    from synthloop.curate.weighting import ConfidenceWeighting, SunGenWeighting
    from synthloop.learners.crossval import CrossVal

_EXPORTS = {
    "AuditEntry": ".base",
    "ConfidenceFilter": ".confidence",
    "ConfidenceWeighting": ".weighting",
    "CrossPartitionRelabel": ".relabel",
    "CrossVal": "synthloop.learners.crossval",
    "CurateConfig": ".pipeline",
    "CurateContext": ".base",
    "CurationResult": ".pipeline",
    "DEFAULT_STEPS": ".pipeline",
    "EmbeddingDedup": ".dedup",
    "ExactDedup": ".dedup",
    "FilterStep": ".base",
    "HumanReview": ".review",
    "LLMAgreementFilter": ".confidence",
    "LanguageFilter": ".heuristics",
    "LengthFilter": ".heuristics",
    "MinHashDedup": ".dedup",
    "NonTextFilter": ".heuristics",
    "Pipeline": ".pipeline",
    "PlaceholderFilter": ".heuristics",
    "PromptLeftoverFilter": ".heuristics",
    "RefusalFilter": ".heuristics",
    "RepetitionFilter": ".heuristics",
    "ReviewStore": ".review",
    "RoundCurator": ".rounds",
    "STEPS": ".pipeline",
    "Step": ".base",
    "StepResult": ".base",
    "SunGenWeighting": ".weighting",
    "build_queue": ".review",
    "cross_val_proba": ".crossval",
    "make_step": ".pipeline",
    "normalise": ".dedup",
    "parse_steps_option": ".pipeline",
    "with_review": ".pipeline",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [
    "DEFAULT_STEPS",
    "STEPS",
    "AuditEntry",
    "ConfidenceFilter",
    "ConfidenceWeighting",
    "CrossPartitionRelabel",
    "CrossVal",
    "CurateConfig",
    "CurateContext",
    "CurationResult",
    "EmbeddingDedup",
    "ExactDedup",
    "FilterStep",
    "HumanReview",
    "LLMAgreementFilter",
    "LanguageFilter",
    "LengthFilter",
    "MinHashDedup",
    "NonTextFilter",
    "Pipeline",
    "PlaceholderFilter",
    "PromptLeftoverFilter",
    "RefusalFilter",
    "RepetitionFilter",
    "ReviewStore",
    "RoundCurator",
    "Step",
    "StepResult",
    "SunGenWeighting",
    "build_queue",
    "cross_val_proba",
    "make_step",
    "normalise",
    "parse_steps_option",
    "with_review",
]
