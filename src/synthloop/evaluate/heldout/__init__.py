"""Honest measurement on the user's real data: cross-fitted held-out scores (synthetic
records never help score the fold they were made from) and knobs chosen on them only.
The S3 loop reports these beside the mined validation score, and the held-out strategy
(:mod:`synthloop.s3.heldout`) mines the errors they find."""

from synthloop.evaluate.heldout.crossfit import (
    Candidate,
    Folds,
    HeldOut,
    fit,
    held_out,
    out_of_fold,
)
from synthloop.evaluate.heldout.select import (
    C_GRID,
    WEIGHT_GRID,
    FinalModel,
    Selection,
    choose,
    choose_final,
    default_learners,
    final_grid,
    grid,
)

__all__ = [
    "C_GRID",
    "WEIGHT_GRID",
    "Candidate",
    "FinalModel",
    "Folds",
    "HeldOut",
    "Selection",
    "choose",
    "choose_final",
    "default_learners",
    "final_grid",
    "fit",
    "grid",
    "held_out",
    "out_of_fold",
]
