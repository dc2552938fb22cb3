"""How one output index of a layer sees its input, per spatial axis.

Most spatial layers are sliding windows (a :class:`~symcnn.cnn.analysis.Window`
per axis): output ``i`` reads ``S·i - P .. S·i - P + D(K - 1)`` of its input,
and receptive fields compose as Araujo et al. describe. Some are not: an
adaptive pooling whose windows differ in size, a transposed convolution or an
upsampling with stride (scale) above 1, where the jump is a fraction. Those
give an :class:`IndexRange` per axis instead: the exact first and last input
index output ``i`` reads, with floors and ceilings; the receptive field of a
chain is then no longer one interval moving by a constant jump.

A layer's ``field_map(input_shape)`` returns windows, index ranges, or None
(the output at a position sees the input at that same position: activations,
normalisation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

from symcnn.cnn.analysis import Window
from symcnn.formula.lazy import sympy as sp


@dataclass(frozen=True, eq=False)
class IndexRange:
    """Output index ``i`` reads the input indices ``first .. last`` of one axis (exact).

    Attributes:
        bounds: makes ``(first, last)`` when they are first read: expressions in
            the symbol ``i`` (floors and ceilings allowed), the range empty where
            ``last < first``. Made on demand, since a summary reads only the reason
            (and so a numeric one imports no sympy).
        reason: why no sliding window describes the axis, for the reader.
    """

    bounds: Callable[[], tuple[sp.Expr, sp.Expr]] = field(repr=False)
    reason: str

    @cached_property
    def _ends(self) -> tuple[sp.Expr, sp.Expr]:
        return self.bounds()

    @property
    def first(self) -> sp.Expr:
        """The first input index output ``i`` reads."""
        return self._ends[0]

    @property
    def last(self) -> sp.Expr:
        """The last input index output ``i`` reads."""
        return self._ends[1]

    def at(self, index: int) -> tuple[int, int]:
        """The range of output ``index``, in integers."""
        from symcnn.formula.symbols import i

        values = {i: sp.Integer(index)}
        return int(self.first.xreplace(values)), int(self.last.xreplace(values))


FieldMap: TypeAlias = "tuple[Window, ...] | tuple[IndexRange, ...] | None"


def is_irregular(field_map: tuple[Window, ...] | tuple[IndexRange, ...] | None) -> bool:
    """Whether ``field_map`` is index ranges, not sliding windows."""
    return bool(field_map) and isinstance(field_map[0], IndexRange)  # type: ignore[index]
