"""A sequence of known length whose items are made one after another, when first asked for.

A generator's calls (and the anchors they keep) are made in order from one random stream,
so item ``i`` cannot be made without those before it; but an estimate of ``-n 10000000``
needs only the first few thousand to price the rest (see
:mod:`synthloop.generate.estimate`). A run asks for every item and gets the same ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class InOrder(Sequence[T]):
    """``n`` items drawn from ``items`` as far as the highest index asked for, kept."""

    def __init__(self, n: int, items: Iterable[T]) -> None:
        self._n = max(n, 0)
        self._items = iter(items)
        self._made: list[T] = []

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        while len(self._made) <= i:
            self._made.append(next(self._items))
        return self._made[i]
