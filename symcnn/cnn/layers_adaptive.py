"""Adaptive pooling, as ``torch.nn.AdaptiveAvgPool2d`` and ``AdaptiveMaxPool2d``.

The caller fixes the output size h; torch picks the windows (per axis, input
size H): output ``i`` pools the input rows

    floor(i·H/h) .. ceil((i + 1)·H/h) - 1,

so windows differ in size unless h divides H (then they are the plain
kernel = stride = H/h pooling) and neighbours overlap by one row wherever
i·H/h is no integer. Summed over the outputs, the windows cover
H + h - gcd(H, h) rows (each row once, plus one per overlap: the i in
1..h - 1 with h not dividing i·H, of which there are h - gcd(H, h)).

Counting conventions: no parameters, no multiplications. Average pooling:
the window's size minus one additions and one division per output; max
pooling: the window's size minus one comparisons per output. Per channel that
is (H + h - gcd(H, h))·(W + w - gcd(W, w)) - h·w additions (comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from symcnn.cnn.analysis import LayerAnalysis, Shape, Window, elements, quantity, shaped
from symcnn.cnn.arguments import Pair, as_expr, divides, require
from symcnn.cnn.field_map import IndexRange
from symcnn.cnn.layer import Layer, feature_map, no_weights
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.evaluation import evaluated
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_python_number, number
from symcnn.formula.sizes import is_size


def _gcd(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """gcd(a, b): of numbers in Python (the numeric reading), else sympy's node (:mod:`symcnn.cnn.divisors`)."""
    if (is_python_number(a) and is_python_number(b)) or is_size(a) or is_size(b):
        return f.node("gcd", a, b)
    from symcnn.cnn.divisors import gcd

    return f.node(gcd, a, b)


@dataclass(frozen=True, eq=True)
class _AdaptivePool2d(Layer):
    """What the adaptive average and max pooling share: output size, windows, counts."""

    output_size: Pair | None = None

    kind: ClassVar[str] = "pool"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if self.output_size is None:
            raise LayerError(f"{owner}: output_size is required, e.g. output_size = 1 (global pooling)")
        for value in self._given():
            if value is not None:
                require(value, owner, "output_size", minimum=1)

    def _given(self) -> tuple[sp.Expr | None, sp.Expr | None]:
        """(height, width) as given; None keeps the input's size, as in torch."""
        size: Any = self.output_size
        pair = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        if len(pair) != 2:
            raise LayerError(f"{type(self).__name__}: output_size must be one value or (height, width), got {size!r}")
        return tuple(None if v is None else as_expr(v, type(self).__name__, "output_size") for v in pair)  # type: ignore[return-value]

    def _sizes(self, shape: Shape) -> tuple[sp.Expr, sp.Expr]:
        height, width = self._given()
        return (shape[1] if height is None else height, shape[2] if width is None else width)

    def _covered(self, shape: Shape, name: str) -> sp.Expr:
        """Per channel, the window elements summed over all outputs: (H + h - gcd)(W + w - gcd)."""
        shaped(self, shape, name, 3)
        factors = []
        for size, out in ((shape[2], self._sizes(shape)[1]), (shape[1], self._sizes(shape)[0])):
            factors.append(size if out == 1 or out == size else f.add(size, out, f.neg(_gcd(size, out))))
        return f.mul(*factors)

    def _pooled(self, shape: Shape, name: str, key: str) -> LayerAnalysis:
        height, width = self._sizes(shape)
        output_shape = (shape[0], height, width)
        outputs = f.mul(width, height) if (width, height) != (1, 1) else number(1)
        work = f.mul(f.sub(self._covered(shape, name), outputs), shape[0])
        counts = [quantity("output_width", width), quantity("output_height", height)] + no_weights()
        counts = [q for q in counts if q.key != key] + [quantity(key, work)]
        if key == "adds":
            counts.append(quantity("divisions", elements(output_shape)))
        return feature_map(self, name, shape, output_shape, counts)

    def field_map(self, input_shape: Shape) -> tuple[Window, ...] | tuple[IndexRange, ...]:
        """A sliding window (kernel = stride = H/h) where h divides H on both axes; else index ranges."""
        maps: list[Window | IndexRange] = []
        input_shape = tuple(map(to_sympy, input_shape))
        for size, out in zip(input_shape[1:], self._sizes(input_shape)):
            if out == 1:  # global pooling: one window over the whole axis
                maps.append(Window(size, size, number(0)))
            elif divides(out, size):
                step = evaluated(f.div(size, out))
                maps.append(Window(step, step, number(0)))
            else:
                reason = "output i pools floor(i·H/h) .. ceil((i + 1)·H/h) - 1, windows of different sizes"
                maps.append(IndexRange(partial(_pooled_rows, size, out), reason))
        if any(isinstance(m, IndexRange) for m in maps):
            return tuple(m if isinstance(m, IndexRange) else _range_of(m) for m in maps)
        return tuple(maps)  # type: ignore[return-value]


def _pooled_rows(size: sp.Expr, out: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """What output ``i`` of an adaptive pooling reads: ⌊i·H/h⌋ .. ⌈(i + 1)·H/h⌉ - 1."""
    i = notation.i
    return sp.floor(i * size / out), sp.ceiling((i + 1) * size / out) - 1


def _range_of(window: Window) -> IndexRange:
    """A sliding window written as an index range (kernel = stride, no padding)."""
    def bounds() -> tuple[sp.Expr, sp.Expr]:
        start = window.stride * notation.i
        return start, start + window.kernel - 1

    return IndexRange(bounds, "a window of kernel = stride")


@dataclass(frozen=True, eq=True)
class AdaptiveAvgPool2d(_AdaptivePool2d):
    """2-D adaptive average pooling, as ``torch.nn.AdaptiveAvgPool2d``."""

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        return self._pooled(shape, name, "adds")


@dataclass(frozen=True, eq=True)
class AdaptiveMaxPool2d(_AdaptivePool2d):
    """2-D adaptive max pooling, as ``torch.nn.AdaptiveMaxPool2d``."""

    return_indices: bool = False

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        return self._pooled(shape, name, "comparisons")
