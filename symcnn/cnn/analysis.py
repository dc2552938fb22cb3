"""LayerAnalysis: what one layer does to one input shape, as named quantities.

Also the formulas that several layer types share: the sliding-window output
size (convolution and pooling) and the element counts of a shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

from symcnn.cnn.arguments import nonnegative
from symcnn.cnn.vocabulary import QUANTITIES, QuantityKey
from symcnn.errors import LayerError
from symcnn.formula import trees as f
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import evaluated
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_number, number
from symcnn.formula.quantity import Quantity
from symcnn.formula.symbols import latex_name, size_symbol

if TYPE_CHECKING:
    from symcnn.cnn.layer import Layer

Shape: TypeAlias = "tuple[sp.Expr, ...]"
"""(C, H, W) for feature maps, (N,) for feature vectors; no batch axis."""

def quantity(key: str, formula: sp.Expr) -> Quantity:
    """The quantity ``key`` (a :class:`QuantityKey`) with ``formula``, titled as its descriptor says.

    Raises:
        ValueError: an unknown key (a programming error).
    """
    entry = _KEYS.get(key)  # a dict of plain strings, not the enum's call nor its hash: a layer makes a dozen
    if entry is None:
        raise ValueError(f"{key!r} is not a QuantityKey")
    return Quantity(*entry, formula)


_KEYS = {member.value: (member, QUANTITIES[member].title, QUANTITIES[member].lhs) for member in QuantityKey}



@dataclass(unsafe_hash=True, repr=False)
class LayerAnalysis(Displayable):
    """A layer applied to an input shape.

    Attributes:
        name: the layer's name (``conv1``) or its type when standalone.
        layer: the layer itself.
        input_shape: (C, H, W) or (N,).
        output_shape: same form; each entry a number, a symbol or a small product.
        quantities: in reading order; look one up with ``analysis["params"]``.
        assumptions: conditions the symbols must meet (e.g. ``W + 2P >= K_1``).

    A value, never changed once made: not a frozen dataclass only because a network makes one per layer, and
    a frozen dataclass sets each field through ``object.__setattr__`` (as :class:`Quantity`).
    """

    name: str
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    quantities: tuple[Quantity, ...]
    assumptions: tuple[sp.Basic, ...] = ()
    _by_key: dict[str, Quantity] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # (not a cached property: a summary reads a dozen quantities of each layer)
        self._by_key = {q.key: q for q in reversed(self.quantities)}  # the first of a key, as a search in order
        # finds it

    def __getitem__(self, key: str) -> Quantity:
        quantity = self._by_key.get(key)
        if quantity is None:
            raise KeyError(f"{self.name} has no quantity {key!r}")
        return quantity

    def get(self, key: str) -> Quantity | None:
        """The quantity called ``key``, or None where the layer has none."""
        return self._by_key.get(key)


    def renamed(self, name: str, layer: Layer) -> LayerAnalysis:
        """This analysis for another layer of the same arguments on the same input (a repeated block), kept
        whole: what it read of its quantities is theirs too (a dataclass ``replace`` would make them again)."""
        _ = self.definitions  # made here once for every copy: a summary and a proof read them
        copy = object.__new__(LayerAnalysis)
        copy.__dict__.update(self.__dict__, name=name, layer=layer)
        return copy

    def __iter__(self) -> Iterator[Quantity]:
        return iter(self.quantities)

    @cached_property  # read once per layer by the summary, the values, the proof and the receptive fields
    def definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """The symbols this layer defines (``W_out``), each with its expression (not to be changed)."""
        return {q.symbol: q.expr for q in self.quantities if q.symbol is not None}


def elements(shape: Shape) -> sp.Expr:
    """Number of elements of a shape, written W·H·C as the textbook does (L·C, W·H·T·C)."""
    if len(shape) == 1:
        return shape[0]
    return f.mul(*reversed(shape))


@dataclass(frozen=True)
class Window:
    """One axis of a sliding window: kernel, stride, padding, dilation."""

    kernel: sp.Expr
    stride: sp.Expr
    padding: sp.Expr
    dilation: sp.Expr = field(default_factory=lambda: number(1))

    @property
    def extent(self) -> sp.Expr:
        """The dilated kernel's span: D(K - 1) + 1, or K when D = 1."""
        if self.dilation == 1:
            return self.kernel
        return f.add(f.mul(self.dilation, f.sub(self.kernel, 1)), 1)

    @cached_property  # a receptive field composes it once a layer; a network repeats its windows
    def reach(self) -> sp.Expr:
        """How far past a neuron's first input its window reaches, less the padding: K_e - 1 - P, evaluated."""
        return evaluated(self.extent) - 1 - self.padding

    def padded(self, size: sp.Expr) -> sp.Expr:
        """W + 2P: the input with its zero padding."""
        return f.add(size, f.mul(2, self.padding))

    def span(self, size: sp.Expr, padded: sp.Expr | None = None) -> sp.Expr:
        """W + 2P - D(K - 1) - 1 + 1: the room the window slides over (``padded``: :meth:`padded`, if made)."""
        padded = self.padded(size) if padded is None else padded
        if self.dilation == 1:
            return f.sub(padded, self.kernel)
        return f.sub(padded, f.mul(self.dilation, f.sub(self.kernel, 1)), 1)

    def output_size(self, size: sp.Expr, ceil_mode: bool = False, *, span: sp.Expr | None = None) -> sp.Expr:
        """⌊(W + 2P - K)/S⌋ + 1; with ceil_mode torch's rule for the last window (``span``: :meth:`span`, if made)."""
        span = self.span(size) if span is None else span
        if not ceil_mode:
            return f.add(f.floor_div(span, self.stride), 1)
        steps = f.ceil_div(span, self.stride)
        # torch drops a last window that would start in the right padding
        last_start = f.at_least(f.mul(steps, self.stride), f.add(size, self.padding))
        return f.piecewise((steps, last_start), (f.add(steps, 1), True))

    def dropped(self, span: sp.Expr) -> sp.Expr:
        """Columns of the padded input that no window reaches: (W + 2P - K) mod S, of the :meth:`span`."""
        return f.mod(span, self.stride)

    def fits(self, size: sp.Expr, padded: sp.Expr, span: sp.Expr, owner: str, axis: str) -> tuple[sp.Basic, ...]:
        """Check W + 2P >= extent (the :meth:`span` at least 0); return it as an assumption when symbolic.

        Raises:
            LayerError: the kernel is larger than the padded input.
        """
        values = f.builds_values()
        verdict = nonnegative(span if values else evaluated(span))
        if verdict:
            return ()
        padded, extent = padded if values else evaluated(padded), evaluated(self.extent)
        if verdict is False:
            raise LayerError(
                f"{owner}: kernel_size {extent} is larger than the padded input {axis} "
                f"{padded} ({axis} {size} + 2 x padding {self.padding})"
            )
        return (f.stated(padded, ">=", extent),)


AXES: dict[int, tuple[str, ...]] = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
"""The spatial axes of a rank-1, 2 or 3 feature map, in torch's order (after the channels)."""
_DROPPED = {"length": "dropped_positions", "depth": "dropped_slices", "height": "dropped_rows",
            "width": "dropped_columns"}


def axis_symbol(axis: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> sp.Symbol:
    """The symbol naming a new size along ``axis``: ``W_3``, ``H_3``, and ``L_3``, ``T_3`` beside them."""
    height, width = out_symbols
    if axis in ("width", "height"):
        return width if axis == "width" else height
    base = (width if axis == "length" else height).name
    return size_symbol(("L" if axis == "length" else "T") + base[1:])


def spatial_quantities(
    shape: Shape,
    windows: tuple[Window, ...],
    out_symbols: tuple[sp.Symbol, sp.Symbol],
    *,
    ceil_mode: bool = False,
    owner: str,
) -> tuple[list[Quantity], tuple[sp.Expr, ...], tuple[sp.Basic, ...]]:
    """Output sizes of a sliding window (width first, as the textbook does), plus what the floor drops.

    Returns the quantities, the sizes to put in the output shape in torch's
    order ((height, width) for a (C, H, W) input; the number, or the defining
    symbol when the size stays an expression), and the assumptions the symbols
    must meet.
    """
    axes = AXES[len(windows)]
    order = list(reversed(list(zip(axes, shape[1:], windows))))
    quantities: list[Quantity] = []
    sizes: dict[str, sp.Expr] = {}
    assumptions: list[sp.Basic] = []
    dropped: list[Quantity] = []
    made: dict[tuple[int, Window], tuple[sp.Expr, sp.Expr | None]] = {}  # numbers: a square axis is made once
    for axis, size, window in order:
        key, out = f"output_{axis}", axis_symbol(axis, out_symbols)
        again = made.get((size, window)) if type(size) is int else None
        if again is None:
            padded = window.padded(size)
            span = window.span(size, padded)
            formula = window.output_size(size, ceil_mode, span=span)
            if ceil_mode:  # torch's rule: any output of at least one window, even from a kernel past the input
                assumptions += _at_least_one(formula, window, size, owner, axis)
            else:
                assumptions += window.fits(size, padded, span, owner, axis)
            again = (formula, None if ceil_mode else window.dropped(span))
            if type(size) is int:
                made[(size, window)] = again
        formula, rest = again
        size_quantity = Quantity.defining(key, _KEYS[key][1], latex_name(out), formula, out)
        quantities.append(size_quantity)
        sizes[axis] = size_quantity.symbol if size_quantity.symbol is not None else size_quantity.expr
        if rest is not None:
            dropped.append(quantity(_DROPPED[axis], rest))
    quantities += dropped
    return quantities, tuple(sizes[axis] for axis in axes), tuple(assumptions)


def _at_least_one(formula: sp.Expr, window: Window, size: sp.Expr, owner: str, axis: str) -> tuple[sp.Basic, ...]:
    """Check a ceil-mode output size is at least 1; an assumption when symbolic.

    Raises:
        LayerError: no window at all (torch: "Output size is too small").
    """
    value = evaluated(formula)
    if is_number(value):
        if value < 1:
            raise LayerError(f"{owner}: no window fits the {axis} {size} (kernel_size {evaluated(window.extent)}, "
                             f"padding {window.padding}, ceil_mode): the output {axis} would be {value}")
        return ()
    return (f.stated(formula, ">=", 1),)


def shaped(layer: Any, shape: Shape, owner: str, dims: int) -> None:
    """Refuse an input of the wrong rank, saying what to do instead."""
    if len(shape) == dims:
        return
    if dims == 1:
        raise LayerError(
            f"{owner}: {type(layer).__name__} needs a feature vector but gets a "
            f"{len(shape)}-D input {tuple(shape)}; add a Flatten layer before it"
        )
    wanted = {2: "(C, L)", 3: "(C, H, W)", 4: "(C, T, H, W)"}.get(dims, f"{dims}-D")
    raise LayerError(
        f"{owner}: {type(layer).__name__} needs a {wanted} input but gets {tuple(shape)}"
    )
