"""The network half: the seed network's table, memory models, budgets, torch.

Every number the assignment's section 5 states is checked against a table
typed in here by hand; the training-model batch sizes are re-derived with
plain Python ints, from sums computed here rather than read from symcnn.
VGG-16, AlexNet and the seed network are rebuilt in torch from the layer list
symcnn read, and every layer's output shape and parameter count compared.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import sympy as sp

from symcnn.cnn.layers import Conv2d, MaxPool2d
from symcnn.cnn.memory import memory_plan, parse_budget, stored_activations
from symcnn.cnn.network import build_network
from symcnn.errors import SymcnnError
from symcnn.files.spec import read_network
from symcnn.formula.evaluation import evaluated
from symcnn.formula.symbols import symbol

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = EXAMPLES / "seed_network.toml"
GIB = 2**30

# The seed's activation table (assignment, section 5): name, (C, H, W) or (N,).
SEED_TABLE = [
    ("conv1", (64, 256, 256)),
    ("conv2", (64, 256, 256)),
    ("pool1", (64, 128, 128)),
    ("conv3", (128, 128, 128)),
    ("conv4", (128, 128, 128)),
    ("pool2", (128, 64, 64)),
    ("conv5", (256, 64, 64)),
    ("conv6", (256, 64, 64)),
    ("pool3", (256, 32, 32)),
    ("conv7", (512, 32, 32)),
    ("conv8", (512, 32, 32)),
    ("pool4", (512, 16, 16)),
    ("conv9", (512, 16, 16)),
    ("conv10", (512, 16, 16)),
    ("pool5", (512, 8, 8)),
    ("flatten1", (32768,)),
    ("fc1", (4096,)),
    ("fc2", (4096,)),
    ("fc3", (2,)),
]
# Elements per sample, as the assignment writes them out.
SEED_ELEMENTS = [
    4_194_304, 4_194_304, 1_048_576, 2_097_152, 2_097_152, 524_288, 1_048_576, 1_048_576,
    262_144, 524_288, 524_288, 131_072, 131_072, 131_072, 32_768, 32_768, 4096, 4096, 2,
]
SEED_INPUT = (1, 256, 256)


def seed_params_by_hand() -> int:
    """3 x 3 convolutions (9·C_in + 1)·C_out, then (N_in + 1)·N_out for the FC layers."""
    channels = [1, 64, 64, 128, 128, 256, 256, 512, 512, 512, 512]
    convs = sum((9 * c_in + 1) * c_out for c_in, c_out in zip(channels, channels[1:], strict=False))
    features = [512 * 8 * 8, 4096, 4096, 2]
    fcs = sum((n_in + 1) * n_out for n_in, n_out in zip(features, features[1:], strict=False))
    return convs + fcs


def seed_kept_by_hand() -> int:
    """Input plus every layer's output except Flatten's (a view of pool5's)."""
    return math.prod(SEED_INPUT) + sum(math.prod(shape) for name, shape in SEED_TABLE if name != "flatten1")


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    network, values = read_network(SEED)
    return network, network.values(values)


# ---------------------------------------------------------------- the seed's table


def test_hand_table_is_consistent() -> None:
    """The typed-in element counts are the products of the typed-in shapes."""
    assert [math.prod(shape) for _, shape in SEED_TABLE] == SEED_ELEMENTS
    assert SEED_ELEMENTS[0] == 64 * 256 * 256 == 4_194_304


def test_seed_activation_table(seed) -> None:  # type: ignore[no-untyped-def]
    network, bound = seed
    assert network.input_shape == SEED_INPUT
    assert [a.name for a in network] == [name for name, _ in SEED_TABLE]
    for analysis, (name, shape), count in zip(network, SEED_TABLE, SEED_ELEMENTS, strict=True):
        got = tuple(analysis.output_shape)
        assert all(isinstance(size, sp.Integer) for size in got), name
        assert tuple(int(size) for size in got) == shape, name
        assert network.activation(analysis) == count, name
        assert analysis["output_elements"].value(bound) == count, name


def test_seed_totals(seed) -> None:  # type: ignore[no-untyped-def]
    network, _ = seed
    assert seed_params_by_hand() == 160_415_170
    assert network.total("params") == 160_415_170
    assert network.total("activation_elements") == sum(SEED_ELEMENTS)
    assert stored_activations(network) == seed_kept_by_hand() == 18_063_362
    assert network.layer(1).name == "conv1" and network.layer("fc3").name == "fc3"
    assert network.layer(len(SEED_TABLE)) is network.layer("fc3")
    with pytest.raises(SymcnnError, match="no layer 'conv11'"):
        network.layer("conv11")
    with pytest.raises(SymcnnError):
        network.layer(0)


def test_seed_bottleneck_and_activation_model(seed) -> None:  # type: ignore[no-untyped-def]
    network, bound = seed
    plan = memory_plan(network, bound, "12GiB", "float32")
    assert plan.largest_activation == 4_194_304
    assert plan.bottleneck_layers == ("conv1", "conv2")
    # B = floor(M / (n_max · b)) = floor(12 · 2^30 / (4,194,304 · 4)) = 768
    assert (12 * GIB) // (4_194_304 * 4) == 768
    assert plan.max_batch() == 768
    assert isinstance(plan.max_batch(), sp.Integer)
    # half the bytes per element, twice the batch
    assert memory_plan(network, bound, "12GiB", "float16").max_batch() == 1536
    si = memory_plan(network, bound, "12GB", "float32").max_batch()
    assert si == (12 * 10**9) // (4 * 4_194_304) == 715


@pytest.mark.parametrize(
    ("optimizer", "states", "expected"),
    [("sgd", 0, 160), ("momentum", 1, 151), ("adam", 2, 142)],
)
def test_seed_training_model(seed, optimizer: str, states: int, expected: int) -> None:  # type: ignore[no-untyped-def]
    """B = ⌊(M − (2 + s)·b·|θ|) / (b · n_kept)⌋, derived by hand.

    |θ| = 160,415,170 (seed_params_by_hand). n_kept = 65,536 (the 1 x 256 x 256
    input) + every layer output except Flatten's, a view of pool5's output:
    18,030,594 (all 19 outputs) − 32,768 + 65,536 = 18,063,362. With M = 12·2^30
    and b = 4 (float32):

        sgd      (s = 0): (12,884,901,888 − 2·4·160,415,170) // (4·18,063,362) = 160
        momentum (s = 1): (12,884,901,888 − 3·4·160,415,170) // (4·18,063,362) = 151
        adam     (s = 2): (12,884,901,888 − 4·4·160,415,170) // (4·18,063,362) = 142
    """
    network, bound = seed
    params, kept = seed_params_by_hand(), seed_kept_by_hand()
    assert (params, kept) == (160_415_170, 18_063_362)
    assert sum(SEED_ELEMENTS) - 32_768 + 65_536 == kept
    by_hand = (12 * GIB - (2 + states) * 4 * params) // (4 * kept)
    assert by_hand == expected

    plan = memory_plan(network, bound, "12GiB", "float32", optimizer)
    assert plan.params == params
    assert plan.stored_elements == kept
    assert plan.max_batch(training=True) == expected
    assert plan.max_batch() == 768  # the activation-only model ignores the optimizer


def test_training_model_floor_at_zero(seed) -> None:  # type: ignore[no-untyped-def]
    """A budget below the weights' own size gives 0, not a negative batch."""
    network, bound = seed
    plan = memory_plan(network, bound, "1GB", "float32", "adam")
    assert 1 * 10**9 < 4 * 4 * 160_415_170
    assert plan.max_batch(training=True) == 0


def test_memory_plan_rejects_bad_settings(seed) -> None:  # type: ignore[no-untyped-def]
    network, bound = seed
    with pytest.raises(SymcnnError, match="dtype"):
        memory_plan(network, bound, "12GiB", "float8")
    with pytest.raises(SymcnnError, match="optimizer"):
        memory_plan(network, bound, "12GiB", "float32", "rmsprop")
    symbolic = build_network([Conv2d()], ("C_in", "H", "W"))
    with pytest.raises(SymcnnError, match="numbers"):
        memory_plan(symbolic, symbolic.values(), "12GiB")


# ---------------------------------------------------------------- budgets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12GiB", 12 * 2**30),
        ("12GB", 12 * 10**9),
        ("12 GB", 12 * 10**9),
        ("12gib", 12 * 2**30),
        ("1.5GiB", 3 * 2**29),
        ("1024B", 1024),
        ("1024 b", 1024),
        ("2KiB", 2048),
        ("3MB", 3_000_000),
        ("1TiB", 2**40),
        ("0.5KB", 500),
        ("7B", 7),
    ],
)
def test_parse_budget(text: str | int, expected: int) -> None:
    budget = parse_budget(text)
    assert budget.bytes == expected
    assert isinstance(budget.bytes, int)
    assert evaluated(budget.formula) == expected


def test_budget_meaning() -> None:
    assert parse_budget("12GiB").meaning == "GiB = 2^30 bytes"
    assert parse_budget("12GB").meaning == "GB = 10^9 bytes"
    assert parse_budget("1024B").meaning == "bytes"


@pytest.mark.parametrize("text", ["12 parsecs", "0GB", "0.3B", "", "GB", "-1GB", "1e9", "12 G B", "1.5GB/s"])
def test_parse_budget_rejects(text: str) -> None:
    with pytest.raises(SymcnnError, match="memory budget"):
        parse_budget(text)


@pytest.mark.parametrize("text", ["12", 12, "1.5", "12884901888"])
def test_a_budget_without_a_unit_is_refused_naming_the_units(text: str | int) -> None:
    with pytest.raises(SymcnnError, match=r"has no unit; write e\.g\. 12GiB \(GiB = 2\^30 bytes\), 12GB"):
        parse_budget(text)


# ---------------------------------------------------------------- symbolic networks

SEED_VALUES = {"C_in": 64, "H": 256, "W": 256, "C_out": 128, "K_1": 3, "K_2": 3, "S": 1, "P": 1,
               "K": 2, "S_2": 2, "P_2": 0}


def test_symbolic_network_defines_layer_symbols() -> None:
    network = build_network([Conv2d(), MaxPool2d()], ("C_in", "H", "W"))
    C_in, H, W, C_out, K_1, K_2, S, P, K, S_2, P_2 = (symbol(name) for name in SEED_VALUES)
    H_1, W_1, H_2, W_2 = (symbol(name) for name in ("H_1", "W_1", "H_2", "W_2"))
    assert network.input_shape == (C_in, H, W)
    conv, pool = network.layers
    assert conv.output_shape == (C_out, H_1, W_1)
    assert pool.output_shape == (C_out, H_2, W_2)
    assert network.definitions == {
        W_1: sp.floor((W + 2 * P - K_1) / S) + 1,
        H_1: sp.floor((H + 2 * P - K_2) / S) + 1,
        W_2: sp.floor((W_1 + 2 * P_2 - K) / S_2) + 1,
        H_2: sp.floor((H_1 + 2 * P_2 - K) / S_2) + 1,
    }
    assert conv["params"].expr == (K_1 * K_2 * C_in + 1) * C_out
    assert network.activation(pool) == C_out * H_2 * W_2
    # the closed form nests the definitions
    assert network.closed_form(W_2) == sp.floor((sp.floor((W + 2 * P - K_1) / S) + 1 + 2 * P_2 - K) / S_2) + 1


def test_symbolic_network_binds_the_seed_values() -> None:
    network = build_network([Conv2d(), MaxPool2d()], ("C_in", "H", "W"))
    bound = network.values({symbol(name): value for name, value in SEED_VALUES.items()})
    assert [bound[symbol(name)] for name in ("H_1", "W_1", "H_2", "W_2")] == [256, 256, 128, 128]
    conv, pool = network.layers
    assert [sp.sympify(s).xreplace(bound) for s in conv.output_shape] == [128, 256, 256]
    assert [sp.sympify(s).xreplace(bound) for s in pool.output_shape] == [128, 128, 128]
    assert pool["output_elements"].value(bound) == 128 * 128 * 128 == 2_097_152
    assert conv["params"].value(bound) == (3 * 3 * 64 + 1) * 128 == 73_856
    assert conv["mults"].value(bound) == 3 * 3 * 64 * 256 * 256 * 128
    assert sp.Integer(network.total("params").xreplace(bound)) == 73_856
    # the same network built with numbers gives the same numbers
    same = Conv2d(out_channels=128, kernel_size=3, padding=1)
    numeric = build_network([same, MaxPool2d(2)], (64, 256, 256))
    assert [tuple(a.output_shape) for a in numeric] == [(128, 256, 256), (128, 128, 128)]


def test_values_refuse_a_kernel_larger_than_the_bound_input() -> None:
    network = build_network([Conv2d()], ("C_in", "H", "W"))
    values = {symbol(name): value for name, value in SEED_VALUES.items()} | {symbol("H"): 1, symbol("P"): 0}
    with pytest.raises(SymcnnError, match="conv1"):
        network.values(values)


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def test_three_hundred_layer_symbolic_chain() -> None:
    """Linear-time build (no recursion error), numeric binding matches a plain loop.

    Every conv has kernel (K_2, K_1), stride S, padding P; every fourth layer
    is a pool (K, S_2, P_2). With K_1 = 5, K_2 = 3, P = 3, S = 1 a conv grows
    the width by 2 and the height by 4; the pools (K = 2, S_2 = 2, P_2 = 1)
    roughly halve it.
    """
    depth = 300
    layers = [MaxPool2d() if index % 4 == 3 else Conv2d() for index in range(depth)]
    network = build_network(layers, ("C_in", "H", "W"), name="deep")
    assert len(network) == depth
    assert network.layers[-1].name == "pool75"
    assert network.layers[-2].name == "conv225"
    assert network.layers[-1].output_shape == (symbol("C_out"), symbol(f"H_{depth}"), symbol(f"W_{depth}"))
    assert len(network.definitions) == 2 * depth

    numbers = {"C_in": 3, "H": 40, "W": 64, "C_out": 8, "K_1": 5, "K_2": 3, "S": 1, "P": 3,
               "K": 2, "S_2": 2, "P_2": 1}
    bound = network.values({symbol(name): value for name, value in numbers.items()})
    height, width = numbers["H"], numbers["W"]
    for index in range(depth):
        if index % 4 == 3:
            height = output_size(height, 2, 2, 1)
            width = output_size(width, 2, 2, 1)
        else:
            height = output_size(height, 3, 1, 3)
            width = output_size(width, 5, 1, 3)
        assert (bound[symbol(f"H_{index + 1}")], bound[symbol(f"W_{index + 1}")]) == (height, width), index
    assert network.activation(network.layers[-1]).xreplace(bound) == 8 * height * width
    total = sp.Integer(network.total("params").xreplace(bound))
    assert total == 225 * ((5 * 3 * 8 + 1) * 8) - (5 * 3 * 8 - 5 * 3 * 3) * 8  # first conv sees 3 channels


# ---------------------------------------------------------------- torch


def torch_layers(network, torch):  # type: ignore[no-untyped-def]
    """The network's layers as torch.nn modules, with the same arguments.

    Linear layers are made on the meta device: same shapes and parameter
    counts, without allocating (and initialising) up to 0.5 GB of weights on
    a CPU with two cores. Everything before them runs on real zeros.
    """
    modules = []
    for analysis in network:
        kind = type(analysis.layer).__name__
        arguments = {
            key: value for key, value in analysis.layer.arguments().items()
            if key != "windows" and value is not None
        }
        arguments = {key: _plain(value) for key, value in arguments.items()}
        if kind == "Conv2d":
            arguments["in_channels"] = int(analysis.input_shape[0])
        elif kind == "Linear":
            arguments["in_features"] = int(analysis.input_shape[0])
            arguments["device"] = "meta"
        modules.append(getattr(torch.nn, kind)(**arguments))
    return modules


def _plain(value):  # type: ignore[no-untyped-def]
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, sp.Integer):
        return int(value)
    return value


@pytest.mark.parametrize(
    ("spec", "total"),
    [("vgg16.toml", 138_357_544), ("alexnet.toml", 61_100_840), ("seed_network.toml", 160_415_170)],
)
def test_examples_match_torch(spec: str, total: int) -> None:
    torch = pytest.importorskip("torch")
    network, values = read_network(EXAMPLES / spec)
    bound = network.values(values)
    modules = torch_layers(network, torch)
    assert len(modules) == len(network)
    x = torch.zeros((1, *(int(s) for s in network.input_shape)))
    with torch.no_grad():
        for module, analysis in zip(modules, network, strict=True):
            module.eval()
            if any(p.is_meta for p in module.parameters()):
                x = x.to("meta")
            x = module(x)
            assert tuple(x.shape[1:]) == tuple(int(s) for s in analysis.output_shape), analysis.name
            numel = sum(p.numel() for p in module.parameters())
            assert analysis["params"].value(bound) == numel, analysis.name
    assert x.is_meta == any(type(a.layer).__name__ == "Linear" for a in network)
    torch_total = sum(p.numel() for module in modules for p in module.parameters())
    assert torch_total == total
    assert network.total("params") == total


@pytest.mark.parametrize("collecting", [True, False])
def test_building_and_summarizing_leave_the_garbage_collector_as_they_found_it(collecting: bool) -> None:
    import gc

    from symcnn.cnn.layers import Linear
    from symcnn.cnn.summary import summarize
    from symcnn.errors import LayerError

    seen: list[bool] = []

    class Watching(Conv2d):
        def _analyze(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(gc.isenabled())
            return super()._analyze(*args, **kwargs)

    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        network = build_network([Watching(out_channels=4, kernel_size=3)], (3, 8, 8))
        summarize(network)
        with pytest.raises(LayerError):
            build_network([Linear(in_features=5, out_features=2)], (3, 8, 8))
        assert gc.isenabled() is collecting and seen and not any(seen)  # the build and the proof's rebuild
    finally:
        (gc.enable if was else gc.disable)()
