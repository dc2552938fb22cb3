"""Layers that resize or pass a feature map: ``Upsample``, ``ZeroPad2d``, ``Identity``.

Upsample, per axis of input size H (torch's rules):

* output size: ``size`` as given, or ⌊H·s⌋ for a ``scale_factor`` s, which
  symcnn takes as a positive integer (torch multiplies in floating point; a
  fractional scale is better given as ``size``).
* nearest: output i copies input ⌊i·H/h⌋ (torch computes the ratio in
  floating point); no arithmetic counted.
* bilinear (``align_corners=False``): output i reads the input at
  x = max(0, (i + 1/2)·H/h - 1/2) and its neighbour, rows ⌊x⌋ .. ⌈x⌉
  (clipped to the input); with ``align_corners=True`` x = i·(H - 1)/(h - 1)
  (x = 0 when h = 1).
  Counting convention, as torch's kernel evaluates each output from its four
  neighbours, h_0(w_0 a + w_1 b) + h_1(w_0 c + w_1 d): 6 multiplications and
  3 additions per output element (the weights, computed once per output row
  and column, not counted).

ZeroPad2d adds zero rows and columns: no arithmetic; output i reads input
i - left (a window of kernel 1, padding left). Identity returns its input:
no arithmetic, no memory of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, TypeAlias

from symcnn.cnn.analysis import LayerAnalysis, Shape, Window, elements, quantity, shaped
from symcnn.cnn.arguments import Arg, as_expr, equal, require
from symcnn.cnn.field_map import IndexRange
from symcnn.cnn.layer import Layer, feature_map, no_weights
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import number

Quad: TypeAlias = Arg | tuple[Arg, Arg, Arg, Arg] | list[Arg]
"""One padding for all four sides, or (left, right, top, bottom) as torch orders them."""

_MODES = ("nearest", "bilinear")


def _pair_or_none(value: Any, owner: str, arg: str) -> tuple[sp.Expr, sp.Expr] | None:
    """None, or a checked positive (height, width) pair from one value or two."""
    if value is None:
        return None
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise LayerError(f"{owner}: {arg} must be one value or (height, width), got {value!r}")
    checked = []
    for entry in pair:
        if isinstance(entry, float):
            if not entry.is_integer():
                raise LayerError(f"{owner}: {arg} {entry} is not a whole number; give the output size as size = [h, w]")
            entry = int(entry)
        expr = as_expr(entry, owner, arg)
        require(expr, owner, arg, minimum=1)
        checked.append(expr)
    return checked[0], checked[1]


@dataclass(frozen=True, eq=True)
class Upsample(Layer):
    """Nearest or bilinear upsampling, as ``torch.nn.Upsample``."""

    size: Any = None
    scale_factor: Any = None
    mode: str = "nearest"
    align_corners: bool | None = None

    kind: ClassVar[str] = "up"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if (self.size is None) == (self.scale_factor is None):
            raise LayerError(f"{owner}: give either size or scale_factor, not {'both' if self.size else 'neither'}")
        if self.mode not in _MODES:
            raise LayerError(f"{owner}: mode {self.mode!r} is not supported; use one of {', '.join(_MODES)}")
        if self.align_corners is not None and self.mode == "nearest":
            raise LayerError(f"{owner}: align_corners only applies to mode 'bilinear', as torch says")
        _pair_or_none(self.size, owner, "size")
        _pair_or_none(self.scale_factor, owner, "scale_factor")

    def _sizes(self, shape: Shape) -> tuple[sp.Expr, sp.Expr]:
        size = _pair_or_none(self.size, type(self).__name__, "size")
        if size is not None:
            return size
        scale = _pair_or_none(self.scale_factor, type(self).__name__, "scale_factor")
        assert scale is not None
        return f.mul(shape[1], scale[0]), f.mul(shape[2], scale[1])

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        shaped(self, shape, name, 3)
        height, width = self._sizes(shape)
        sized = [quantity("output_width", width), quantity("output_height", height)]
        width, height = (q.expr for q in sized)
        output_shape = (shape[0], height, width)
        counts = no_weights()
        if self.mode == "bilinear":
            counts = [counts[0], quantity("mults", f.mul(6, elements(output_shape))),
                      quantity("adds", f.mul(3, elements(output_shape)))]
        return feature_map(self, name, shape, output_shape, sized + counts)

    def field_map(self, input_shape: Shape) -> tuple[Window, ...] | tuple[IndexRange, ...]:
        """The input rows (columns) each output index reads; a plain window where the size is kept."""
        input_shape = tuple(map(to_sympy, input_shape))
        sizes = [size.doit() if hasattr(size, "doit") else size for size in self._sizes(input_shape)]
        ranges: list[IndexRange] = []
        for size, out in zip(input_shape[1:], sizes):
            if equal(size, out) and self.mode == "nearest":
                ranges.append(IndexRange(lambda: (notation.i, notation.i), "the identity"))
            elif self.mode == "nearest":
                ranges.append(IndexRange(partial(_copied, size, out),
                                         "output i copies input floor(i·H/h), a jump of H/h"))
            else:
                ranges.append(IndexRange(partial(_interpolated, size, out, self.align_corners),
                                         "output i interpolates the two inputs around its source position"))
        if all(r.reason == "the identity" for r in ranges):
            return tuple(Window(number(1), number(1), number(0)) for _ in ranges)
        return tuple(ranges)


@dataclass(frozen=True, eq=True)
class ZeroPad2d(Layer):
    """Zero padding, as ``torch.nn.ZeroPad2d``: one size, or (left, right, top, bottom)."""

    padding: Quad = 0

    kind: ClassVar[str] = "pad"

    def sides(self) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
        """(left, right, top, bottom), each checked nonnegative."""
        owner, value = type(self).__name__, self.padding
        sides = tuple(value) if isinstance(value, (tuple, list)) else (value,) * 4
        if len(sides) != 4:
            raise LayerError(f"{owner}: padding must be one value or four (left, right, top, bottom), got {value!r}")
        exprs = tuple(as_expr(side, owner, "padding") for side in sides)
        for expr in exprs:
            require(expr, owner, "padding", minimum=0)
        return exprs

    def __post_init__(self) -> None:
        self.sides()

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        shaped(self, shape, name, 3)
        left, right, top, bottom = self.sides()
        sized = [quantity("output_width", f.add(shape[2], left, right)),
                 quantity("output_height", f.add(shape[1], top, bottom))]
        output_shape = (shape[0], sized[1].expr, sized[0].expr)
        return feature_map(self, name, shape, output_shape, sized + no_weights())

    def field_map(self, input_shape: Shape) -> tuple[Window, ...]:
        """Output i reads input i - top (rows), i - left (columns): a kernel-1 window padded by that."""
        left, _, top, _ = self.sides()
        return Window(number(1), number(1), top), Window(number(1), number(1), left)


@dataclass(frozen=True, eq=True)
class Identity(Layer):
    """Returns its input, as ``torch.nn.Identity``: no arithmetic, no memory of its own."""

    kind: ClassVar[str] = "identity"
    keeps_shape: ClassVar[bool] = True
    stores_output: ClassVar[bool] = False  # the very input tensor

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        return feature_map(self, name, shape, shape, no_weights())


def _copied(size: sp.Expr, out: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Nearest upsampling: output ``i`` copies input ⌊i·H/h⌋."""
    source = sp.floor(notation.i * size / out)
    return source, source


def _interpolated(size: sp.Expr, out: sp.Expr, align_corners: bool | None) -> tuple[sp.Expr, sp.Expr]:
    """Bilinear upsampling: output ``i`` reads the two inputs around its source position."""
    i = notation.i
    if align_corners:  # torch: a single output reads the first input
        source = sp.Integer(0) if out == 1 else i * (size - 1) / (out - 1)
    else:
        source = sp.Max(0, (2 * i + 1) * size / (2 * out) - sp.Rational(1, 2))
    return sp.floor(source), sp.ceiling(source)
