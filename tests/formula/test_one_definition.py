"""One definition, two readings: a layer's analysis builds each formula's value, and its textbook tree on demand.

The value (``Quantity.expr``, built node by node by the builders of
:mod:`symcnn.formula.trees`) must be exactly what evaluating the tree
(``Quantity.formula``, built from the same definition later) gives, on
numbers and on symbols, for every layer family and for whole networks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.layer import Layer, _Trees
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from symcnn.cnn.layers_nd import Conv1d, Conv3d, MaxPool3d
from symcnn.cnn.layers_norm import GroupNorm, LayerNorm
from symcnn.cnn.layers_resize import Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.cnn.summary import as_json, as_table, summarize
from symcnn.errors import LayerError
from symcnn.files.spec import read_network
from symcnn.formula import trees as f
from symcnn.formula.evaluation import evaluated
from symcnn.formula.plain import plain
from symcnn.formula.quantity import Deferred
from tests.helpers import reproducible

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SYMBOLS = ("K", "S", "P", "C", "D")


def agree(layer: Layer, shape: tuple[object, ...]) -> int:
    """Every quantity's value against its tree evaluated; returns how many were compared."""
    analysis = layer.analyze(shape)
    for quantity in analysis:
        assert isinstance(quantity.source, Deferred), quantity.key
        assert quantity.expr == evaluated(quantity.formula), (layer, shape, quantity.key)
        if all(isinstance(size, int) for size in shape) and quantity.expr.is_number:
            assert isinstance(quantity.expr, sp.Integer | sp.Rational), quantity.key
    return len(analysis.quantities)


@st.composite
def arguments(draw: st.DrawFn, low: int, high: int) -> int | str:
    """A number, or (one time in four) a symbol name."""
    return draw(st.sampled_from(SYMBOLS)) if draw(st.integers(0, 3)) == 0 else draw(st.integers(low, high))


@st.composite
def layers_and_inputs(draw: st.DrawFn) -> tuple[Layer, tuple[object, ...]]:
    """A layer of any family and an input it takes, numeric or partly symbolic."""
    size = draw(st.sampled_from([draw(st.integers(8, 40)), "H"]))
    channels = draw(st.sampled_from([4, 8, "C_in"]))
    k, s, p = draw(arguments(1, 4)), draw(arguments(1, 3)), draw(arguments(0, 1))
    family = draw(st.integers(0, 14))
    image = (channels, size, size)
    choices: list[tuple[Layer, tuple[object, ...]]] = [
        (Conv2d(out_channels=draw(arguments(1, 9)), kernel_size=k, stride=s, padding=p,
                dilation=draw(st.integers(1, 2)), bias=draw(st.booleans())), image),
        (Conv2d(8, 8, 3, groups=draw(st.sampled_from([1, 2, 4, 8]))), (8, size, size)),
        (MaxPool2d(kernel_size=2 if k in SYMBOLS else max(k, 2), stride=s, ceil_mode=draw(st.booleans())), image),
        (AvgPool2d(kernel_size=3, stride=s, padding=draw(st.integers(0, 1)), ceil_mode=draw(st.booleans())), image),
        (Linear(draw(arguments(1, 9))), (channels,)),
        (Flatten(), image),
        (ReLU(), image),
        (BatchNorm2d(channels), image),
        (AdaptiveAvgPool2d(draw(st.integers(1, 5))), image),
        (AdaptiveMaxPool2d((draw(st.integers(1, 5)), 1)), image),
        (ConvTranspose2d(out_channels=4, kernel_size=k, stride=s, padding=0,
                         output_padding=0), image),
        (Upsample(scale_factor=draw(st.integers(1, 3))), image),
        (ZeroPad2d(draw(st.integers(0, 2))), image),
        (GroupNorm(2, 8) if channels == 8 else LayerNorm([size, size]), image),
        (draw(st.sampled_from([Conv1d(4, 6, 3, stride=2), Conv3d(4, 6, 3, padding=1), MaxPool3d(2)])),
         draw(st.sampled_from([(4, 16), (4, 8, 8, 8)]))),
    ]
    return choices[family]


@reproducible(max_examples=150)
@given(layers_and_inputs())
def test_each_value_is_its_tree_evaluated(case: tuple[Layer, tuple[object, ...]]) -> None:
    layer, shape = case
    try:
        agree(layer, shape)
    except LayerError:
        pass  # an input the layer cannot take fails the same way in both readings


def test_the_symbolic_layers_of_the_assignment_agree() -> None:
    for layer in (Conv2d(), MaxPool2d(), AvgPool2d(), Linear()):
        assert agree(layer, layer.default_input()) >= 3


def test_every_example_network_agrees_layer_by_layer() -> None:
    compared = 0
    for spec in sorted(EXAMPLES.glob("*.toml")):
        if "claims" in spec.name or "assignment" in spec.name:
            continue
        network, _ = read_network(spec)
        for analysis in network.layers:
            for quantity in analysis:
                assert quantity.expr == evaluated(quantity.formula), (spec.name, analysis.name, quantity.key)
                compared += 1
    assert compared > 5000


def test_the_tree_is_built_only_when_asked_for_and_once() -> None:
    calls: list[int] = []

    class Counted(Conv2d):
        def _analyze(self, *args):  # type: ignore[no-untyped-def]
            calls.append(1)
            return super()._analyze(*args)

    analysis = Counted(3, 8, 3).analyze((3, 32, 32))
    assert analysis["params"].expr == 224 and len(calls) == 1  # the values: one run
    assert plain(analysis["params"].formula) == "(3*3*3 + 1)*8"  # the tree: one more run, on demand
    assert analysis["mults"].formula is not None and len(calls) == 2


def test_the_builders_make_values_only_inside_the_block() -> None:
    width, padding = sp.Symbol("W"), sp.Symbol("P")
    tree = f.add(width, f.mul(2, padding), f.neg(3))
    with f.building_values():
        value = f.add(width, f.mul(2, padding), f.neg(3))
        assert f.mul(2, 3) == 6 and isinstance(f.mul(2, 3), sp.Integer)
    assert value == evaluated(tree) == width + 2 * padding - 3
    assert tree.args[0] == width and not f.builds_values()


def test_a_summary_builds_no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a textbook tree was built")

    monkeypatch.setattr(_Trees, "formula", refuse)
    for spec in ("vgg16.toml", "resnet18.toml", "unet.toml"):
        network, values = read_network(EXAMPLES / spec)
        summary = summarize(network, values, budget="12GiB")
        assert as_json(summary)["totals"]["params"] > 0 and as_table(summary)
