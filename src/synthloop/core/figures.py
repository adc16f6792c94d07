"""How the printed tables, the HTML report and the dataset card write a figure: a share as
a percentage with one decimal, any other number to a given number of decimals, and "–"
where there is none."""

from __future__ import annotations


def pct(value: float | None) -> str:
    """``0.8125`` as ``81.2`` (no % sign: a column's header or the text around it says so)."""
    return "–" if value is None else f"{100 * value:.1f}"


def num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"
