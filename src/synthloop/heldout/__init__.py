"""Honest measurement for S3 on the user's real data: cross-fitted held-out scores,
knobs chosen on held-out data only, and the loop that uses them."""

from synthloop.heldout.crossfit import Candidate, Folds, HeldOut, fit, held_out, out_of_fold
from synthloop.heldout.loop import (
    HonestRound,
    HonestS3Config,
    HonestS3Result,
    best_round,
    s3_with_real,
    should_stop,
)
from synthloop.heldout.select import C_GRID, WEIGHT_GRID, Selection, choose, grid

__all__ = [
    "C_GRID",
    "WEIGHT_GRID",
    "Candidate",
    "Folds",
    "HeldOut",
    "HonestRound",
    "HonestS3Config",
    "HonestS3Result",
    "Selection",
    "best_round",
    "choose",
    "fit",
    "grid",
    "held_out",
    "out_of_fold",
    "s3_with_real",
    "should_stop",
]
