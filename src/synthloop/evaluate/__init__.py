"""Evaluation of synthetic data.

- direct: :mod:`diversity` (lexical and embedding diversity), :mod:`faithfulness` (label
  accuracy from an auxiliary model and an LLM judge, judge ratings), :mod:`distance`
  (lengths, labels, vocabulary, embedding-space distance to real data);
- indirect: :mod:`indirect` (train small models on synthetic data, score them on real data);
- :mod:`evaluation` runs them all over a dataset and returns one JSON-able dict.
"""

from synthloop.evaluate.indirect import (
    Scores,
    confusion,
    fit_on,
    indirect_evaluation,
    misclassified,
    score,
    train_and_score,
)

__all__ = [
    "Scores",
    "confusion",
    "fit_on",
    "indirect_evaluation",
    "misclassified",
    "score",
    "train_and_score",
]
