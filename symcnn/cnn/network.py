"""Network: layers applied to an input shape, in linear time: a chain, or a graph.

Each layer is analysed on the shape the previous one produced. A spatial size
that stays an expression gets a symbol of its own (``W_3`` for layer 3, defined
by that layer's formula in terms of ``W_2``), so no expression ever nests the
whole network: cost grows linearly with depth, also fully symbolically. Numbers
come in by binding values layer by layer with
:func:`~symcnn.formula.quantity.value_of`, which rebuilds only the nodes above a
bound symbol (never ``subs``).

A graph network (:func:`symcnn.cnn.graph.build_graph`) is the same object with
``inputs`` saying which earlier nodes each layer reads (node 0 is the input,
node k the k-th layer), always in topological order.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeAlias

from symcnn.cnn.analysis import LayerAnalysis, Shape
from symcnn.cnn.layer import Layer
from symcnn.cnn.renaming import Repeats
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import bind, summed, value_of
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import numeric
from symcnn.formula.symbols import layer_symbol

_INT = frozenset({int})
TOTAL_KEYS = ("params", "mults", "adds", "comparisons", "activation_elements")


@dataclass(frozen=True, repr=False)
class Network(Displayable):
    """A chain of analysed layers.

    Attributes:
        name: the network's name.
        input_shape: (C, H, W) of one sample.
        layers: one analysis per layer, in order, named ``conv1``, ``pool1``, ...
        inputs: per layer, the nodes it reads (0: the input, k: layer k);
            empty for a chain, where layer k reads node k - 1.
    """

    name: str
    input_shape: Shape
    layers: tuple[LayerAnalysis, ...]
    inputs: tuple[tuple[int, ...], ...] = ()

    @property
    def batch(self) -> sp.Symbol:
        """The batch-size symbol, B."""
        return notation.B

    @property
    def is_chain(self) -> bool:
        """Whether every layer reads the one before it."""
        return all(nodes == (k,) for k, nodes in enumerate(self.inputs)) if self.inputs else True

    def inputs_of(self, position: int) -> tuple[int, ...]:
        """The nodes the layer at 0-based ``position`` reads (0: the input, k: layer k)."""
        return self.inputs[position] if self.inputs else (position,)

    def node_name(self, node: int) -> str:
        """``input`` for node 0, else the layer's name."""
        return "input" if node == 0 else self.layers[node - 1].name

    def __iter__(self) -> Iterator[LayerAnalysis]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def layer(self, key: str | int) -> LayerAnalysis:
        """A layer by name, or by 1-based index as the assignment numbers them.

        Raises:
            LayerError: no such layer (the message lists the names).
        """
        if isinstance(key, int) and not isinstance(key, bool):
            if 1 <= key <= len(self.layers):
                return self.layers[key - 1]
        else:
            for analysis in self.layers:
                if analysis.name == key:
                    return analysis
            inside = [a for a in self.layers if a.name.startswith(f"{key}.")]
            if inside:  # a block's name stands for its output: its last node
                return inside[-1]
        every = [a.name for a in self.layers]
        names = ", ".join(every) if len(every) <= 12 else f"{', '.join(every[:5])}, ..., {', '.join(every[-5:])}"
        raise LayerError(f"{self.name}: no layer {key!r}; the layers are {names} (or 1..{len(self.layers)})")

    def block(self, name: str) -> tuple[LayerAnalysis, ...]:
        """The layers inside the block (or torch-style module path) called ``name``: ``layer2.0`` holds
        ``layer2.0.conv1`` ... (empty when ``name`` is a layer's own name or nothing)."""
        if any(a.name == name for a in self.layers):
            return ()
        return tuple(a for a in self.layers if a.name.startswith(f"{name}."))

    def position(self, name: str) -> int:
        """The 0-based position of the layer called ``name`` (raises LayerError if none is)."""
        return self.layers.index(self.layer(name))

    @property
    def definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """Every symbol the layers define, in order (``W_1``, ``H_1``, ``W_2``, ...)."""
        return {sym: expr for analysis in self.layers for sym, expr in analysis.definitions.items()}

    def values(self, assignment: Mapping[sp.Symbol, sp.Expr] | None = None) -> dict[sp.Symbol, sp.Expr]:
        """``assignment`` plus the value of every defined symbol, bound layer by layer.

        Only numbers are bound: a size that stays symbolic keeps its own symbol,
        since binding the expression would nest the whole network
        (:meth:`closed_form` gives that view).

        Raises:
            LayerError: the values break a layer's assumption (a kernel larger
                than the padded input it gets, channels that do not match).
        """
        bound = {sym: to_sympy(value) for sym, value in (assignment or {}).items()}
        for analysis in self.layers:
            if analysis.definitions:
                bound = bind(analysis.definitions, bound)
            for assumption in analysis.assumptions:
                if value_of(assumption, bound) == sp.false:
                    lhs, rhs = (value_of(side, bound) for side in assumption.args)
                    raise LayerError(
                        f"{analysis.name}: needs {assumption.lhs} {assumption.rel_op} {assumption.rhs}, "
                        f"but the values make it {lhs} {assumption.rel_op} {rhs}"
                    )
        return bound

    def activation(self, analysis: LayerAnalysis) -> sp.Expr:
        """Elements one sample's output of ``analysis`` holds."""
        return analysis["output_elements"].expr

    def total(self, key: str) -> sp.Expr:
        """The sum of a quantity over all layers (per sample).

        ``weight_mults``: the multiplications of the convolutions and linear
        layers only (FlopCounterMode's FLOPs / 2), without those the
        conventions count for normalisation, activations and upsampling.
        """
        return self.totals((key,))[key]

    def totals(self, keys: Sequence[str]) -> dict[str, sp.Expr]:
        """:meth:`total` of each of ``keys``, in one walk over the layers."""
        terms: dict[str, list[sp.Expr]] = {key: [] for key in keys}
        for analysis in self.layers:
            for key, found in terms.items():
                if key == "activation_elements":
                    found.append(self.activation(analysis))
                elif key == "weight_mults":
                    if analysis.layer.weight_products:
                        found.append(analysis["mults"].expr)
                elif (quantity := analysis.get(key)) is not None:
                    found.append(quantity.expr)
        return {key: summed(found) for key, found in terms.items()}

    def closed_form(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every layer symbol replaced by its nested definition.

        An optional view for shallow networks: its size grows with depth.
        """
        for sym, definition in reversed(list(self.definitions.items())):
            expr = value_of(expr, {sym: definition})  # xreplace would re-evaluate every floor
        return expr


LayersMet: TypeAlias = "_SameInputs | Repeats"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Build without the cyclic garbage collector, restored afterwards (also on an error).

    A network is a large graph of new, acyclic sympy objects; each collection
    rescans all that survived, so the collector's cost grows with depth
    (measured: a 3,000-layer symbolic summary 10-25 % faster without it).
    Nothing built here forms a cycle for it to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@collector_paused()
def build_network(
    layers: Sequence[Layer | tuple[str, Layer]],
    input_shape: Sequence[int | sp.Expr],
    name: str = "network",
    *,
    sizes_unnamed: bool = False,
) -> Network:
    """Analyse ``layers`` in order on ``input_shape`` (C, H, W).

    In the numeric reading a layer met again on the same input (a chain of
    equal blocks) is analysed once, and its analysis renamed: the analysis of
    numbers is a function of the layer and the input alone. So is one of the
    periodic reading's sizes (:mod:`symcnn.formula.sizes`) where nothing reads
    the names it gives them (``sizes_unnamed``: the valid-input proof of a chain).

    Args:
        layers: layers, or (name, layer) pairs; unnamed ones are auto-named
            ``conv1``, ``pool1``, ``fc1``, ... by kind.
        input_shape: one sample's (C, H, W); ints, symbols or expressions.
        name: the network's name.
        sizes_unnamed: nothing reads the names of the new sizes (see above).

    Raises:
        LayerError: a layer cannot take the shape it receives, or two layers
            share a name.
    """
    shape: Shape = tuple(to_sympy(size) for size in input_shape)
    first = shape
    counters: dict[str, int] = {}
    analyses: list[LayerAnalysis] = []
    seen: set[str] = set()
    repeats = layers_met(sizes_unnamed)
    for index, entry in enumerate(layers, start=1):
        given, layer = entry if isinstance(entry, tuple) else (None, entry)
        counters[layer.kind] = counters.get(layer.kind, 0) + 1
        layer_name = given or f"{layer.kind}{counters[layer.kind]}"
        if layer_name in seen:
            raise LayerError(f"{name}: two layers are named {layer_name!r}; give each a different name")
        seen.add(layer_name)
        out_symbols = (layer_symbol("H", index), layer_symbol("W", index))
        analysis = repeats.found(layer, layer_name, shape, out_symbols)
        if analysis is None:
            try:
                analysis = layer.analyze(shape, name=layer_name, out_symbols=out_symbols)
            except LayerError as error:  # say where the layer stands, as spec files number them
                detail = str(error).removeprefix(f"{layer_name}: ")
                raise LayerError(f"layer {index} ({layer_name}): {detail}") from None
            repeats.keep(analysis)
        analyses.append(analysis)
        shape = analysis.output_shape
    return Network(name, first, tuple(analyses))


def layers_met(sizes_unnamed: bool = False) -> LayersMet:
    """Where a network being built keeps the layers it has analysed, to rename a layer met again (see
    :func:`build_network`): by layer and input in the numeric reading, up to the input's size names in the
    sympy reading (:class:`~symcnn.cnn.renaming.Repeats`)."""
    return _SameInputs(sizes_unnamed) if numeric() else Repeats()


class _SameInputs:
    """The layers a chain has analysed in the numeric reading, by layer and input: a layer met again on the same
    input is the same analysis, renamed. Ask :meth:`found` first, then :meth:`keep` what was not found."""

    def __init__(self, sizes_unnamed: bool) -> None:
        self.sizes_unnamed = sizes_unnamed
        self.analysed: dict[tuple[Layer, Shape], LayerAnalysis] = {}
        self.pending: tuple[Layer, Shape] | None = None
        """The key of the layer last asked for, to keep its analysis under (None: not to keep it)."""

    def found(self, layer: Layer, name: str, shape: Shape, out_symbols: object) -> LayerAnalysis | None:
        """The analysis of ``layer`` called ``name`` on ``shape``, where met before; else None."""
        key = self.pending = _repeat_key(layer, shape, self.sizes_unnamed)
        try:
            analysis = self.analysed.get(key) if key is not None else None
        except TypeError:  # a layer that does not hash (a list argument, given in Python): analysed each time
            self.pending = None
            return None
        return None if analysis is None else analysis.renamed(name, layer)

    def keep(self, analysis: LayerAnalysis) -> None:
        """Keep the ``analysis`` just made of the layer :meth:`found` did not find."""
        if self.pending is not None:
            self.analysed[self.pending] = analysis


def _repeat_key(layer: Layer, shape: Shape, sizes_unnamed: bool) -> tuple[Layer, Shape] | None:
    """What makes a layer's analysis in the numeric reading, to analyse a repeated one once; None: not to.

    An input of numbers only, or of sizes whose names nothing reads (a layer that does not hash is found out
    where the key is looked up).
    """
    if not sizes_unnamed and not set(map(type, shape)) <= _INT:
        return None
    return (layer, shape)
