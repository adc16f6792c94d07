"""Converted weights: cached by content, one file per model and type."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from synthloop.llm.embedded import default_model_path
from synthloop.llm.weights import converted_path, ensure_weights


def test_a_reinstalled_identical_model_reuses_its_conversion_and_an_old_one_is_replaced(
    tmp_path: Path,
) -> None:
    source = tmp_path / "src" / default_model_path().name
    source.parent.mkdir()
    shutil.copyfile(default_model_path(), source)
    cache = tmp_path / "cache"
    cache.mkdir()
    older = cache / f"{source.name.removesuffix('.gguf')}.98362432-1795385720.q4_0.gguf"
    older.write_bytes(b"converted from an earlier install")
    other_type = cache / f"{source.name.removesuffix('.gguf')}.0123456789abcdef.q8_0.gguf"
    other_type.write_bytes(b"another weight type")

    converted = ensure_weights(source, "q4_0", cache)
    assert converted.is_file() and converted.stat().st_size > 1_000_000
    assert not older.exists() and other_type.exists()

    os.utime(source, (1, 1))  # a fresh venv: same bytes, new modification time
    assert converted_path(source, "q4_0", cache) == converted
    mtime = converted.stat().st_mtime_ns
    assert ensure_weights(source, "q4_0", cache) == converted
    assert converted.stat().st_mtime_ns == mtime  # not converted again

    with source.open("r+b") as fh:  # a different model version under the same name
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_END)
        fh.write(bytes([last[0] ^ 1]))
    assert converted_path(source, "q4_0", cache) != converted
