"""Extractive QA's small model: score every candidate span of the passage, answer the best.

A candidate is a run of up to ``max_span_tokens`` tokens inside one sentence (see
:mod:`synthloop.tasktypes.qa.spans`). Its features are the classic sliding-window signals
plus answer type: how many of the question's words sit near the span and in its sentence, the MiniLM
cosine between the question and that sentence, whether the span repeats the question,
its length, and its shape (year, number, name, lower case) crossed with the question's
wh-word. A logistic regression learns, from (passage, question, answer) records, which
spans are answers; prediction returns the highest-scoring span's text.

Inputs are ``(context, question)`` tuples (:meth:`Task.learner_input` for ``qa`` tasks),
labels are the answer strings.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from synthloop.core.embeddings import Embedder, default_embedder
from synthloop.core.errors import DataError
from synthloop.core.tasks import LearnerInput
from synthloop.tasktypes.qa.metrics import normalize_answer
from synthloop.tasktypes.qa.spans import Span, Token, candidate_spans, is_content, tokenize

WH = ("who", "when", "where", "how many", "what", "how", "other")
SHAPES = ("year", "number", "name", "mixed", "lower")
_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")
WINDOW = 8


def _stem(word: str) -> str:
    return word.lower()[:6]  # crude, but "invented"/"invention" meet


def wh_type(question: str) -> str:
    q = question.lower()
    if "how many" in q or "how much" in q:
        return "how many"
    for w in ("who", "when", "where", "what", "which", "how", "whom", "whose"):
        if re.search(rf"\b{w}\b", q):
            return {"which": "what", "whom": "who", "whose": "who"}.get(w, w)
    return "other"


def span_shape(tokens: Sequence[Token]) -> str:
    words = [t.text for t in tokens if t.text[0].isalnum()]
    if len(words) == 1 and _YEAR.match(words[0]):
        return "year"
    if any(ch.isdigit() for w in words for ch in w):
        return "number"
    content = [t.text for t in tokens if is_content(t)]
    if content and all(w[0].isupper() for w in content):
        return "name"
    if any(w[0].isupper() for w in words):
        return "mixed"
    return "lower"


def _one_hot(value: str, options: Sequence[str]) -> list[float]:
    return [float(value == o) for o in options]


class _Passage:
    """A passage's tokens, candidates and the per-question matching state."""

    def __init__(self, context: str, max_len: int) -> None:
        self.context = context
        self.tokens = tokenize(context)
        self.spans = candidate_spans(self.tokens, max_len)
        n_sent = (self.tokens[-1].sentence + 1) if self.tokens else 0
        self.sentences = []
        for s in range(n_sent):
            toks = [t for t in self.tokens if t.sentence == s]
            self.sentences.append(context[toks[0].start : toks[-1].end] if toks else "")

    def text(self, span: Span) -> str:
        return self.context[span.char_start : span.char_end]


def _features(
    passage: _Passage, question: str, spans: Sequence[Span], sent_cos: np.ndarray
) -> np.ndarray:
    q_stems = {_stem(t.text) for t in tokenize(question) if is_content(t)}
    n_q = max(1, len(q_stems))
    match = np.array([is_content(t) and _stem(t.text) in q_stems for t in passage.tokens], float)
    prefix = np.concatenate([[0.0], np.cumsum(match)])
    sent_of = np.array([t.sentence for t in passage.tokens])
    match_pos = np.flatnonzero(match)
    sent_overlap = {}
    for s in range(len(passage.sentences)):
        stems = {_stem(t.text) for t in passage.tokens if t.sentence == s and is_content(t)}
        sent_overlap[s] = len(stems & q_stems) / n_q
    wh = wh_type(question)
    rows = []
    n_tok = len(passage.tokens)
    for sp in spans:
        lo, hi = max(0, sp.start - WINDOW), min(n_tok, sp.end + WINDOW)
        inside = prefix[sp.end] - prefix[sp.start]
        near = (prefix[hi] - prefix[lo] - inside) / n_q
        span_tokens = passage.tokens[sp.start : sp.end]
        content = [t for t in span_tokens if is_content(t)]
        repeats = sum(_stem(t.text) in q_stems for t in content) / max(1, len(content))
        same_sentence = (
            match_pos[sent_of[match_pos] == sp.sentence] if len(match_pos) else np.array([], int)
        )
        if len(same_sentence):
            dist = np.min(
                np.where(
                    same_sentence < sp.start, sp.start - same_sentence, same_sentence - sp.end + 1
                )
            )
            closeness = 1.0 / (1.0 + max(0, dist))
        else:
            closeness = 0.0
        before = float(sp.start > 0 and match[sp.start - 1] > 0)
        after = float(sp.end < n_tok and match[sp.end] > 0)
        length = min(sp.end - sp.start, 5)
        shape = span_shape(span_tokens)
        cross = [float(wh == w and shape == s) for w in WH for s in SHAPES]
        rows.append(
            [
                min(near, 1.0),
                sent_overlap[sp.sentence],
                float(sent_cos[sp.sentence]),
                repeats,
                float(repeats == 0),
                closeness,
                before,
                after,
                *_one_hot(str(length), ("1", "2", "3", "4", "5")),
                *_one_hot(shape, SHAPES),
                *cross,
            ]
        )
    return np.asarray(rows, dtype=float)


class SpanLogisticRegression:
    def __init__(
        self,
        *,
        C: float = 1.0,
        max_span_tokens: int = 6,
        negatives_per_question: int = 40,
        max_iter: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.max_span_tokens = max_span_tokens
        self.negatives_per_question = negatives_per_question
        self.max_iter = max_iter
        self.random_state = random_state

    @staticmethod
    def _embedder() -> Embedder:
        return default_embedder()

    @staticmethod
    def _split(inputs: Sequence[LearnerInput]) -> list[tuple[str, str]]:
        pairs = []
        for x in inputs:
            if isinstance(x, str) or len(x) != 2:
                raise DataError("span_lr needs (context, question) pairs: use a qa task")
            pairs.append((x[0], x[1]))
        return pairs

    def _prepare(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[_Passage, str, np.ndarray]]:
        passages = {c: _Passage(c, self.max_span_tokens) for c, _ in pairs}
        sents = [s for p in passages.values() for s in p.sentences]
        questions = [q for _, q in pairs]
        vectors = self._embedder().encode([*sents, *questions])
        by_text = dict(zip([*sents, *questions], vectors, strict=True))
        out = []
        for c, q in pairs:
            p = passages[c]
            sv = np.stack([by_text[s] for s in p.sentences]) if p.sentences else np.zeros((0, 1))
            cos = sv @ by_text[q] if len(p.sentences) else np.zeros(0)
            out.append((p, q, cos))
        return out

    def fit(
        self,
        texts: Sequence[LearnerInput],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> SpanLogisticRegression:
        if len(texts) != len(labels):
            raise DataError(f"{len(texts)} questions but {len(labels)} answers")
        rng = random.Random(self.random_state)
        xs, ys, ws = [], [], []
        skipped = 0
        weights = [1.0] * len(texts) if sample_weight is None else list(sample_weight)
        for (p, q, cos), answer, w in zip(
            self._prepare(self._split(texts)), labels, weights, strict=True
        ):
            gold = normalize_answer(answer)
            positives = [s for s in p.spans if normalize_answer(p.text(s)) == gold]
            if not positives:
                skipped += 1  # the answer is not a candidate span (too long, or not in text)
                continue
            negatives = [s for s in p.spans if normalize_answer(p.text(s)) != gold]
            negatives = rng.sample(negatives, min(self.negatives_per_question, len(negatives)))
            chosen = [*positives, *negatives]
            xs.append(_features(p, q, chosen, cos))
            ys += [1] * len(positives) + [0] * len(negatives)
            ws += [w] * len(chosen)
        if not xs or len(set(ys)) < 2:
            raise DataError(
                f"cannot train span_lr: none of {len(texts)} answers is a span of its context",
                hint="answers must be copied from the passage (at most a few words)",
            )
        self.lr_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.lr_.fit(np.vstack(xs), ys, sample_weight=np.asarray(ws))
        self.n_skipped_ = skipped
        self.classes_ = np.array([])  # answers are open-ended spans, not classes
        return self

    def predict(self, texts: Sequence[LearnerInput]) -> np.ndarray:
        if not hasattr(self, "lr_"):
            raise RuntimeError("call fit() before predict()")
        answers = []
        for p, q, cos in self._prepare(self._split(texts)):
            if not p.spans:
                answers.append("")
                continue
            scores = self.lr_.predict_proba(_features(p, q, p.spans, cos))[:, 1]
            answers.append(p.text(p.spans[int(np.argmax(scores))]))
        return np.asarray(answers, dtype=object)
