"""Element-wise layers: torch's shapes and parameters, the stated per-element conventions, specs."""

from __future__ import annotations

import pytest
import sympy as sp

from symcnn.cnn.layer_types import LAYER_TYPES
from symcnn.cnn.layers_elementwise import GELU, PER_ELEMENT, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
from symcnn.cnn.network import build_network
from symcnn.errors import LayerError
from symcnn.files.spec import network_from_table
from symcnn.formula.symbols import symbol

torch = pytest.importorskip("torch")

LAYERS = [
    (ReLU6(), torch.nn.ReLU6()), (LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)), (Sigmoid(), torch.nn.Sigmoid()),
    (Tanh(), torch.nn.Tanh()), (SiLU(), torch.nn.SiLU()), (GELU(), torch.nn.GELU()),
    (GELU("tanh"), torch.nn.GELU("tanh")), (Hardswish(), torch.nn.Hardswish()),
    (Softmax(1), torch.nn.Softmax(1)), (Softmax(-1), torch.nn.Softmax(-1)),
]


@pytest.mark.parametrize(("layer", "module"), LAYERS, ids=[repr(layer) for layer, _ in LAYERS])
@pytest.mark.parametrize("shape", [(5, 7, 3), (12,)])
def test_shapes_and_parameters_match_torch(layer, module, shape) -> None:  # type: ignore[no-untyped-def]
    analysis = layer.analyze(shape)
    assert tuple(int(v) for v in analysis.output_shape) == tuple(module(torch.zeros(1, *shape)).shape[1:])
    assert int(analysis["params"].expr) == sum(p.numel() for p in module.parameters()) == 0
    assert analysis.layer.field_map(analysis.input_shape) is None  # each output sees its own position


@pytest.mark.parametrize("name", [n for n in PER_ELEMENT if n != "GELU-tanh"])
def test_per_element_conventions_scale_with_the_elements(name: str) -> None:
    """Every count is the convention's number times C·H·W, symbolically."""
    layer = LAYER_TYPES[name]()
    analysis = layer.analyze()
    size = symbol("C_in") * symbol("H") * symbol("W")
    for key, count in PER_ELEMENT[name].items():
        assert sp.expand(analysis[key].expr - count * size) == 0, key
    for key in ("mults", "adds"):
        assert sp.expand(analysis[key].expr - PER_ELEMENT[name].get(key, 0) * size) == 0


def test_softmax_counts_per_vector() -> None:
    """Softmax over channels of (C, H, W): H·W vectors of C: C - 1 comparisons, 2C - 1 additions each."""
    C, H, W = (symbol(n) for n in ("C_in", "H", "W"))
    analysis = Softmax(1).analyze()
    assert sp.expand(analysis["comparisons"].expr - (C - 1) * H * W) == 0
    assert sp.expand(analysis["adds"].expr - (2 * C - 1) * H * W) == 0
    assert sp.expand(analysis["transcendentals"].expr - C * H * W) == 0
    assert sp.expand(Softmax(-1).analyze()["comparisons"].expr - (W - 1) * C * H) == 0
    for dim in (None, 0, 4, -5):
        with pytest.raises(LayerError):
            Softmax(dim).analyze()


def test_inplace_layers_store_no_output() -> None:
    assert not ReLU6(inplace=True).stores_output and ReLU6().stores_output
    assert not Hardswish(inplace=True).stores_output


def test_gelu_refuses_an_unknown_approximation() -> None:
    with pytest.raises(LayerError, match="approximate"):
        GELU("fast")


def test_every_layer_type_reads_from_a_spec() -> None:
    """One spec with every new element-wise type; summary-ready and auto-named by kind."""
    layers = [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3}]
    layers += [{"type": name} for name in ("ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "Hardswish")]
    layers += [{"type": "GELU", "approximate": "tanh"}, {"type": "Softmax", "dim": 1}]
    network, _ = network_from_table({"input": [3, 8, 8], "layers": layers}, "spec")
    assert [a.name for a in network][:3] == ["conv1", "act1", "act2"]
    assert network.layers[-1].output_shape == (4, 6, 6)
    assert build_network([ReLU6(), Softmax(1)], (3, 4, 4)).total("params") == 0


def test_training_memory_skips_in_place_and_identity_outputs() -> None:
    """The training model keeps each stored output once: an in-place ReLU6 and an Identity add nothing."""
    from symcnn import Conv2d, Identity
    from symcnn.cnn.memory import stored_activations

    network = build_network([Conv2d(3, 4, 3), ReLU6(inplace=True), Identity(), GELU()], (3, 8, 8))
    assert stored_activations(network) == 3 * 8 * 8 + 4 * 6 * 6 + 4 * 6 * 6
