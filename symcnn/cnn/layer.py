"""The base of every layer, and the helpers its families share.

A :class:`Layer` is a frozen dataclass of torch-style arguments; ``analyze``
applies it to an input shape (a :class:`~symcnn.cnn.analysis.LayerAnalysis`
of named quantities). The families live in :mod:`symcnn.cnn.layers` (the
convolution, pooling, linear and plain layers) and the ``layers_*`` modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from functools import cache, partial
from typing import Any, ClassVar

from symcnn.cnn.analysis import (
    LayerAnalysis,
    Shape,
    Window,
    elements,
    quantity,
)
from symcnn.cnn.arguments import Arg, as_expr, divides, equal
from symcnn.cnn.field_map import IndexRange
from symcnn.cnn.vocabulary import LAYER_QUANTITIES
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import evaluated
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_atom, number, numeric
from symcnn.formula.quantity import Quantity

UNSET: Any = None
_INT = frozenset({int})


class Layer(Displayable):
    """Base of every layer: ``analyze`` an input shape into quantities.

    ``layer.params`` (or any key of :data:`LAYER_QUANTITIES`) is the expression of
    that quantity on the layer's default, symbolic input.
    """

    kind: ClassVar[str] = "layer"
    weight_products: ClassVar[bool] = False
    """True where ``mults`` are weight x input products (convolutions, linear): what FlopCounterMode counts."""
    keeps_shape: ClassVar[bool] = False
    """True where the output has the input's shape whatever the sizes, and no condition is stated on them
    (activations, Dropout, Identity): the valid-input proof of a chain need not analyse the layer."""

    def analyze(
        self,
        input_shape: Shape | None = None,
        *,
        name: str | None = None,
        out_symbols: tuple[sp.Symbol, sp.Symbol] | None = None,
    ) -> LayerAnalysis:
        """Apply the layer to ``input_shape`` (default: the assignment's symbols).

        Args:
            input_shape: (C, H, W) or (N,), entries ints or sympy expressions.
            name: how errors and documents call the layer.
            out_symbols: the symbols that name a new (height, width).

        Raises:
            LayerError: the layer cannot take this input.
        """
        name = name or type(self).__name__
        out_symbols = out_symbols or (notation.H_out, notation.W_out)
        if numeric():  # values only, of numbers or sizes that are their own values: no tree to defer
            shape = tuple(input_shape) if input_shape is not None and set(map(type, input_shape)) <= _INT else (
                self.default_input() if input_shape is None else tuple(map(to_sympy, input_shape)))
            return self._analyze(shape, name, out_symbols)
        shape = self.default_input() if input_shape is None else tuple(map(to_sympy, input_shape))
        values = tuple(size if is_atom(size) else evaluated(size) for size in shape)  # a flattened C·H·W: a tree
        return valued(partial(self._analyze, values, name, out_symbols),
                      partial(self._analyze, shape, name, out_symbols))

    def keeps_sizes(self, analysis: LayerAnalysis) -> bool:
        """Whether this layer, as ``analysis`` found it on an input of numbers, gives its input's sizes back
        (a feature map's channels aside) for every input size and states nothing that can fail for a size of at
        least 1: a valid-input proof need not analyse it (activations, Dropout, Identity: :attr:`keeps_shape`;
        "same" windows of stride 1)."""
        return self.keeps_shape

    def size_windows(self) -> tuple[tuple[Window, ...], bool] | None:
        """The windows (one per spatial axis) and the ceil mode by which alone this layer makes its output sizes
        and states all it says of its input's sizes, each axis from its own size; None: a layer with other
        size rules. A proof of valid inputs reads such a layer one window at a time."""
        return None

    def default_input(self) -> Shape:
        """The assignment's symbolic input: (C_in, H, W)."""
        return (notation.C_in, notation.H, notation.W)

    def _analyze(
        self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]
    ) -> LayerAnalysis:
        raise NotImplementedError

    def __getattr__(self, key: str) -> sp.Expr:
        if key in LAYER_QUANTITIES:
            quantity = self.analyze().get(key)
            if quantity is not None:
                return quantity.expr
        raise AttributeError(f"{type(self).__name__} has no attribute {key!r}")

    def field_map(self, input_shape: Shape) -> tuple[Window, ...] | tuple[IndexRange, ...] | None:
        """How an output index sees this layer's input, per spatial axis (see :mod:`symcnn.cnn.field_map`).

        Sliding windows by default (the layer's ``windows``), None for a layer
        that has none: each output sees the input at its own position.
        """
        return self.sliding_windows or None

    @property
    def sliding_windows(self) -> tuple[Window, ...]:
        """The windows a convolution or pooling slides, one per spatial axis; () for other layers."""
        return ()

    @property
    def window_arguments(self) -> tuple[Window, ...]:
        """Kernel, stride, padding and dilation per spatial axis as the layer is called; () without a kernel."""
        return self.sliding_windows

    @property
    def stores_output(self) -> bool:
        """Whether the output takes memory of its own (False: a view, or written in place)."""
        return not self.__dict__.get("inplace", False)  # a field of the layers that have it (getattr would raise
        # and catch an AttributeError for every other layer)

    @property
    def output_shape(self) -> Shape:
        """The output shape on the default, symbolic input."""
        return self.analyze().output_shape

    def arguments(self) -> dict[str, Any]:
        """The layer's torch-style arguments, as given or defaulted (not what is made of them: its windows)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}  # type: ignore[arg-type]


def valued(values: Callable[[], LayerAnalysis], trees: Callable[[], LayerAnalysis]) -> LayerAnalysis:
    """The analysis ``values`` makes with the builders making values, each quantity's tree deferred to ``trees``.

    ``trees`` is the same analysis (on the shape as given), run once with the
    builders making textbook trees when a document first asks for a formula.
    """
    with f.building_values():
        analysis = values()
    if numeric():
        return analysis  # the numeric reading shows no formula: no tree to defer
    deferred = _Trees(trees)
    return replace(analysis, quantities=tuple(
        q.deferred(partial(deferred.formula, index)) for index, q in enumerate(analysis.quantities)))


class _Trees:
    """An analysis once more, with the builders making textbook trees: run on the first demand, then kept."""

    def __init__(self, run: Callable[[], LayerAnalysis]) -> None:
        self.run = run
        self.formulas: list[sp.Expr] = []

    def formula(self, index: int) -> sp.Expr:
        """The tree of the analysis' quantity number ``index``."""
        if not self.formulas:
            self.formulas = [q.formula for q in self.run()]
        return self.formulas[index]


def feature_map(
    layer: Layer, name: str, shape: Shape, output_shape: Shape, quantities: list[Quantity],
    assumptions: tuple[sp.Basic, ...] = (),
) -> LayerAnalysis:
    """Assemble an analysis: input and output element counts around ``quantities``."""
    inputs = elements(shape)
    head = [quantity("input_elements", inputs)]
    if len(output_shape) == 3:
        head.append(quantity("output_channels", output_shape[0]))
    outputs = [q for q in quantities if q.key in _OUTPUT_SIZES]
    rest = [q for q in quantities if q.key not in _OUTPUT_SIZES]
    made = inputs if output_shape is shape else elements(output_shape)  # the same shape (an activation): once
    ordered = (*head, *outputs, quantity("output_elements", made), *rest)
    return LayerAnalysis(name, layer, shape, output_shape, ordered, assumptions)


_OUTPUT_SIZES = frozenset(key for key in LAYER_QUANTITIES if key.startswith("output_"))
"""The quantities an analysis puts first among a layer's own, after the input's element count."""


def per_output(factor: sp.Expr, output_shape: Shape) -> sp.Expr:
    """``factor`` times the output's W·H·C, unevaluated."""
    return f.mul(factor, elements(output_shape))


def no_weights() -> list[Quantity]:
    """No parameters and no arithmetic: pooling, Flatten, Dropout and the like."""
    if numeric():  # the same three values for every such layer: made once (a quantity is never changed)
        return list(_numeric_zeros())
    zero = number(0)
    return [
        quantity("params", zero),
        quantity("mults", zero),
        quantity("adds", zero),
    ]


@cache
def _numeric_zeros() -> tuple[Quantity, ...]:
    return tuple(quantity(key, 0) for key in ("params", "mults", "adds"))


def same_as_given(actual: sp.Expr, given: Arg | None, owner: str, arg: str, what: str) -> tuple[sp.Basic, ...]:
    """Check a given size against the incoming one; an assumption when symbolic."""
    if given is None:
        return ()
    expected = as_expr(given, owner, arg)
    verdict = equal(expected, actual)
    if verdict is False:
        raise LayerError(f"{owner}: {arg} is {expected} but the {what} are {actual}")
    return () if verdict else (f.stated(expected, "==", actual),)


def divisible_check(count: sp.Expr, groups: sp.Expr, owner: str, arg: str) -> tuple[sp.Basic, ...]:
    """Check that ``groups`` divides ``count``; an assumption when symbolic."""
    verdict = divides(groups, count)
    if verdict is False:
        raise LayerError(f"{owner}: {arg} {count} is not divisible by groups {groups}")
    return () if verdict else (f.stated(f.mod(count, groups), "==", 0),)
