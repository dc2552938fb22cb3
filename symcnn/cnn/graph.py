"""Graph networks: layers that read any earlier layer, and joins where branches meet.

A graph is given as nodes in topological order (each reads only nodes before
it), so it is analysed in one pass, in time linear in the number of nodes,
exactly as a chain is: every spatial size that stays an expression gets a
symbol of its own. The result is a :class:`symcnn.cnn.network.Network` whose
``inputs`` say which nodes each layer reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from symcnn.cnn.analysis import LayerAnalysis, Shape
from symcnn.cnn.joins import Join
from symcnn.cnn.layer import Layer
from symcnn.cnn.network import LayersMet, Network, collector_paused, layers_met
from symcnn.errors import LayerError
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.symbols import layer_symbol

INPUT = "input"
"""The name by which any node can read the network's input."""


@dataclass(frozen=True)
class Node:
    """One layer of a graph and the nodes it reads.

    Attributes:
        name: a unique name (None: auto-named ``conv3``, ``add2``, ... by kind).
        layer: the layer, or a :class:`symcnn.cnn.joins.Join` for several inputs.
        inputs: names of earlier nodes (or ``"input"``); empty: the node before it.
    """

    name: str | None
    layer: Layer
    inputs: tuple[str, ...] = ()


@collector_paused()
def build_graph(nodes: Sequence[Node], input_shape: Sequence[int | sp.Expr], name: str = "network") -> Network:
    """Analyse a graph's nodes in order on ``input_shape`` (C, H, W).

    Raises:
        LayerError: a node reads a name no earlier node has, a layer that is not
            a join gets several inputs, two nodes share a name, or a layer cannot
            take what it receives (branches that disagree name both).
    """
    shapes: list[Shape] = [tuple(to_sympy(size) for size in input_shape)]
    ids: dict[str, int] = {INPUT: 0}
    counters: dict[str, int] = {}
    analyses: list[LayerAnalysis] = []
    reads: list[tuple[int, ...]] = []
    met = layers_met()
    for index, node in enumerate(nodes, start=1):
        counters[node.layer.kind] = counters.get(node.layer.kind, 0) + 1
        node_name = node.name or f"{node.layer.kind}{counters[node.layer.kind]}"
        if node_name in ids:
            raise LayerError(f"{name}: two layers are named {node_name!r}; give each a different name")
        sources = tuple(_resolve(source, ids, index, node_name) for source in node.inputs) or (index - 1,)
        try:
            analysis = _analyze(node.layer, [shapes[k] for k in sources],
                                [_name_of(k, analyses) for k in sources], node_name, index, met)
        except LayerError as error:  # say where the layer stands, as spec files number them
            detail = str(error).removeprefix(f"{node_name}: ")
            raise LayerError(f"layer {index} ({node_name}): {detail}") from None
        ids[node_name] = index
        analyses.append(analysis)
        shapes.append(analysis.output_shape)
        reads.append(sources)
    return Network(name, shapes[0], tuple(analyses), inputs=tuple(reads))


def _resolve(source: str, ids: dict[str, int], index: int, node_name: str) -> int:
    """The node id of an input name, or an error listing what the node could read."""
    if source in ids:
        return ids[source]
    inside = [k for name, k in ids.items() if name.startswith(f"{source}.")]
    if inside:  # a block's name stands for its output: its last node
        return max(inside)
    known = ", ".join(list(ids)[-8:])
    raise LayerError(
        f"layer {index} ({node_name}): reads {source!r}, but no earlier layer has that name "
        f"(the last ones are {known}); a layer can only read layers above it"
    )


def _name_of(node: int, analyses: list[LayerAnalysis]) -> str:
    return INPUT if node == 0 else analyses[node - 1].name


def _analyze(layer: Layer, shapes: list[Shape], sources: list[str], name: str, index: int,
             met: LayersMet) -> LayerAnalysis:
    """One node on the shapes it reads; a layer met before renamed (``met``)."""
    if isinstance(layer, Join):
        return layer.join(shapes, sources, name)
    if len(shapes) != 1:
        raise LayerError(
            f"{name}: a {type(layer).__name__} reads one input, got {len(shapes)} ({', '.join(sources)}); "
            f"join them first with Add, Mul or Concat"
        )
    out_symbols = (layer_symbol("H", index), layer_symbol("W", index))
    analysis = met.found(layer, name, shapes[0], out_symbols)
    if analysis is None:
        analysis = layer.analyze(shapes[0], name=name, out_symbols=out_symbols)
        met.keep(analysis)
    return analysis
