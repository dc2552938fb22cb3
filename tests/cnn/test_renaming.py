"""A layer met again on sizes of other names is renamed, not analysed again: node for node what analysing gives.

:mod:`symcnn.cnn.renaming` rebuilds a repeated layer's analysis without sympy's arithmetic, relying on sympy's
canonical order depending on the symbols only through their order and assumptions. Every test here builds a
network twice, renaming and analysing every layer, and asks for the same objects, structure included (``srepr``):
values, textbook trees, names, shapes and assumptions, each sympy node with its arguments in the order it holds
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.core.cache import clear_cache

from symcnn.cnn import renaming
from symcnn.cnn.graph import Node, build_graph
from symcnn.cnn.joins import Add
from symcnn.cnn.layer import Layer
from symcnn.cnn.layer_types import LAYER_TYPES
from symcnn.cnn.layers import Conv2d, MaxPool2d, ReLU
from symcnn.cnn.network import Network, build_network
from symcnn.cnn.summary import as_json, as_table, summarize
from symcnn.errors import LayerError
from symcnn.formula.symbols import layer_symbol
from tests.helpers import reproducible

Block = list[tuple[str, dict[str, Any]]]
SHAPES = {1: ("C_in", "L"), 2: ("C_in", "H", "W"), 3: ("C_in", "T", "H", "W")}
FAMILIES = {
    1: ("Conv1d", "MaxPool1d", "AvgPool1d", "BatchNorm1d", "ReLU"),
    2: ("Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d", "AdaptiveAvgPool2d", "Upsample", "ZeroPad2d",
        "BatchNorm2d", "GroupNorm", "ReLU", "Identity", "Softmax"),
    3: ("Conv3d", "MaxPool3d", "AvgPool3d", "BatchNorm3d", "ReLU"),
}


def structure(expr: Any) -> Any:
    """A sympy object as its type and its arguments in the order it holds them (``srepr`` would sort them)."""
    if isinstance(expr, tuple):
        return tuple(structure(item) for item in expr)
    if not isinstance(expr, sp.Basic) or not expr.args:
        return sp.srepr(expr)
    return type(expr).__name__, tuple(structure(arg) for arg in expr.args)


def snapshot(network: Network) -> list[tuple[Any, ...]]:
    """Everything a network's layers hold, sympy objects by their structure, textbook trees included."""
    return [(a.name, a.layer, *map(structure, (a.input_shape, a.output_shape, a.assumptions)),
             [(q.key, q.title, q.lhs, *map(structure, (q.symbol, q.expr, q.formula))) for q in a.quantities])
            for a in network.layers]


def both_ways(make: Callable[[], Network]) -> tuple[Any, Any]:
    """What ``make`` gives (a snapshot, or the error message) renaming repeats, and analysing every layer."""
    results = []
    for rename in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not rename:
                patch.setattr(renaming.Template, "renamed", lambda *arguments: None)
            try:
                results.append(snapshot(make()))
            except LayerError as error:
                results.append(str(error))
    return results[0], results[1]


@st.composite
def blocks(draw: st.DrawFn) -> tuple[int, Block, int]:
    """A rank, a block of 1-4 layers of that rank with symbolic or numeric arguments, and a repeat count."""
    rank = draw(st.sampled_from([1, 2, 2, 2, 3]))
    value = st.one_of(st.integers(1, 3), st.sampled_from(["K", "S", "K_1", "S_2", "D", "G"]))
    padding = st.one_of(st.integers(0, 2), st.sampled_from(["P", "P_2"]))
    block: Block = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(FAMILIES[rank]))
        if kind.startswith(("Conv", "MaxPool", "AvgPool")):
            arguments = dict(kernel_size=draw(value), stride=draw(value), padding=draw(padding))
            if kind.startswith("Conv"):
                arguments |= dict(out_channels=draw(st.sampled_from([4, "C", "C_out", "W_1b"])),
                                  dilation=draw(st.sampled_from([1, 2, "D"])))
                if kind.startswith("ConvTranspose"):
                    arguments.pop("padding")
            else:
                arguments |= dict(ceil_mode=draw(st.booleans()))
            block.append((kind, arguments))
        elif kind == "AdaptiveAvgPool2d":
            block.append((kind, dict(output_size=draw(st.sampled_from([1, 3, "N"])))))
        elif kind == "Upsample":
            block.append((kind, dict(scale_factor=draw(st.integers(1, 3)))))
        elif kind == "ZeroPad2d":
            block.append((kind, dict(padding=draw(padding))))
        elif kind == "GroupNorm":
            block.append((kind, dict(num_groups=1, num_channels="C_in")))
        elif kind.startswith("BatchNorm"):
            block.append((kind, {}))
        else:
            block.append((kind, {}))
    return rank, block, draw(st.integers(2, 12))


def chain_of(rank: int, block: Block, repeats: int, shape: tuple[Any, ...] | None = None) -> Callable[[], Network]:
    def make() -> Network:
        layers: list[Layer] = []
        for kind, arguments in block * repeats:
            cls = LAYER_TYPES[kind]
            if kind.startswith("BatchNorm"):
                arguments = dict(num_features="C_in")
            layers.append(cls(**arguments))
        return build_network(layers, shape or SHAPES[rank])
    return make


@reproducible(max_examples=80)
@given(blocks())
def test_a_repeated_block_is_renamed_into_what_analysing_gives(drawn: tuple[int, Block, int]) -> None:
    renamed, analysed = both_ways(chain_of(*drawn))
    assert renamed == analysed


@reproducible(max_examples=30)
@given(blocks(), st.integers(1, 40))
def test_a_repeated_block_on_a_partly_numeric_input_too(drawn: tuple[int, Block, int], size: int) -> None:
    rank, block, repeats = drawn
    shape = ("C_in", *([size] * (rank - 1)), "W")  # the first sizes numbers, the last a symbol
    renamed, analysed = both_ways(chain_of(rank, block, repeats, shape))
    assert renamed == analysed


def test_a_chain_of_equal_blocks_is_analysed_once_per_layer_of_the_block() -> None:
    """Renamed from the block's first analysis, but where the names change their order (``W_9`` before
    ``W_10``, ``H_99`` before ``H_100``): there it is analysed again."""
    calls: list[str] = []
    original = Layer.analyze

    def counted(self: Layer, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("name", ""))
        return original(self, *args, **kwargs)

    layers = [Conv2d(out_channels="C", kernel_size="K", stride="S", padding="P"), MaxPool2d("K_p", stride="S_p")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Layer, "analyze", counted)
        network = build_network(layers * 60, ("C_in", "H", "W"))
    assert len(network) == 120
    assert len(calls) <= 2 + 2 * 3  # the first pair, and the pairs about layers 10 and 100
    assert network.layers[-1].output_shape == (sp.Symbol("C", integer=True, positive=True),
                                               *(sp.Symbol(f"{axis}_120", integer=True, positive=True)
                                                 for axis in "HW"))


@pytest.mark.parametrize("kernel", ["W_3", "H_2", "K + W_4", "L_5"])
def test_a_layer_whose_arguments_name_a_network_size_is_analysed_each_time(kernel: str) -> None:
    """Renaming the input's W_3 would rename the kernel's W_3 with it."""
    make = chain_of(2, [("Conv2d", dict(out_channels="C", kernel_size=kernel, padding=kernel, stride=1))], 8)
    renamed, analysed = both_ways(make)
    assert renamed == analysed
    assert renaming.Template(make().layers[0], (sp.Symbol("H_1"), sp.Symbol("W_1"))).symbols is None


def test_an_input_named_like_a_network_size_is_not_mixed_up_with_one() -> None:
    """An input width called ``W_5`` beside the W_5 that layer 5 names: the two must never be exchanged."""
    make = chain_of(2, [("MaxPool2d", dict(kernel_size="K", stride=1))], 9, ("C_in", "W_5", "W_12"))
    renamed, analysed = both_ways(make)
    assert renamed == analysed


@pytest.mark.parametrize("channels", ["W_1b", "H_2x", "W_9z"])
def test_a_renaming_that_would_change_sympy_s_order_is_not_made(channels: str) -> None:
    """Output channels called ``W_1b`` sort before the width W_2 but after W_11 (names compare as text): renamed
    from layer 2's, layer 11's product ``H_11·W_11·W_1b`` would keep the order of ``H_2·W_1b·W_2``, not the one
    sympy gives it."""
    make = chain_of(2, [("Conv2d", dict(out_channels=channels, kernel_size="K", padding="P", stride=1))], 24)
    renamed, analysed = both_ways(make)
    assert renamed == analysed


def test_an_input_of_numbers_equal_but_not_the_same_object_is_not_renamed() -> None:
    """Past sympy's cache, 1024 on one layer's input and 1024 on another's are two objects: a number, not a
    name (a 1,000-layer numeric chain's proof found it)."""
    layer = Conv2d(out_channels="C", kernel_size=3, padding=1, stride=(1, 2))  # the height stays 1024
    built = build_network([layer] * 3, ("C_in", 1024, "W"))
    template = renaming.Template(built.layers[1], (layer_symbol("H", 2), layer_symbol("W", 2)))
    clear_cache()
    shape = (built.layers[2].input_shape[0], sp.Integer(1024), built.layers[2].input_shape[2])
    assert shape[1] is not built.layers[1].input_shape[1]
    renamed = template.renamed("conv3", layer, shape, (layer_symbol("H", 3), layer_symbol("W", 3)))
    assert renamed is not None and structure(renamed.output_shape) == structure(built.layers[2].output_shape)


def residual_stages(stages: int, blocks: int) -> Callable[[], Network]:
    """A graph: per stage a symbolic downsampling convolution, then ``blocks`` residual blocks (conv, ReLU,
    conv, Add of the block's input), the same layers in every block."""
    def make() -> Network:
        nodes: list[Node] = []
        for stage in range(stages):
            nodes.append(Node(f"down{stage}", Conv2d(out_channels="C", kernel_size="K", stride="S", padding="P")))
            entry = f"down{stage}"
            for block in range(blocks):
                name = f"s{stage}b{block}"
                nodes += [Node(f"{name}.conv1", Conv2d(out_channels="C", kernel_size=3, padding=1)),
                          Node(f"{name}.relu", ReLU()),
                          Node(f"{name}.conv2", Conv2d(out_channels="C", kernel_size=3, padding=1)),
                          Node(f"{name}.add", Add(), (f"{name}.conv2", entry))]
                entry = f"{name}.add"
        return build_graph(nodes, ("C_in", "H", "W"))
    return make


@pytest.mark.parametrize("stages, blocks", [(2, 3), (4, 2)])
def test_a_graph_s_repeated_layers_are_renamed_into_what_analysing_gives(stages: int, blocks: int) -> None:
    renamed, analysed = both_ways(residual_stages(stages, blocks))
    assert renamed == analysed
    summaries = []
    for rename in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not rename:
                patch.setattr(renaming.Template, "renamed", lambda *arguments: None)
            summary = summarize(residual_stages(stages, blocks)())
            summaries.append(repr(as_json(summary)) + as_table(summary))
    assert summaries[0] == summaries[1]


def test_the_summary_of_a_renamed_chain_is_the_summary_of_an_analysed_one() -> None:
    def text() -> str:
        layers = [Conv2d(out_channels="C", kernel_size="K", stride="S", padding="P"), MaxPool2d("K_p", stride="S_p")]
        summary = summarize(build_network(layers * 12, ("C_in", "H", "W")))
        return repr(as_json(summary)) + as_table(summary)

    renamed = text()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(renaming.Template, "renamed", lambda *arguments: None)
        assert text() == renamed
