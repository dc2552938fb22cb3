"""The zoo's spec files against the plain torch.nn reference models, layer for layer.

Each spec in examples/ names its nodes by the reference's module paths, so a
forward hook on every module gives torch's output shape for the node of the
same name. Checked: every such shape, that every convolution, normalisation,
pooling and linear module has its node, the total parameters (torchvision's
published figures), the multiplications of convolutions and linear layers
(FlopCounterMode FLOPs / 2), the set of valid input sizes (torch run on sizes
around its edge) and the receptive field of the last convolutional stage
(autograd on a model whose every dependency is positive).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from symcnn.cnn.network import Network
from symcnn.cnn.receptive_field import receptive_fields
from symcnn.cnn.summary import summarize
from symcnn.cnn.validity import input_validity
from symcnn.files.spec import read_network
from symcnn.formula.symbols import H, W
from tests import reference_models as zoo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# spec file, reference builder, published parameters (torchvision; milesial's U-Net measured)
ZOO = {
    "resnet18": (zoo.resnet18, 11_689_512),
    "resnet50": (zoo.resnet50, 25_557_032),
    "mobilenet_v2": (zoo.mobilenet_v2, 3_504_872),
    "densenet121": (zoo.densenet121, 7_978_856),
    "googlenet": (zoo.googlenet, 6_624_904),
    "unet": (zoo.unet, 31_037_698),
}
CHECKED = (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Linear)



@cache
def spec(name: str) -> Network:
    return read_network(EXAMPLES / f"{name}.toml")[0]


def on_meta(name: str) -> nn.Module:
    with torch.device("meta"):
        return ZOO[name][0]().eval()


def torch_shapes(model: nn.Module, shape: tuple[int, ...]) -> tuple[dict[str, tuple[int, ...]], int, tuple[int, ...]]:
    """Each module's output shape (modules called once), FlopCounterMode's FLOPs, the output shape."""
    shapes: dict[str, tuple[int, ...]] = {}
    calls: Counter[str] = Counter()

    def hook(name: str):  # type: ignore[no-untyped-def]
        def record(module: nn.Module, inputs: object, output: torch.Tensor) -> None:
            calls[name] += 1
            shapes[name] = tuple(output.shape[1:])
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    counter = FlopCounterMode(display=False)
    try:
        with counter:
            output = model(torch.empty(shape, device="meta"))
    finally:
        for handle in handles:
            handle.remove()
    once = {name: s for name, s in shapes.items() if calls[name] == 1}
    return once, counter.get_total_flops(), tuple(output.shape[1:])


@pytest.mark.parametrize("name", ZOO)
def test_every_layer_params_and_macs_match_torch(name: str) -> None:
    network = spec(name)
    model = on_meta(name)
    shapes, flops, output = torch_shapes(model, (1, 3, 224, 224))
    summary = summarize(network)
    rows = {row.name: row for row in summary.rows}
    checked = {n for n, m in model.named_modules() if isinstance(m, CHECKED)}
    assert checked <= set(rows), f"no node for {sorted(checked - set(rows))[:5]}"
    compared = [n for n in shapes if n in rows]
    assert len(compared) >= len(checked)
    for node in compared:
        assert tuple(int(v) for v in rows[node].output_shape) == shapes[node], node
    assert tuple(int(v) for v in summary.rows[-1].output_shape) == output
    params = sum(p.numel() for p in model.parameters())
    assert params == ZOO[name][1]
    assert summary.totals["params"] == params
    assert summary.totals["conv_linear_mults"] * 2 == flops


def torch_accepts(name: str, height: int, width: int) -> bool:
    try:
        on_meta(name)(torch.empty((1, 3, height, width), device="meta"))
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("name", ZOO)
def test_valid_input_sizes_match_torch(name: str) -> None:
    """torch accepts exactly the heights the condition admits (a valid width held fixed), around the edges."""
    validity = input_validity(spec(name))
    assert not validity.undecided
    heights, widths = validity.sets
    smallest = heights.smallest
    assert smallest is not None and widths.smallest == smallest
    period = heights.period
    candidates = sorted({*range(max(1, smallest - 3), smallest + 4), 224, 225, 232, 240, smallest + period - 1})
    for height in candidates:
        assert torch_accepts(name, height, 224) == (height in heights), (name, height)


def test_unet_condition_in_the_notation() -> None:
    validity = input_validity(spec("unet"))
    assert validity.condition == "H ≡ 0 (mod 16), H ≥ 16; W ≡ 0 (mod 16), W ≥ 16"
    assert validity.smallest == (3, 16, 16)
    assert validity.admits({H: 224, W: 224}) is True
    assert validity.admits({H: 225, W: 224}) is False


def test_resnet_shortcut_proved_for_every_size() -> None:
    """1x1 stride 2 and 3x3 stride 2 padding 1 agree as floor((H - 1)/2) + 1 for every H."""
    validity = input_validity(spec("resnet18"))
    assert validity.condition == "H ≥ 1; W ≥ 1"
    assert validity.joins and all(check.always for check in validity.joins)


def positive_dependencies(model: nn.Module) -> nn.Module:
    """Every weight 1/fan-in, no bias, max pooling as average pooling, ReLU6 as ReLU (a residual sum passes 6):
    every dependency carries a positive gradient back to the input, and only dependencies do."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.constant_(module.weight, 1.0 / module.weight[0].numel())
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        for child_name, child in module.named_children():
            if isinstance(child, nn.MaxPool2d):  # the argmax hides the window: same window, every tap
                setattr(module, child_name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                         child.ceil_mode))
            if isinstance(child, nn.ReLU6):
                setattr(module, child_name, nn.ReLU())
    return model.eval()


# model, last stage (module path and spec name), input size: a central neuron's field lies inside the image
LAST_STAGES = [("resnet18", "layer4", 512), ("mobilenet_v2", "features.18", 512), ("googlenet", "inception5b", 512)]


@pytest.mark.parametrize(("name", "stage", "size"), LAST_STAGES)
def test_last_stage_receptive_field_by_autograd(name: str, stage: str, size: int) -> None:
    network = read_network(EXAMPLES / f"{name}.toml")[0]
    values = network.values({})
    model = positive_dependencies(ZOO[name][0]())
    fields = receptive_fields(network)
    position = network.position(network.layer(stage).name)
    field = fields.fields[position]
    assert field is not None and field.mixed is None
    field = field.bound(fields.values(values))
    kept: dict[str, torch.Tensor] = {}
    model.get_submodule(stage).register_forward_hook(lambda m, i, o: kept.__setitem__("out", o))
    image = torch.ones((1, 3, size, size), requires_grad=True)
    model(image)
    out = kept["out"]
    centre = out.shape[-1] // 2
    rows = (int(field.rows.jump) * centre + int(field.rows.first), int(field.rows.jump) * centre + int(field.rows.last))
    assert 0 <= rows[0] and rows[1] < size, "pick a larger input: the neuron's field must lie inside"
    out[0, :, centre, centre].sum().backward()
    seen = image.grad[0].abs().sum(0).nonzero()  # type: ignore[union-attr]
    assert (int(seen[:, 0].min()), int(seen[:, 0].max())) == rows
    assert (int(seen[:, 1].min()), int(seen[:, 1].max())) == rows
