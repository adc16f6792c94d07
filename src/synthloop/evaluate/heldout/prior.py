"""Synthetic data re-weighted to the label mix of the user's real data.

A generator's records follow the labels it was asked for, not the labels real data
carries: S3 imitates a model's errors, so its records follow the errors' labels (on
sms_spam 68–82 % spam, where the real data is 13 % spam), and ZeroGen asks for every label
equally often. A model trained on such data learns that mix as its prior. Weighting each
synthetic record by (real share of its label) / (synthetic share of its label) gives the
synthetic set the real mix and keeps its total weight, without dropping a record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from synthloop.core.records import Record
from synthloop.evaluate.heldout.crossfit import Prepare


def match_real_prior() -> Prepare:
    """A :data:`~synthloop.evaluate.heldout.crossfit.Prepare` that re-weights the synthetic
    records to the label mix of the real records a model trains on (one fold's training part
    when cross-fitting: the mix is the user's own knowledge, never the scored records').
    A label the real records lack gets weight 0; weights multiply curation's own."""

    def prepare(real: Sequence[Record], synthetic: Sequence[Record]) -> list[Record]:
        if not real or not synthetic:
            return list(synthetic)
        real_count = Counter(r.label for r in real)
        syn_count = Counter(r.label for r in synthetic)
        scale = len(synthetic) / len(real)  # count ratios times this = share ratios
        out = []
        for r in synthetic:
            w = scale * real_count.get(r.label, 0) / syn_count[r.label]
            out.append(
                replace(r, extra={**r.extra, "weight": float(r.extra.get("weight", 1.0)) * w})
            )
        return out

    return prepare
