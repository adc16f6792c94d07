"""S3 judged by the user's own real data: the held-out strategy.

Seeding and extrapolating are the example strategy's (the same prompts, so the same
cached answers). Assessing differs: every round chooses the final model's knobs (learner,
regularisation, synthetic weight; 0 = the real data alone) by cross-fitted held-out
accuracy over the real records (:mod:`synthloop.evaluate.heldout`), and the errors to
extrapolate are *that* model's held-out mistakes. Synthetic records made from fold k's
errors never help score fold k, so the score never rewards imitating the records it is
measured on. Run it in :func:`~synthloop.s3.loop.s3_loop` with ``patience`` to stop when
held-out accuracy stops rising and keep the best round's data.

Each round also carries the number the example strategy mines on, the validation score
of the chosen learner trained on the synthetic data alone (``val``): it rises by
construction; the held-out score is the one to trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synthloop.core.records import Record
from synthloop.evaluate.heldout import Candidate, Selection, choose, fit
from synthloop.evaluate.indirect import score
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.strategy import Assessment


class HeldOutStrategy(ExampleStrategy):
    """``candidates``: the knobs tried each round, in tie-break order (the simplest,
    least synthetic first; :func:`synthloop.evaluate.heldout.grid`)."""

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not candidates:
            raise ValueError("the held-out strategy needs candidates to choose from")
        if self.folds is None:
            from synthloop.core.errors import ConfigError

            raise ConfigError(
                f"the heldout strategy cross-fits the {len(self.validation)} real records: "
                "s3.heldout_folds must be 2 or more, and every label needs at least 2 records"
            )
        self.candidates = list(candidates)
        self.selections: list[Selection] = []  # each round's, for whoever wants the table

    def assess(self, round: int, dataset: list[Record]) -> Assessment:
        task, real, folds = self.task, self.validation, self.folds
        assert folds is not None  # checked in __init__
        sel = choose(self.candidates, real, dataset, folds, task)
        self.selections.append(sel)
        alone = [h for h in sel.tried if h.candidate.use_real and h.candidate.weight == 0]
        baseline = max(alone, key=lambda h: h.scores.accuracy) if alone else sel.best
        chosen = sel.best.candidate
        only = Candidate(chosen.learner, chosen.C, 1.0, use_real=False)
        mined = score(fit(only, real, dataset, task), real, task)
        test = test_with_real = None
        if self.test:
            test = score(fit(only, real, dataset, task), self.test, task)
            test_with_real = score(fit(chosen, real, dataset, task), self.test, task)
        report = {
            "synthetic": len(dataset),
            "heldout_with_real": sel.best.scores.as_dict(),
            "choice": chosen.name,
            "heldout_real_alone": baseline.scores.as_dict(),
            "mined": mined.as_dict(),
            "errors": len(sel.best.errors),
            "test": test.as_dict() if test else None,
            "test_with_real": test_with_real.as_dict() if test_with_real else None,
        }
        return Assessment(
            val=mined,
            errors=sel.best.errors,
            test=test,
            test_with_real=test_with_real,
            report=report,
            heldout=None,
            heldout_with_real=sel.best.scores,
        )

    def choice(self, round: int) -> Candidate:
        """The knobs chosen in ``round``."""
        return self.selections[round].best.candidate
