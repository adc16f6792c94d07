"""MiniLM vectors kept on disk between benchmark runs (keyed by the exact text), so the
learner experiments re-embed nothing they embedded before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from synthloop.core.embeddings import DIM, default_embedder


class EmbeddingStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS v (text TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self.saved: set[str] = set()

    def load(self) -> int:
        """Hand every stored vector to the process-wide embedder; returns how many."""
        vectors = {
            t: np.frombuffer(b, dtype=np.float32).copy()
            for t, b in self.db.execute("SELECT text, vec FROM v")
        }
        vectors = {t: v for t, v in vectors.items() if v.shape == (DIM,)}
        default_embedder().remember(vectors)
        self.saved = set(vectors)
        return len(vectors)

    def save(self) -> int:
        """Store the vectors embedded since :meth:`load`; returns how many."""
        fresh = {t: v for t, v in default_embedder().remembered().items() if t not in self.saved}
        self.db.executemany(
            "INSERT OR IGNORE INTO v VALUES (?, ?)",
            ((t, np.asarray(v, dtype=np.float32).tobytes()) for t, v in fresh.items()),
        )
        self.db.commit()
        self.saved.update(fresh)
        return len(fresh)
