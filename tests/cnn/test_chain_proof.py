"""A chain's valid input sizes pulled back layer by layer (:mod:`symcnn.cnn.chain_proof`), against the
proof of the whole chain along the lcm of its strides and against the sympy reading's proof."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn import chain_proof
from symcnn.cnn.analysis import spatial_quantities
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.network import build_network
from symcnn.cnn.validity import Validity, _periodic_validity, _pulled_back_validity, _symbolic_validity, input_validity
from symcnn.errors import LayerError
from symcnn.files.spec import read_network
from symcnn.formula.numbers import numeric_reading
from symcnn.formula.periodic import NotPeriodic
from symcnn.formula.sizes import Named
from tests.cnn.test_numeric_reading import Recipe, chain, recipes
from tests.helpers import reproducible

ROOT = Path(__file__).resolve().parents[2]


def proved(validity: Validity) -> tuple[str, Any, tuple[Any, ...], tuple[str, ...]]:
    return validity.condition, validity.smallest, validity.joins, validity.undecided


@reproducible(max_examples=250)
@given(recipes(), st.integers(8, 40))
def test_the_pulled_back_sizes_are_those_the_whole_chain_is_proved_for(recipe: Recipe, size: int) -> None:
    """Random chains of every layer family (ceil mode, transposed, upsampling, adaptive, flattened): where
    the pull-back answers, it says what the proof of the whole chain and the sympy reading say."""
    with numeric_reading():
        try:
            network = chain(recipe, size)()
        except LayerError:
            return
        pulled = _pulled_back_validity(network)  # these chains are all of its kind
        whole = _periodic_validity(network)
    assert proved(pulled) == proved(whole)
    assert proved(pulled)[:2] == proved(_symbolic_validity(chain(recipe, size)(), None))[:2]


@pytest.mark.parametrize("name", ["vgg16", "alexnet", "seed_network"])
def test_the_example_chains_are_pulled_back(name: str) -> None:
    with numeric_reading():
        network, _ = read_network(ROOT / "examples" / f"{name}.toml")
        assert proved(_pulled_back_validity(network)) == proved(_periodic_validity(network))


@pytest.mark.parametrize("layers, why", [
    (lambda: [Conv2d(3, 4, 3), MaxPool2d(2), Flatten(), Linear(4 * 7 * 7, 10)], "a size outside the family"),
    (lambda: [Conv2d(3, 4, 3), Flatten(), Linear(out_features=2), Linear(2, 3)], None),
])
def test_a_condition_on_a_flattened_size_is_left_to_the_whole_proof(layers: Callable[[], list[Layer]],
                                                                     why: str | None) -> None:
    """``in_features`` given after a Flatten is a condition on C·H·W, outside what is pulled back; stated
    on a number (the second Linear) it is decided where it is made, and the chain is pulled back."""
    with numeric_reading():
        network = build_network(layers(), (3, 16, 16))
        if why is None:
            assert proved(_pulled_back_validity(network)) == proved(_periodic_validity(network))
            return
        with pytest.raises(NotPeriodic, match=why):
            _pulled_back_validity(network)
        numeric = proved(input_validity(network))
    assert numeric == proved(_symbolic_validity(build_network(layers(), (3, 16, 16)), None))


def test_a_graph_is_left_to_the_whole_proof() -> None:
    with numeric_reading():
        network, _ = read_network(ROOT / "examples" / "unet.toml")
        with pytest.raises(NotPeriodic, match="not a chain"):
            _pulled_back_validity(network)
        assert input_validity(network).condition == "H ≡ 0 (mod 16), H ≥ 16; W ≡ 0 (mod 16), W ≥ 16"


def test_each_distinct_window_is_analysed_once_and_no_layer_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 poolings of 4 channel counts and 10 equal shrinking convolutions: the pull-back analyses their one
    window (3 x 3, stride 1, both) once, on one variable, and no layer: what a convolution states of its
    channels was checked on its numbers; the convolutions that keep the sizes take no step."""
    layers_analysed: list[str] = []
    for cls in (Conv2d, MaxPool2d):
        def counted(self: Any, *args: Any, analyze: Any = cls._analyze) -> Any:
            layers_analysed.append(type(self).__name__)
            return analyze(self, *args)

        monkeypatch.setattr(cls, "_analyze", counted)
    windows_analysed: list[Any] = []

    def window_counted(shape: Any, windows: Any, *args: Any, **options: Any) -> Any:
        windows_analysed.append(windows)
        return spatial_quantities(shape, windows, *args, **options)

    monkeypatch.setattr(chain_proof, "spatial_quantities", window_counted)
    with numeric_reading():
        layers: list[Layer] = []
        previous = 3
        for channels in (8, 16, 32, 64):
            layers += [Conv2d(previous, channels, 3, padding=1), ReLU(), MaxPool2d(3, stride=1)]
            layers += [Conv2d(channels, channels, 3, padding=1), ReLU(), MaxPool2d(3, stride=1)] * 4
            previous = channels
        layers += [Conv2d(64, 64, 3)] * 10
        network = build_network(layers, (3, 80, 80))
        layers_analysed.clear()
        pulled = _pulled_back_validity(network)
    assert layers_analysed == []
    assert windows_analysed == [(MaxPool2d(3, stride=1).windows[0],)]
    with numeric_reading():
        assert proved(pulled) == proved(_periodic_validity(network))
    assert pulled.condition == "H ≥ 61; W ≥ 61"  # 20 poolings take 2 each, 10 convolutions 2 each, 1 is left


WINDOWED = st.one_of(
    st.builds(lambda k, s, p, d: lambda: Conv2d(3, 4, k, stride=s, padding=p, dilation=d),
              st.tuples(st.integers(1, 5), st.integers(1, 5)), st.integers(1, 4), st.integers(0, 2), st.integers(1, 2)),
    st.builds(lambda k, s, p, d, c: lambda: MaxPool2d(k, stride=s, padding=min(p, k // 2), dilation=d, ceil_mode=c),
              st.integers(1, 5), st.integers(1, 4), st.integers(0, 2), st.integers(1, 2), st.booleans()),
    st.builds(lambda k, s, p, c: lambda: AvgPool2d(k, stride=s, padding=min(p, k // 2), ceil_mode=c),
              st.integers(1, 5), st.integers(1, 4), st.integers(0, 2), st.booleans()),
)
"""Convolutions and poolings of random windows (made in the numeric reading, as a spec makes them)."""


@reproducible(max_examples=200)
@given(WINDOWED, st.sampled_from(["variable", 3, 7, 12]))
def test_a_windowed_layer_s_step_is_its_own_analysis_s(make: Callable[[], Layer], width: Any) -> None:
    """What :meth:`~symcnn.cnn.layer.Layer.size_windows` claims, on random convolutions and poolings (ceil mode,
    dilation, padding, strides): the step read one window at a time is the step of the layer's own analysis on
    the same entries (the width a variable or a number), or both refuse the same way."""
    with numeric_reading():
        layer = make()
        try:
            numbers = build_network([layer], (3, 80, 80 if width == "variable" else width)).layers[0]
        except LayerError:
            return  # a window that does not fit the width given: the chain is refused on its numbers
        spec = (3, chain_proof._VARIABLE, chain_proof._VARIABLE if width == "variable" else width)
        before: list[Any] = [3, Named("H"), Named("W") if width == "variable" else width]
        outcomes: list[Any] = []
        for step in (lambda: chain_proof._step(layer, spec, "layer"),
                     lambda: chain_proof._windowed({}, layer.size_windows(), before, numbers)):  # type: ignore[arg-type]
            try:
                outcomes.append(step())
            except NotPeriodic as error:
                outcomes.append(type(error))
    own, windowed = outcomes
    if isinstance(own, type) or isinstance(windowed, type):
        assert own == windowed
        return
    assert windowed.least == own.least
    assert windowed.outputs[1:] == own.outputs[1:]


@reproducible(max_examples=120)
@given(recipes(), st.integers(8, 40))
def test_the_pulled_back_sizes_are_exactly_those_the_layers_take(recipe: Recipe, size: int) -> None:
    """Every height from 1 to 80 (the width as given): the chain built on numbers at that height, each
    layer checking its own input, succeeds exactly where the pulled-back set says it is valid."""
    with numeric_reading():
        try:
            heights = _pulled_back_validity(chain(recipe, size)()).sets[0]
        except LayerError:
            return
        layers = [cls(**kwargs) for cls, kwargs in recipe]
        for height in range(1, 81):
            try:
                build_network(layers, (3, height, size + 3))
                taken = True
            except LayerError:
                taken = False
            assert taken == (height in heights), height


def test_a_set_from_a_size_on_is_written_and_read_back() -> None:
    from symcnn.cnn.size_sets import SizeSet
    from symcnn.formula.sizes import Named

    height = Named("H")
    assert SizeSet.from_size(height, 32).text == "H ≥ 32" and SizeSet.from_size(height, 32).threshold == 32
    assert [n in SizeSet.from_size(height, 3) for n in range(1, 6)] == [False, False, True, True, True]
    assert SizeSet(height, 2, ((1, None), (0, None))).threshold == 2  # 3, 5, ... and 2, 4, ...: from 2 on
    assert SizeSet(height, 2, ((0, None), None)).threshold is None  # odd sizes only
    assert SizeSet(height, 1, ((0, 4),)).threshold is None  # an end
    assert SizeSet(height, 1, (None,)).threshold is None


@pytest.mark.parametrize("name", ["vgg16", "alexnet"])
def test_the_pulled_back_least_height_is_the_least_torch_takes(name: str) -> None:
    """torch (meta tensors) runs the features of VGG-16 and AlexNet (up to the Flatten, whose Linear fixes
    the size) exactly at the heights the pulled-back set admits, around the least one."""
    torch = pytest.importorskip("torch")
    from tests.cnn.test_network import torch_layers

    network, _ = read_network(ROOT / "examples" / f"{name}.toml")
    with numeric_reading():
        heights = _pulled_back_validity(read_network(ROOT / "examples" / f"{name}.toml")[0]).sets[0]
    modules = torch_layers(network, torch)
    features = [m.to("meta") for m in modules[:[type(m).__name__ for m in modules].index("Flatten")]]
    channels, width = int(network.input_shape[0]), int(network.input_shape[2])
    least = heights.smallest
    assert least is not None
    for height in range(max(1, least - 4), least + 5):
        x = torch.empty((1, channels, height, width), device="meta")
        try:
            for module in features:
                x = module(x)
            taken = min(x.shape[2:]) >= 1
        except RuntimeError:
            taken = False
        assert taken == (height in heights), height
