"""Which llama.cpp build suits this CPU, and whether the installed one is it.

llama-cpp-python compiles llama.cpp from source. A native build (``-march=native``) crashes
on these machines (SIGSEGV in ggml's AMX kernel), so the instruction sets are named one by
one, from what the CPU reports. AVX-512 matters: on 2 cores of an AVX-512 BF16 CPU the
engine decoded 546 tok/s at 32 in flight on BF16 weights, and the best an AVX2-only build
reached was 329 (Q8_0 weights; bench/results/engine_throughput.md).
OpenMP stays off: libgomp is shared with torch in the same process and then stops spinning
between parallel regions, which halves every decode.

pip caches the wheel it builds without noticing a change of flags, so after installing,
``check`` compares the installed build with this CPU and the Makefile rebuilds on a
mismatch. This file is stdlib-only: the Makefile runs it before anything is installed.

    python src/synthloop/llm/llama_build.py cmake-args   # the CMAKE_ARGS for this CPU
    python src/synthloop/llm/llama_build.py check        # exit 1 if the build does not fit
"""

from __future__ import annotations

import sys
from pathlib import Path

#: (cpuinfo flags that must all be present, CMake option, llama_print_system_info name)
FEATURES = [
    (("avx",), "GGML_AVX", "AVX"),
    (("avx2",), "GGML_AVX2", "AVX2"),
    (("fma",), "GGML_FMA", "FMA"),
    (("f16c",), "GGML_F16C", "F16C"),
    (("avx_vnni",), "GGML_AVX_VNNI", "AVX_VNNI"),
    (("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"), "GGML_AVX512", "AVX512"),
    (("avx512f", "avx512_vnni"), "GGML_AVX512_VNNI", "AVX512_VNNI"),
    (("avx512f", "avx512vbmi"), "GGML_AVX512_VBMI", "AVX512_VBMI"),
    (("avx512f", "avx512_bf16"), "GGML_AVX512_BF16", "AVX512_BF16"),
]


def cpu_flags(cpuinfo: str | None = None) -> set[str] | None:
    """The x86 feature flags of this CPU, or None where there are none to read."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return None
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return None


def wanted(flags: set[str] | None) -> list[tuple[str, str, bool]]:
    """(CMake option, system-info name, on?) for every feature llama.cpp can use."""
    if flags is None:
        return []
    return [(opt, name, all(f in flags for f in need)) for need, opt, name in FEATURES]


def cmake_args(flags: set[str] | None) -> str:
    args = ["-DGGML_OPENMP=OFF"]
    if flags is not None:  # x86: name every instruction set, never -march=native
        args.insert(0, "-DGGML_NATIVE=OFF")
        args += [f"-D{opt}={'ON' if on else 'OFF'}" for opt, _, on in wanted(flags)]
    return " ".join(args)


def mismatches(system_info: str, flags: set[str] | None) -> list[str]:
    """What the installed build (its ``llama_print_system_info()``) does wrong here."""
    have = {
        name.strip(): value.strip() == "1"
        for part in system_info.split("|")
        if "=" in part
        for name, value in [part.rsplit("=", 1)]
    }
    problems = ["built with OpenMP"] if have.get("OPENMP") else []
    for _, name, on in wanted(flags):
        if on and not have.get(name):
            problems.append(f"built without {name}, which this CPU has")
        elif have.get(name) and not on:
            problems.append(f"built with {name}, which this CPU lacks")
    return problems


def main(argv: list[str]) -> int:
    flags = cpu_flags()
    if argv == ["cmake-args"]:
        print(cmake_args(flags))
        return 0
    if argv == ["check"]:
        try:
            import llama_cpp
        except ImportError:
            print("llama-cpp-python is not installed", file=sys.stderr)
            return 1
        info = llama_cpp.llama_print_system_info().decode(errors="replace")
        problems = mismatches(info, flags)
        for problem in problems:
            print(f"llama-cpp-python was {problem}", file=sys.stderr)
        return 1 if problems else 0
    print("usage: llama_build.py cmake-args | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
