"""The package's public API: every exported name resolves, and importing the package or
the command line loads no model library (so `synthloop --help` is quick)."""

from __future__ import annotations

import subprocess
import sys

import synthloop


def test_every_exported_name_resolves() -> None:
    for name in synthloop.__all__:
        assert getattr(synthloop, name) is not None, name
    assert sorted(dir(synthloop)) == sorted(synthloop.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        synthloop.nonexistent  # noqa: B018
    except AttributeError as exc:
        assert "nonexistent" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_importing_the_package_and_the_cli_loads_no_model_library() -> None:
    heavy = ("torch", "ray", "llama_cpp", "sklearn", "sentence_transformers", "datasets")
    code = (
        "import sys, synthloop, synthloop.cli; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
