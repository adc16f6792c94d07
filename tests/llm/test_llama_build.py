"""The llama.cpp build flags follow the CPU, and a cached wheel built otherwise is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from synthloop.llm.llama_build import cmake_args, cpu_flags, mismatches

SCRIPT = Path(__file__).resolve().parents[2] / "src/synthloop/llm/llama_build.py"
ZEN = "flags\t\t: fpu sse2 avx avx2 fma f16c avx512f avx512dq avx512cd avx512bw avx512vl " + (
    "avx512_vnni avx512vbmi avx512_bf16 avx_vnni\n"
)
HASWELL = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c\n"
AVX2_BUILD = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | REPACK = 1 | "
AVX512_BUILD = AVX2_BUILD + (
    "AVX_VNNI = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | "
)


def test_cmake_args_name_what_the_cpu_has_and_never_native_or_openmp() -> None:
    zen, haswell = cmake_args(cpu_flags(ZEN)), cmake_args(cpu_flags(HASWELL))
    for args in (zen, haswell):
        assert "-DGGML_NATIVE=OFF" in args and "-DGGML_OPENMP=OFF" in args
        assert "-DGGML_AVX2=ON" in args
    assert "-DGGML_AVX512=ON" in zen and "-DGGML_AVX512_VNNI=ON" in zen
    assert "-DGGML_AVX512=OFF" in haswell and "-DGGML_AVX512_VNNI=OFF" in haswell
    # no x86 flags to read (another architecture): leave the instruction sets to llama.cpp
    assert cmake_args(cpu_flags("Features\t: fp asimd\n")) == "-DGGML_OPENMP=OFF"


def test_a_build_for_other_flags_is_reported() -> None:
    zen, haswell = cpu_flags(ZEN), cpu_flags(HASWELL)
    assert mismatches(AVX512_BUILD, zen) == []
    assert mismatches(AVX2_BUILD, haswell) == []
    assert "built without AVX512, which this CPU has" in mismatches(AVX2_BUILD, zen)
    assert "built with AVX512, which this CPU lacks" in mismatches(AVX512_BUILD, haswell)
    assert mismatches(AVX2_BUILD + "OPENMP = 1 | ", haswell) == ["built with OpenMP"]


def test_the_script_runs_without_the_package_installed() -> None:
    out = subprocess.run(
        [sys.executable, "-S", str(SCRIPT), "cmake-args"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "-DGGML_OPENMP=OFF" in out.stdout
    bad = subprocess.run([sys.executable, "-S", str(SCRIPT), "nonsense"], capture_output=True)
    assert bad.returncode == 2
