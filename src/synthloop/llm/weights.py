"""Weights in a type that batches well, converted once and cached on disk.

The packaged SmolLM2 is Q4_1, a type for which llama.cpp has no repacked matrix-matrix
kernel on x86, so decoding many sequences at once gains little. Converting it once (with
llama.cpp's own quantize API) to a type with such a kernel makes batched decoding pay.
The converted file is named after the source file's name, a digest of its bytes and the
target type, so a changed source is converted again while a reinstalled, identical one (a
fresh venv gives it a new modification time) is not; converting replaces the copies of
older sources, so the cache holds one file per model and type.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from pathlib import Path

from synthloop.core.cpus import usable_cpus
from synthloop.core.errors import ModelLoadError
from synthloop.core.thirdparty import captured

#: target type name -> llama.cpp file type (LLAMA_FTYPE_MOSTLY_*)
FTYPES = {"q8_0": 7, "q4_0": 2, "iq4_nl": 25, "f16": 1, "bf16": 32}


def cache_dir() -> Path:
    base = os.environ.get("SYNTHLOOP_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return (root if os.environ.get("SYNTHLOOP_CACHE_DIR") else root / "synthloop") / "models"


def converted_path(source: Path, weights: str, folder: Path | None = None) -> Path:
    stem = source.name.removesuffix(".gguf")
    with source.open("rb") as fh:  # ~0.1 s for the 98 MB default model
        tag = hashlib.file_digest(fh, "blake2b").hexdigest()[:16]
    return (folder or cache_dir()) / f"{stem}.{tag}.{weights}.gguf"


def ensure_weights(source: Path, weights: str, folder: Path | None = None) -> Path:
    """The path of ``source`` converted to ``weights`` ("original" returns it unchanged)."""
    if weights == "original":
        return source
    if weights not in FTYPES:
        raise ModelLoadError(
            f"unknown weights type {weights!r}; choose one of: original, {', '.join(FTYPES)}"
        )
    target = converted_path(source, weights, folder)
    if target.is_file():
        return target
    import llama_cpp as lc

    target.parent.mkdir(parents=True, exist_ok=True)
    params = lc.llama_model_quantize_default_params()
    params.ftype = FTYPES[weights]
    params.allow_requantize = True
    params.nthread = usable_cpus()
    # Write beside the target, then rename: a killed conversion never leaves half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        with captured(f"llama.cpp converting {source.name} to {weights}"):
            rc = lc.llama_model_quantize(str(source).encode(), tmp.encode(), ctypes.byref(params))
            if rc != 0:  # inside the block: its log is shown with the error
                raise ModelLoadError(f"llama.cpp could not convert {source.name} to {weights}")
        os.replace(tmp, target)
        for stale in target.parent.glob(f"{source.name.removesuffix('.gguf')}.*.{weights}.gguf"):
            if stale != target and stale.name.count(".") == target.name.count("."):
                stale.unlink(missing_ok=True)  # converted from an earlier version of source
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
