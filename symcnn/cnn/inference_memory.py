"""The inference peak: the most activation memory alive at once during a forward pass.

At inference nothing is kept for a backward pass: walking the graph in its
(topological) order, each layer allocates its output, and a tensor is freed
as soon as its last reader has run; the network's output stays. A layer that
does not store an output (Flatten's view, an in-place ReLU or Add) writes
into its input's buffer, which then lives until the last reader of either.
The peak over the walk, per sample, bounds the largest inference batch:
``B = ⌊M / (b · n_peak)⌋``.
"""

from __future__ import annotations

from typing import NamedTuple

from symcnn.cnn.network import Network
from symcnn.errors import SymcnnError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.evaluation import multiplied_all, value_of
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_whole, number, reading_of
from symcnn.formula.quantity import Quantity


class InferencePeak(NamedTuple):
    """The peak of live activation elements per sample, where it happens, and what is alive then."""

    elements: sp.Integer
    during: str
    alive: tuple[str, ...]

    def max_batch(self, budget_bytes: int, element_bytes: int) -> sp.Integer:
        """The largest batch whose peak fits ``budget_bytes``."""
        with reading_of(self.elements):
            return number(budget_bytes // (element_bytes * int(self.elements)))


def largest_batch_inference() -> Quantity:
    """B = ⌊M / (b · n_peak)⌋."""
    return Quantity("max_batch_inference", "Largest batch for inference (peak live activations)", "B_{max}",
                    f.floor_div(notation.M, f.mul(notation.b, notation.symbol("n_peak"))))


def buffers(network: Network) -> list[int]:
    """For each node (0: the input), the node whose allocation holds its output."""
    owner = [0]
    for position, analysis in enumerate(network.layers):
        node = position + 1
        owner.append(node if analysis.layer.stores_output else owner[network.inputs_of(position)[0]])
    return owner


def inference_peak(network: Network, values: dict[sp.Symbol, sp.Expr]) -> InferencePeak:
    """Walk the nodes in order, freeing each buffer after its last reader (numbers needed).

    Raises:
        SymcnnError: a size that stays symbolic.
    """
    sizes = [value_of(multiplied_all(network.input_shape), values)]
    sizes += [value_of(network.activation(a), values) for a in network.layers]
    if not (set(map(type, sizes)) <= {int} or all(is_whole(size) for size in sizes)):
        raise SymcnnError("the inference peak needs numbers for every size; give the symbols values")
    owner = buffers(network)
    count = len(network.layers)
    last_read = {node: node for node in set(owner)}
    for position in range(count):
        for source in network.inputs_of(position):
            last_read[owner[source]] = max(last_read[owner[source]], position + 1)
    last_read[owner[count]] = count + 1  # the output outlives the walk
    alive: dict[int, int] = {0: int(sizes[0])}
    peak, during = int(sizes[0]), "input"
    peak_alive: tuple[str, ...] = (network.node_name(0),)
    total = peak  # the elements alive
    for node in range(1, count + 1):
        if owner[node] == node:
            alive[node] = int(sizes[node])
            total += alive[node]
        if total > peak:
            peak, during = total, network.node_name(node)
            peak_alive = tuple(network.node_name(k) for k in alive)
        for buffer in [k for k in alive if last_read[k] <= node]:
            total -= alive.pop(buffer)
    return InferencePeak(to_sympy(peak), during, peak_alive)
