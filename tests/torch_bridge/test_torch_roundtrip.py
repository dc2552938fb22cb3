"""Every network spec in examples/ through torch and back: spec -> to_torch -> from_torch -> spec.

The spec text comes back the same, and torch's own forward pass (on the meta
device: shapes and FLOPs, no arithmetic), parameter counts and FlopCounterMode
agree with symcnn layer by layer. The exported source runs and imports back too.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from symcnn import from_torch, read_network, to_torch
from symcnn.cnn.joins import Join
from symcnn.files.spec_writer import layer_arguments, spec_text
from symcnn.torch_bridge.source import torch_source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPECS = sorted(p for p in EXAMPLES.glob("*.toml") if "layers" in tomllib.loads(p.read_text()))


def test_the_examples_hold_networks() -> None:
    assert {p.stem for p in SPECS} >= {"seed_network", "vgg16", "alexnet"}


def per_layer_shapes(module: torch.nn.Module, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Each layer module's output shape (no batch axis) in a meta-device forward pass, by module path."""
    shapes: dict[str, tuple[int, ...]] = {}
    for name, child in module.named_modules():
        child.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:])))
    module(torch.zeros((1, *shape), device="meta"))
    return shapes


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_round_trip(path: Path) -> None:
    network, values = read_network(path)
    bound = network.values(values)
    with torch.device("meta"):
        module = to_torch(network, values)
    back = from_torch(module, network.input_shape, name=network.name)
    assert spec_text(back, values) == spec_text(network, values)

    shape = tuple(int(size.xreplace(bound)) for size in network.input_shape)
    torch_shapes = per_layer_shapes(module, shape)
    children = dict(module.named_modules())
    for analysis in network.layers:
        assert torch_shapes[analysis.name] == tuple(int(s.xreplace(bound)) for s in analysis.output_shape)
        params = sum(p.numel() for p in children[analysis.name].parameters())
        assert params == analysis["params"].expr.xreplace(bound)

    counter = FlopCounterMode(display=False)
    with counter:
        module(torch.zeros((1, *shape), device="meta"))
    assert counter.get_total_flops() == 2 * network.total("weight_mults").xreplace(bound)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_exported_source_runs_and_imports_back(path: Path) -> None:
    network, values = read_network(path)
    namespace: dict[str, object] = {"__name__": "exported"}
    exec(compile(torch_source(network, values, name="Exported"), f"{path.stem}.py", "exec"), namespace)
    with torch.device("meta"):
        module = namespace["Exported"]()  # type: ignore[operator]
        built = to_torch(network, values)
    flat = [(k.rsplit(".", 1)[0].replace(".", "_") + "." + k.rsplit(".", 1)[1], v.shape)
            for k, v in built.state_dict().items()]  # the source's attributes: layer1_0_conv1
    assert [(k, v.shape) for k, v in module.state_dict().items()] == flat
    back = from_torch(module, network.input_shape, name=network.name)
    assert same_layers(back, network)


def same_layers(ours, theirs, connections: bool = True) -> bool:  # type: ignore[no-untyped-def]
    """Layer for layer the same type, arguments, output shape and quantities; module names set aside
    (the exported source flattens ``layer1.0.conv1`` to ``layer1_0_conv1`` and writes joins as operators:
    ``a + b``, whose trace cannot tell an in-place ``+=``)."""
    assert len(ours.layers) == len(theirs.layers)
    for a, b in zip(ours.layers, theirs.layers):
        arguments = (lambda layer: {} if isinstance(layer, Join) else layer_arguments(layer))  # noqa: E731
        assert (type(a.layer), arguments(a.layer)) == (type(b.layer), arguments(b.layer)), a.name
        values = (lambda analysis: [(q.key, q.expr.doit()) for q in analysis.quantities])  # noqa: E731
        assert (a.output_shape, values(a)) == (b.output_shape, values(b)), a.name
    if connections:
        assert [ours.inputs_of(k) for k in range(len(ours.layers))] == \
            [theirs.inputs_of(k) for k in range(len(theirs.layers))]
    return True


def test_symbolic_spec_exports_with_its_values() -> None:
    """The assignment's own symbolic layers (K_1, S, C_out ...) become numbers from [values]."""
    from symcnn import Conv2d, Linear, MaxPool2d, build_network
    from symcnn.cnn.layers import Flatten
    from symcnn.errors import SymcnnError
    from symcnn.formula.symbols import K_1, K_2, P_2, S_2, C_out, K, N, P, S

    network = build_network([Conv2d(), MaxPool2d(), Flatten(), Linear()], (3, 32, 32))
    with pytest.raises(SymcnnError, match="give values for"):
        to_torch(network)
    values = {K_1: 5, K_2: 3, S: 1, P: 1, C_out: 8, K: 2, S_2: 2, P_2: 0, N: 10}
    module = to_torch(network, values)
    assert tuple(module(torch.zeros(2, 3, 32, 32)).shape) == (2, 10)
    bound = network.values(values)
    assert sum(p.numel() for p in module.parameters()) == network.total("params").xreplace(bound)


ZOO = ["resnet18", "resnet50", "mobilenet_v2", "densenet121", "googlenet", "unet"]


@pytest.mark.parametrize("name", ZOO)
def test_the_zoo_models_import_as_their_example_specs(name: str) -> None:
    """tests/reference_models.py's plain-torch zoo, traced, is the network of examples/NAME.toml:
    the same layers, shapes and counts, and nearly all of the same names. Connections may be
    written differently (``x + f(x)`` or ``f(x) + x``; DenseNet's one torch.cat of all earlier
    features, or a chain of two-input concatenations), with the same counts."""
    from symcnn.files.spec import network_from_table
    from symcnn.torch_bridge.importer import import_with_scopes
    from tests import reference_models

    spec, values = read_network(EXAMPLES / f"{name}.toml")
    imported, scopes = import_with_scopes(getattr(reference_models, name)(), spec.input_shape, name=spec.name)
    assert same_layers(imported, spec, connections=False)
    named_alike = sum(a.name == b.name for a, b in zip(imported.layers, spec.layers))
    assert named_alike >= 0.85 * len(spec.layers)

    # written with its reused classes as blocks, the spec is much shorter and reads back the same
    flat, with_blocks = spec_text(imported), spec_text(imported, scopes=scopes)
    assert "[blocks." in with_blocks and len(with_blocks.splitlines()) < len(flat.splitlines()) / 3
    again, _ = network_from_table(tomllib.loads(with_blocks), name)
    assert spec_text(again) == flat


def test_resnet50_reads_like_the_example() -> None:
    from symcnn.torch_bridge.importer import import_with_scopes
    from tests import reference_models

    network, scopes = import_with_scopes(reference_models.resnet50(), (3, 224, 224))
    text = spec_text(network, scopes=scopes)
    assert text.count("[blocks.") == 2  # the bottleneck, and the first of a stage with its downsample
    assert '[blocks.bottleneck]' in text and '[blocks.bottleneck_downsample]' in text
    assert 'out_channels = "4 * out_channels"' in text
    for stage, repeat in ((1, 2), (2, 3), (3, 5), (4, 2)):
        assert f'name = "layer{stage}"\nout_channels = {32 * 2 ** stage}\nfirst = 1\nrepeat = {repeat}' in text
