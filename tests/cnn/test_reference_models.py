"""The reference zoo of ``tests/reference_models.py`` against torchvision's published figures.

For every model: the parameters equal torchvision's ``num_params``; the multiply-accumulates of the
convolutions and linear layers at 1 x 3 x 224 x 224 are recorded below as exact integers (the
targets symcnn must reproduce) and round to the figures torchvision publishes; the output shape;
the depth in the model's name, read off its ``torch.fx`` graph; torchvision's module paths; and
the functional calls the fx trace records, which an importer must map.

Counting convention (torch's ``FlopCounterMode``): one multiply-accumulate (MAC) per weight per
output position of a Conv2d or Linear (per input position of a ConvTranspose2d), FLOPs = 2 MACs;
biases, normalisation, activations, pooling and joins count nothing. torchvision's "GFLOPS" are
these MACs in billions. Forward passes run on the meta device (shapes and counts without
arithmetic) except one small real pass per model; the whole module takes a few seconds.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from math import prod

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402
from torch.fx import Node, symbolic_trace  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from tests import reference_models as zoo  # noqa: E402

DOCS = "https://pytorch.org/vision/stable/models/generated/torchvision.models."


@dataclass(frozen=True)
class Published:
    """torchvision's figures: its docs page's GFLOPS (2 decimals) and its weights' meta ``_ops`` (3 decimals)."""

    gflops: str
    ops: str
    url: str


@dataclass(frozen=True)
class Reference:
    """A zoo model, its exact counts at 1 x 3 x 224 x 224, and what torchvision publishes (None: nothing)."""

    build: Callable[[], nn.Module]
    params: int
    macs: int  # FlopCounterMode FLOPs / 2, convolutions and linear layers only
    output_shape: tuple[int, ...]
    published: Published | None


ZOO = {
    "resnet18": Reference(
        zoo.resnet18, 11_689_512, 1_814_073_344, (1, 1000), Published("1.81", "1.814", DOCS + "resnet18.html")
    ),
    "resnet50": Reference(
        zoo.resnet50, 25_557_032, 4_089_184_256, (1, 1000), Published("4.09", "4.089", DOCS + "resnet50.html")
    ),
    "mobilenet_v2": Reference(
        zoo.mobilenet_v2, 3_504_872, 300_774_272, (1, 1000), Published("0.30", "0.301", DOCS + "mobilenet_v2.html")
    ),
    "densenet121": Reference(
        zoo.densenet121, 7_978_856, 2_834_161_664, (1, 1000), Published("2.83", "2.834", DOCS + "densenet121.html")
    ),
    "googlenet": Reference(
        zoo.googlenet, 6_624_904, 1_498_376_192, (1, 1000), Published("1.50", "1.498", DOCS + "googlenet.html")
    ),
    # No published figure: params and MACs as measured here (milesial's U-Net, bilinear=False, with its
    # convolutions before BatchNorm bias-free; 31_043_586 parameters if they kept their biases).
    "unet": Reference(zoo.unet, 31_037_698, 36_881_367_040, (1, 2, 224, 224), None),
}

# The small one-join models: (builder, input shape, params, MACs, output shape), all measured here.
BLOCKS = {
    "residual_block": (zoo.residual_block, (1, 8, 32, 32), 3_680, 917_504, (1, 16, 16, 16)),
    "squeeze_excitation_block": (zoo.squeeze_excitation_block, (1, 16, 32, 32), 148, 128, (1, 16, 32, 32)),
    "concatenation_block": (zoo.concatenation_block, (1, 16, 28, 28), 1_472, 1_091_328, (1, 28, 28, 28)),
}

IMAGENET_INPUT = (1, 3, 224, 224)



# ------------------------------------------------------------------- measuring


@cache
def on_meta(name: str) -> nn.Module:
    """The model built on the meta device (no weights allocated), in eval mode; built once per run."""
    build = ZOO[name].build if name in ZOO else BLOCKS[name][0]
    with torch.device("meta"):
        return build().eval()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def macs_by_formula(model: nn.Module, shape: tuple[int, ...]) -> int:
    """The textbook count, module by module, from the shapes each conv and linear layer sees."""
    total = 0

    def count(module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.ConvTranspose2d):  # each input element meets C_out / groups kernels
            total += inputs[0].numel() * module.out_channels // module.groups * prod(module.kernel_size)
        elif isinstance(module, nn.Conv2d):  # each output element sums C_in / groups kernels
            total += output.numel() * module.in_channels // module.groups * prod(module.kernel_size)
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    weighted = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
    handles = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, weighted)]
    try:
        model(torch.empty(shape, device="meta"))
    finally:
        for handle in handles:
            handle.remove()
    return total


@cache
def flop_count(name: str, shape: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """Output shape and FlopCounterMode's total FLOPs of one meta forward pass."""
    counter = FlopCounterMode(display=False)
    with counter:
        output = on_meta(name)(torch.empty(shape, device="meta"))
    return tuple(output.shape), counter.get_total_flops()


def giga(count: int, places: int) -> str:
    """``count`` in billions, rounded half-even to ``places`` decimals, exactly (no float)."""
    return str(Decimal(count).scaleb(-9).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def longest_weighted_path(model: nn.Module) -> int:
    """Most conv and linear layers on one path through the model's fx graph: the depth in a model's name."""
    graph = symbolic_trace(model)
    weighted = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
    depth: dict[Node, int] = {}
    for node in graph.graph.nodes:  # fx lists nodes in topological order
        before = max((depth[n] for n in node.all_input_nodes), default=0)
        is_weighted = node.op == "call_module" and isinstance(graph.get_submodule(node.target), weighted)
        depth[node] = before + is_weighted
    return max(depth.values())


# ----------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", ZOO)
def test_parameters_are_torchvisions(name: str) -> None:
    """Every parameter tensor counted once; the five torchvision models give its ``num_params``."""
    assert parameter_count(on_meta(name)) == ZOO[name].params


@pytest.mark.parametrize("name", ZOO)
def test_macs_at_224_are_recorded_exactly(name: str) -> None:
    """FlopCounterMode's FLOPs / 2 equal the recorded MACs and the module-by-module textbook count."""
    reference = ZOO[name]
    output_shape, flops = flop_count(name, IMAGENET_INPUT)
    assert output_shape == reference.output_shape
    assert flops == 2 * reference.macs
    assert macs_by_formula(on_meta(name), IMAGENET_INPUT) == reference.macs


@pytest.mark.parametrize("name", [name for name, reference in ZOO.items() if reference.published])
def test_macs_round_to_torchvisions_figures(name: str) -> None:
    """The exact MACs round to the docs page's GFLOPS and to the weights' ``_ops``."""
    reference = ZOO[name]
    assert reference.published is not None
    assert giga(reference.macs, 2) == reference.published.gflops
    assert giga(reference.macs, 3) == reference.published.ops


@pytest.mark.parametrize("name", BLOCKS)
def test_one_join_blocks(name: str) -> None:
    """Each small block: its shape, parameters, and FLOPs / 2 equal to the textbook count."""
    _, shape, params, macs, output_shape = BLOCKS[name]
    assert parameter_count(on_meta(name)) == params
    assert flop_count(name, shape) == (output_shape, 2 * macs)
    assert macs_by_formula(on_meta(name), shape) == macs


@pytest.mark.parametrize(
    "size, output_shape",
    [((16, 16), (1, 2, 16, 16)), ((64, 96), (1, 2, 64, 96)), ((224, 224), (1, 2, 224, 224))],
)
def test_unet_keeps_sizes_divisible_by_16(size: tuple[int, int], output_shape: tuple[int, ...]) -> None:
    """Padding 1 everywhere: the segmentation map has the input's height and width."""
    assert flop_count("unet", (1, 3, *size))[0] == output_shape


@pytest.mark.parametrize("size", [(72, 72), (224, 232), (40, 40)])
def test_unet_rejects_sizes_not_divisible_by_16(size: tuple[int, int]) -> None:
    """A size not divisible by 16 comes back up one row or column short, and the skip cannot be concatenated."""
    with pytest.raises(RuntimeError, match="Sizes of tensors must match"):
        on_meta("unet")(torch.empty(1, 3, *size, device="meta"))


@pytest.mark.parametrize("name", [*ZOO, *BLOCKS])
def test_real_forward_has_the_meta_shape(name: str) -> None:
    """The models compute on real tensors too (batch 2, small input), with the shape the meta pass gives."""
    channels, size = (3, 32) if name in ZOO else (BLOCKS[name][1][1], 16)
    torch.manual_seed(0)
    build = ZOO[name].build if name in ZOO else BLOCKS[name][0]
    model = build().eval()
    with torch.no_grad():
        output = model(torch.randn(2, channels, size, size))
    assert tuple(output.shape) == flop_count(name, (2, channels, size, size))[0]
    assert torch.isfinite(output).all()


@pytest.mark.parametrize(
    "name, depth",
    [
        ("resnet18", 18),
        ("resnet50", 50),
        ("densenet121", 121),
        ("googlenet", 22),  # "22 layers deep when counting only layers with parameters" (Szegedy et al.)
        ("mobilenet_v2", 53),  # 52 convolutions on the main path and the classifier
        ("unet", 23),  # "In total the network has 23 convolutional layers" (Ronneberger et al.)
    ],
)
def test_depth_in_the_name(name: str, depth: int) -> None:
    """The longest chain of conv and linear layers through the traced graph is the depth the authors state."""
    assert longest_weighted_path(on_meta(name)) == depth


@pytest.mark.parametrize(
    "name, path, kind, attributes",
    [
        ("resnet18", "layer1.0.conv1", nn.Conv2d, {"in_channels": 64, "stride": (1, 1)}),
        ("resnet18", "layer2.0.downsample.0", nn.Conv2d, {"kernel_size": (1, 1), "stride": (2, 2)}),
        ("resnet50", "layer1.0.downsample.0", nn.Conv2d, {"in_channels": 64, "out_channels": 256}),
        ("resnet50", "layer2.0.conv1", nn.Conv2d, {"stride": (1, 1)}),
        ("resnet50", "layer2.0.conv2", nn.Conv2d, {"stride": (2, 2)}),  # v1.5: the stride on the 3x3
        ("resnet50", "fc", nn.Linear, {"in_features": 2048}),
        ("mobilenet_v2", "features.0.0", nn.Conv2d, {"out_channels": 32, "stride": (2, 2)}),
        ("mobilenet_v2", "features.1.conv.0.0", nn.Conv2d, {"groups": 32}),
        ("mobilenet_v2", "features.2.conv.1.0", nn.Conv2d, {"groups": 96, "stride": (2, 2)}),
        ("mobilenet_v2", "features.17.conv.2", nn.Conv2d, {"out_channels": 320}),
        ("mobilenet_v2", "features.18.0", nn.Conv2d, {"out_channels": 1280}),
        ("mobilenet_v2", "classifier.1", nn.Linear, {"in_features": 1280}),
        ("densenet121", "features.denseblock1.denselayer1.conv1", nn.Conv2d, {"in_channels": 64}),
        ("densenet121", "features.denseblock4.denselayer16.conv2", nn.Conv2d, {"out_channels": 32}),
        ("densenet121", "features.transition3.pool", nn.AvgPool2d, {"kernel_size": 2}),
        ("densenet121", "features.norm5", nn.BatchNorm2d, {"num_features": 1024}),
        ("densenet121", "classifier", nn.Linear, {"in_features": 1024}),
        ("googlenet", "conv1.conv", nn.Conv2d, {"kernel_size": (7, 7)}),
        ("googlenet", "conv1.bn", nn.BatchNorm2d, {"eps": 0.001}),
        ("googlenet", "inception3a.branch1.conv", nn.Conv2d, {"out_channels": 64}),
        ("googlenet", "inception3a.branch3.1.conv", nn.Conv2d, {"kernel_size": (3, 3)}),
        ("googlenet", "inception5b.branch4.0", nn.MaxPool2d, {"ceil_mode": True}),
        ("unet", "inc.double_conv.0", nn.Conv2d, {"in_channels": 3, "bias": None}),
        ("unet", "down4.maxpool_conv.1.double_conv.3", nn.Conv2d, {"out_channels": 1024}),
        ("unet", "up1.up", nn.ConvTranspose2d, {"out_channels": 512, "stride": (2, 2)}),
        ("unet", "outc.conv", nn.Conv2d, {"out_channels": 2}),
    ],
)
def test_module_paths_are_torchvisions(name: str, path: str, kind: type, attributes: dict[str, object]) -> None:
    """Module paths, types and hyperparameters where torchvision (or milesial's U-Net) puts them."""
    module = on_meta(name).get_submodule(path)
    assert type(module) is kind
    assert {key: getattr(module, key) for key in attributes} == attributes


def test_resnet18_first_stage_has_no_downsample() -> None:
    """Stride 1 and 64 -> 64 channels: torchvision adds no projection shortcut there."""
    assert on_meta("resnet18").get_submodule("layer1.0").downsample is None


@pytest.mark.parametrize(
    "name, functions",
    [
        ("resnet18", {operator.add, torch.flatten}),  # ``out += identity`` traces as add
        ("resnet50", {operator.add, torch.flatten}),
        ("mobilenet_v2", {operator.add, torch.flatten, F.adaptive_avg_pool2d}),
        ("densenet121", {torch.cat, torch.flatten, F.relu, F.adaptive_avg_pool2d}),
        ("googlenet", {torch.cat, torch.flatten, F.relu}),
        ("unet", {torch.cat}),
        ("residual_block", {operator.add}),
        ("squeeze_excitation_block", {operator.mul}),
        ("concatenation_block", {torch.cat, F.relu}),
    ],
)
def test_fx_trace_records_these_functions(name: str, functions: set[object]) -> None:
    """What a torch.fx importer meets besides module calls: the joins and torchvision's functional calls."""
    graph = symbolic_trace(on_meta(name)).graph
    assert {node.target for node in graph.nodes if node.op == "call_function"} == functions
    assert not [node for node in graph.nodes if node.op == "call_method"]
