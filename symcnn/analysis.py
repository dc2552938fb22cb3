"""LayerAnalysis: what one layer does to one input shape, as named quantities.

Also the formulas that several layer types share: the sliding-window output
size (convolution and pooling) and the element counts of a shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from . import formula as f
from .arguments import at_least
from .display import Displayable
from .errors import LayerError
from .quantity import Quantity, evaluated
from .symbols import latex_name

if TYPE_CHECKING:
    from .layers import Layer

Shape = tuple[sp.Expr, ...]
"""(C, H, W) for feature maps, (N,) for feature vectors; no batch axis."""

NAMES: dict[str, tuple[str, str]] = {
    "input_elements": ("Number of input elements", "n_{in}"),
    "output_channels": ("Output channels", "C_{out}"),
    "output_height": ("Output height", "H_{out}"),
    "output_width": ("Output width", "W_{out}"),
    "output_features": ("Output size", "N_{out}"),
    "output_elements": ("Number of output elements", "n_{out}"),
    "params": ("Number of parameters", r"|\theta|"),
    "mults": ("Number of multiplications", r"n_{\times}"),
    "adds": ("Number of additions", "n_{+}"),
    "comparisons": ("Number of comparisons", r"n_{\gtrless}"),
    "divisions": ("Number of divisions", r"n_{\div}"),
    "transcendentals": ("Number of exp, erf and tanh evaluations", r"n_{\exp}"),
    "dropped_rows": ("Padded-input rows no window reaches", r"\mathrm{dropped}_{rows}"),
    "dropped_columns": ("Padded-input columns no window reaches", r"\mathrm{dropped}_{columns}"),
    "stretched_width": ("Input width stretched by S - 1 zeros between neighbours", r"\tilde{W}"),
    "stretched_height": ("Input height stretched by S - 1 zeros between neighbours", r"\tilde{H}"),
    "direct_padding_width": ("Left padding of the equivalent direct convolution", "P'_{W}"),
    "direct_padding_height": ("Top padding of the equivalent direct convolution", "P'_{H}"),
    "direct_remainder_width": ("Columns the direct convolution on the output drops", "a_{W}"),
    "direct_remainder_height": ("Rows the direct convolution on the output drops", "a_{H}"),
}
"""Every quantity a layer may have: key -> (title, LaTeX left-hand side)."""

QUANTITY_KEYS = tuple(NAMES)


def quantity(key: str, formula: sp.Expr) -> Quantity:
    """The quantity ``key`` (see :data:`NAMES`) with ``formula``."""
    title, lhs = NAMES[key]
    return Quantity(key, title, lhs, formula)



@dataclass(frozen=True, repr=False)
class LayerAnalysis(Displayable):
    """A layer applied to an input shape.

    Attributes:
        name: the layer's name (``conv1``) or its type when standalone.
        layer: the layer itself.
        input_shape: (C, H, W) or (N,).
        output_shape: same form; each entry a number, a symbol or a small product.
        quantities: in reading order; look one up with ``analysis["params"]``.
        assumptions: conditions the symbols must meet (e.g. ``W + 2P >= K_1``).
    """

    name: str
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    quantities: tuple[Quantity, ...]
    assumptions: tuple[sp.Basic, ...] = ()

    def __getitem__(self, key: str) -> Quantity:
        for quantity in self.quantities:
            if quantity.key == key:
                return quantity
        raise KeyError(f"{self.name} has no quantity {key!r}")

    def get(self, key: str) -> Quantity | None:
        """The quantity called ``key``, or None where the layer has none."""
        return next((q for q in self.quantities if q.key == key), None)

    def __iter__(self) -> Iterator[Quantity]:
        return iter(self.quantities)

    @property
    def definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """The symbols this layer defines (``W_out``), each with its expression."""
        return {q.symbol: q.expr for q in self.quantities if q.symbol is not None}


def elements(shape: Shape) -> sp.Expr:
    """Number of elements of a shape, written W·H·C as the textbook does."""
    if len(shape) == 1:
        return shape[0]
    channels, height, width = shape
    return f.mul(width, height, channels)


@dataclass(frozen=True)
class Window:
    """One axis of a sliding window: kernel, stride, padding, dilation."""

    kernel: sp.Expr
    stride: sp.Expr
    padding: sp.Expr
    dilation: sp.Expr = sp.Integer(1)

    @property
    def extent(self) -> sp.Expr:
        """The dilated kernel's span: D(K - 1) + 1, or K when D = 1."""
        if self.dilation == 1:
            return self.kernel
        return f.add(f.mul(self.dilation, f.sub(self.kernel, 1)), 1)

    def span(self, size: sp.Expr) -> sp.Expr:
        """W + 2P - D(K - 1) - 1 + 1: the room the window slides over, unevaluated."""
        padded = f.add(size, f.mul(2, self.padding))
        if self.dilation == 1:
            return f.sub(padded, self.kernel)
        return f.sub(padded, f.mul(self.dilation, f.sub(self.kernel, 1)), 1)

    def output_size(self, size: sp.Expr, ceil_mode: bool = False) -> sp.Expr:
        """⌊(W + 2P - K)/S⌋ + 1; with ceil_mode torch's rule for the last window."""
        if not ceil_mode:
            return f.add(f.floor(f.div(self.span(size), self.stride)), 1)
        steps = f.ceil(f.div(self.span(size), self.stride))
        # torch drops a last window that would start in the right padding
        last_start = sp.Ge(f.mul(steps, self.stride), f.add(size, self.padding), evaluate=False)
        return sp.Piecewise((steps, last_start), (f.add(steps, 1), True), evaluate=False)

    def dropped(self, size: sp.Expr) -> sp.Expr:
        """Columns of the padded input that no window reaches: (W + 2P - K) mod S."""
        return f.mod(self.span(size), self.stride)

    def fits(self, size: sp.Expr, owner: str, axis: str) -> tuple[sp.Basic, ...]:
        """Check W + 2P >= extent; return it as an assumption when symbolic.

        Raises:
            LayerError: the kernel is larger than the padded input.
        """
        padded, extent = size + 2 * self.padding, evaluated(self.extent)
        verdict = at_least(padded, extent)
        if verdict is False:
            raise LayerError(
                f"{owner}: kernel_size {extent} is larger than the padded input {axis} "
                f"{padded} ({axis} {size} + 2 x padding {self.padding})"
            )
        return () if verdict else (sp.Ge(padded, extent, evaluate=False),)


def spatial_quantities(
    shape: Shape,
    windows: tuple[Window, Window],
    out_symbols: tuple[sp.Symbol, sp.Symbol],
    *,
    ceil_mode: bool = False,
    owner: str,
) -> tuple[list[Quantity], tuple[sp.Expr, sp.Expr], tuple[sp.Basic, ...]]:
    """Output height and width of a sliding window, plus what the floor drops.

    Returns the quantities, the (height, width) to put in the output shape (the
    number, or the defining symbol when the size stays an expression), and the
    assumptions the symbols must meet.
    """
    _, height, width = shape
    quantities: list[Quantity] = []
    sizes: list[sp.Expr] = []
    assumptions: list[sp.Basic] = []
    for axis, size, window, out in (
        ("width", width, windows[1], out_symbols[1]),
        ("height", height, windows[0], out_symbols[0]),
    ):
        assumptions += window.fits(size, owner, axis)
        key = f"output_{axis}"
        size_quantity = Quantity.defining(key, NAMES[key][0], latex_name(out), window.output_size(size, ceil_mode), out)
        quantities.append(size_quantity)
        sizes.append(size_quantity.symbol if size_quantity.symbol is not None else size_quantity.expr)
    if not ceil_mode:
        for axis, size, window in (("columns", width, windows[1]), ("rows", height, windows[0])):
            quantities.append(quantity(f"dropped_{axis}", window.dropped(size)))
    width_size, height_size = sizes
    return quantities, (height_size, width_size), tuple(assumptions)


def shaped(layer: Any, shape: Shape, owner: str, dims: int) -> None:
    """Refuse an input of the wrong rank, saying what to do instead."""
    if len(shape) == dims:
        return
    if dims == 1:
        raise LayerError(
            f"{owner}: {type(layer).__name__} needs a feature vector but gets a "
            f"{len(shape)}-D input {tuple(shape)}; add a Flatten layer before it"
        )
    raise LayerError(
        f"{owner}: {type(layer).__name__} needs a (C, H, W) input but gets {tuple(shape)}"
    )
