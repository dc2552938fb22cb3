"""Transposed convolution, as ``torch.nn.ConvTranspose2d``.

Per axis, with input size W, kernel K, stride S, padding P, dilation D and
output padding A (torch's ``output_padding``), the output size is torch's

    W_out = (W - 1)·S - 2P + D(K - 1) + A + 1.

Dumoulin and Visin, "A guide to convolution arithmetic for deep learning"
(2016), §4: the transposed convolution equals a *direct* convolution, stride
1, of the same kernel on the input stretched by S - 1 zeros between
neighbours, (W - 1)·S + 1 wide, padded with P' = D(K - 1) - P zeros on the
left and P' + A on the right. It undoes the shape of the direct convolution
(kernel K, stride S, padding P) that maps a W_out-wide input to W; of the S
input sizes that direct convolution maps to W, A picks the one with
a = (W_out + 2P - D(K - 1) - 1) mod S columns dropped (the guide's
a = (i + 2p - k) mod s).

Counting conventions:
    * multiplications: each input element meets every weight of its group
      once: K_h K_w (C_out/G) per input element, W·H·C_in of them; exactly
      torch's FlopCounterMode FLOPs / 2 (which counts the transposed
      convolution on its *input* size).
    * additions: one per product, accumulated into its output element
      (``out += w·x``, the output starting at the bias or 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from symcnn.cnn.analysis import LayerAnalysis, Shape, Window, quantity, shaped
from symcnn.cnn.arguments import Arg, Pair, as_expr, as_pair, at_least, require
from symcnn.cnn.field_map import IndexRange
from symcnn.cnn.layer import Layer, divisible_check, feature_map, same_as_given
from symcnn.cnn.windows import _windows
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import number
from symcnn.formula.quantity import Quantity
from symcnn.formula.symbols import latex_name

UNSET: Any = None


@dataclass(frozen=True, eq=True)
class ConvTranspose2d(Layer):
    """2-D transposed convolution, as ``torch.nn.ConvTranspose2d`` (arguments in torch's order)."""

    in_channels: Arg | None = UNSET
    out_channels: Arg | None = UNSET
    kernel_size: Pair | None = UNSET
    stride: Pair = 1
    padding: Pair = 0
    output_padding: Pair = 0
    groups: Arg = 1
    bias: bool = True
    dilation: Pair = 1
    transposed_windows: tuple[Window, Window] = field(init=False, repr=False, compare=False)

    @property
    def window_arguments(self) -> tuple[Window, ...]:
        return self.transposed_windows
    extra: tuple[sp.Expr, sp.Expr] = field(init=False, repr=False, compare=False)

    kind: ClassVar[str] = "tconv"
    weight_products: ClassVar[bool] = True

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for arg in ("out_channels", "kernel_size"):
            if getattr(self, arg) is None:
                raise LayerError(f"{owner}: {arg} is required")
        windows = _windows(owner, self.kernel_size, self.stride, self.padding, self.dilation)
        extra = as_pair(self.output_padding, owner, "output_padding")
        for value, window in zip(extra, windows):
            require(value, owner, "output_padding", minimum=0)
            smaller = [at_least(bound - 1, value) for bound in (window.stride, window.dilation)]
            if all(verdict is False for verdict in smaller):
                raise LayerError(
                    f"{owner}: output_padding {value} must be smaller than the stride {window.stride} "
                    f"or the dilation {window.dilation}, as torch requires"
                )
        for arg in ("in_channels", "out_channels", "groups"):
            value = getattr(self, arg)
            if value is not None:
                require(as_expr(value, owner, arg), owner, arg, minimum=1)
        object.__setattr__(self, "transposed_windows", windows)
        object.__setattr__(self, "extra", extra)

    def default_input(self) -> Shape:
        given = self.in_channels
        channels = notation.C_in if given is None else as_expr(given, "ConvTranspose2d", "in_channels")
        return (channels, notation.H, notation.W)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        shaped(self, shape, name, 3)
        channels = shape[0]
        assumptions = list(same_as_given(channels, self.in_channels, name, "in_channels", "input channels"))
        out_channels = as_expr(self.out_channels, name, "out_channels")
        groups = as_expr(self.groups, name, "groups")
        for arg, count in (("in_channels", channels), ("out_channels", out_channels)):
            assumptions += divisible_check(count, groups, name, arg)
        sizes: list[sp.Expr] = []
        spatial: list[Quantity] = []
        relations: list[Quantity] = []
        for axis, size, window, extra, out in (
            ("width", shape[2], self.transposed_windows[1], self.extra[1], out_symbols[1]),
            ("height", shape[1], self.transposed_windows[0], self.extra[0], out_symbols[0]),
        ):
            formula = f.add(f.mul(f.sub(size, 1), window.stride), f.neg(f.mul(2, window.padding)),
                            _reach(window), extra, 1)
            key = f"output_{axis}"
            size_quantity = Quantity.defining(key, _TITLES[key], latex_name(out), formula, out)
            assumptions += _positive(size_quantity.expr, name, axis)
            spatial.append(size_quantity)
            sizes.append(size_quantity.symbol if size_quantity.symbol is not None else size_quantity.expr)
            relations += [
                quantity(f"stretched_{axis}", f.add(f.mul(f.sub(size, 1), window.stride), 1)),
                quantity(f"direct_padding_{axis}", f.sub(_reach(window), window.padding)),
                quantity(f"direct_remainder_{axis}", f.mod(window.span(sizes[-1]), window.stride)),
            ]
        width, height = sizes
        kernel_h, kernel_w = (window.kernel for window in self.transposed_windows)
        per_group = out_channels if groups == 1 else f.div(out_channels, groups)
        weights = f.mul(kernel_w, kernel_h, per_group)
        params = f.add(f.mul(weights, channels), out_channels) if self.bias else f.mul(weights, channels)
        mults = f.mul(weights, shape[2], shape[1], channels)
        counts = [quantity("params", params), quantity("mults", mults), quantity("adds", mults)]
        output_shape = (out_channels, height, width)
        return feature_map(self, name, shape, output_shape, spatial + counts + relations, tuple(assumptions))

    def field_map(self, input_shape: Shape) -> tuple[Window, ...] | tuple[IndexRange, ...]:
        """Stride 1: a sliding window (kernel K, padding D(K - 1) - P); else index ranges.

        Output ``i`` reads input ``x`` when ``i = S·x - P + D·k`` for a tap
        ``k`` in 0..K - 1: ``x`` from ⌈(i + P - D(K - 1))/S⌉ to ⌊(i + P)/S⌋,
        every one of them when D = 1 (with D > 1 and S > 1 the range bounds
        the taps, some of which it skips).
        """
        if all(window.stride == 1 for window in self.transposed_windows):
            return tuple(Window(w.kernel, number(1), w.dilation * (w.kernel - 1) - w.padding, w.dilation)
                         for w in self.transposed_windows)
        reason = "output i reads the stride-S input at ceil((i + P - D(K - 1))/S) .. floor((i + P)/S), a jump of 1/S"
        def bounds(w: Window) -> tuple[sp.Expr, sp.Expr]:
            i = notation.i
            first = sp.ceiling((i + w.padding - w.dilation * (w.kernel - 1)) / w.stride)
            return first, sp.floor((i + w.padding) / w.stride)

        return tuple(IndexRange(partial(bounds, w), reason) for w in self.transposed_windows)


_TITLES = {"output_width": "Output width", "output_height": "Output height"}


def _reach(window: Window) -> sp.Expr:
    """D(K - 1), or K - 1 when D = 1: how far the kernel reaches past its first tap."""
    if window.dilation == 1:
        return f.sub(window.kernel, 1)
    return f.mul(window.dilation, f.sub(window.kernel, 1))


def _positive(size: sp.Expr, owner: str, axis: str) -> tuple[sp.Basic, ...]:
    """Refuse an output size below 1 (torch does); an assumption when symbolic."""
    verdict = at_least(size, number(1))
    if verdict is False:
        raise LayerError(f"{owner}: the output {axis} would be {size}; reduce the padding")
    return () if verdict else (f.stated(size, ">=", 1),)
