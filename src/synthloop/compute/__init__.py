"""Where the heavy data work runs: this process, or Ray Data (the seam behind `--runner`)."""

from synthloop.compute.local import LOCAL, Compute, LocalCompute

__all__ = ["LOCAL", "Compute", "LocalCompute"]
