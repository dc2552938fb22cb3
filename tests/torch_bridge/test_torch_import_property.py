"""Random torch models imported: shapes, parameters, multiplications and receptive fields equal torch's.

torch is the oracle: a forward pass (shapes, via hooks), ``numel`` of each
module's parameters, FlopCounterMode (FLOPs = 2 x symcnn's multiplications of the
conv and linear layers, the only ones it counts) and autograd (the input pixels a
neuron depends on, in a copy of the model whose every window is a convolution of ones).
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from symcnn import from_torch, receptive_fields
from symcnn.formula.symbols import i, j
from tests.cnn.test_receptive_field import _dependencies, _neuron_inside


def pair(draw, low: int, high: int):  # type: ignore[no-untyped-def]
    h, w = draw(st.integers(low, high)), draw(st.integers(low, high))
    return h if h == w else (h, w)


def both(value):  # type: ignore[no-untyped-def]
    return value if isinstance(value, tuple) else (value, value)


@st.composite
def models(draw):  # type: ignore[no-untyped-def]
    """An nn.Sequential of 1-5 window layers with BatchNorm/ReLU/Dropout between, maybe a linear head."""
    channels = draw(st.integers(1, 4))
    layers: list[nn.Module] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "conv", "max", "avg", "bn", "relu", "dropout"]))
        if kind == "conv":
            groups = draw(st.sampled_from([1, 1, channels]))
            out = groups * draw(st.integers(1, 3))
            layers.append(nn.Conv2d(channels, out, pair(draw, 1, 4), stride=pair(draw, 1, 3),
                                    padding=pair(draw, 0, 2), dilation=pair(draw, 1, 2), groups=groups,
                                    bias=draw(st.booleans())))
            channels = out
        elif kind in ("max", "avg"):
            kernel = pair(draw, 1, 4)
            padding = tuple(draw(st.integers(0, k // 2)) for k in both(kernel))
            stride = pair(draw, 1, 3)
            layers.append(nn.MaxPool2d(kernel, stride, padding, dilation=pair(draw, 1, 2)) if kind == "max"
                          else nn.AvgPool2d(kernel, stride, padding))
        elif kind == "bn":
            layers.append(nn.BatchNorm2d(channels, affine=draw(st.booleans())))
        else:
            layers.append(nn.ReLU() if kind == "relu" else nn.Dropout(0.25))
    height, width = draw(st.integers(8, 24)), draw(st.integers(8, 24))
    head = draw(st.booleans())
    return layers, (channels, height, width), head, draw(st.integers(1, 6))


def ones_copy(layer: nn.Module) -> tuple | None:
    """The window (per axis: kernel, stride, padding, dilation) a layer slides, or None."""
    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        kernel, stride, padding = both(layer.kernel_size), both(layer.stride), both(layer.padding)
        dilation = both(getattr(layer, "dilation", 1))
        return tuple(zip(kernel, stride, padding, dilation))
    return None


@settings(max_examples=120, derandomize=True, deadline=None, database=None)
@given(models())
def test_random_models_import_as_torch_computes_them(case) -> None:  # type: ignore[no-untyped-def]
    layers, (_, height, width), head, classes = case
    first = next((m for m in layers if isinstance(m, nn.Conv2d)), None)
    channels = first.in_channels if first is not None else case[1][0]
    body = nn.Sequential(*layers)
    x = torch.zeros(1, channels, height, width)
    try:
        features = body(x)
    except RuntimeError:  # too small an input for some window: torch refuses it, so does symcnn
        assume(False)
    assume(features.shape[2] > 0 and features.shape[3] > 0)
    if head:
        body.append(nn.Flatten())
        body.append(nn.Linear(features[0].numel(), classes))
    model = body.eval()

    network = from_torch(model, (channels, height, width))
    outputs = []
    for child in model:
        child.register_forward_hook(lambda m, i_, o: outputs.append(tuple(o.shape[1:])))
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x)
    assert [tuple(int(s) for s in a.output_shape) for a in network.layers] == outputs
    for analysis, child in zip(network.layers, model):
        assert analysis["params"].expr == sum(p.numel() for p in child.parameters())
    assert 2 * network.total("weight_mults") == counter.get_total_flops()  # conv and linear only

    windows = [w for w in map(ones_copy, layers) if w is not None]
    if not windows:
        return
    last = max(k for k, a in enumerate(network.layers) if getattr(a.layer, "windows", None) is not None)
    field = receptive_fields(network).fields[last]
    rows = (int(field.rows.jump), int(field.rows.first), int(field.rows.last))
    columns = (int(field.columns.jump), int(field.columns.first), int(field.columns.last))
    out_h, out_w = (int(s) for s in network.layers[last].output_shape[1:])
    ri, cj = _neuron_inside(*rows, height, out_h), _neuron_inside(*columns, width, out_w)
    assume(ri is not None and cj is not None)
    shape, boxes = _dependencies(torch, windows, height, width, [(ri, cj)])
    assert shape == (out_h, out_w)
    region = tuple(int(e.xreplace({i: sp.Integer(ri), j: sp.Integer(cj)})) for e in field.region())
    assert boxes[0] == region


# ---------------------------------------------------------------- graphs and every layer type

ACTIVATIONS = [nn.ReLU6, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.SiLU, nn.GELU, nn.Hardswish, nn.Identity, nn.ReLU]


@st.composite
def graph_plans(draw):  # type: ignore[no-untyped-def]
    """Steps (kind, modules, extra) of a random graph: residual adds, concatenations, layers, functions."""
    channels, steps, upsampled = draw(st.integers(1, 4)), [], 0
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["res", "cat", "layer", "layer", "func"]))
        if kind == "res":
            k = draw(st.sampled_from([1, 3, 5]))
            steps.append(("res", [nn.Conv2d(channels, channels, k, padding=k // 2, bias=draw(st.booleans()))], None))
        elif kind == "cat":
            a, b = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            steps.append(("cat", [nn.Conv2d(channels, a, 1), nn.Conv2d(channels, b, 3, padding=1)], None))
            channels = a + b
        elif kind == "func":
            steps.append(("func", [], draw(st.sampled_from(["relu", "sigmoid", "adaptive", "interpolate"]))))
        else:
            layer = draw(st.sampled_from(["conv", "convt", "max", "avg", "adaptive", "up", "pad", "bn", "act"]))
            if layer == "conv":
                out = draw(st.integers(1, 4))
                module: nn.Module = nn.Conv2d(channels, out, pair(draw, 1, 3), stride=pair(draw, 1, 2),
                                              padding=pair(draw, 0, 1))
                channels = out
            elif layer == "convt":
                out = draw(st.integers(1, 4))
                module = nn.ConvTranspose2d(channels, out, pair(draw, 1, 3), stride=pair(draw, 1, 2),
                                            padding=0, bias=draw(st.booleans()))
                channels = out
            elif layer in ("max", "avg"):
                module = (nn.MaxPool2d if layer == "max" else nn.AvgPool2d)(2, draw(st.integers(1, 2)))
            elif layer == "adaptive":
                module = nn.AdaptiveAvgPool2d(pair(draw, 1, 5))
            elif layer == "up":
                module = nn.Upsample(scale_factor=2, mode=draw(st.sampled_from(["nearest", "bilinear"])))
            elif layer == "pad":
                module = nn.ZeroPad2d(draw(st.integers(0, 2)))
            elif layer == "bn":
                module = nn.BatchNorm2d(channels)
            else:
                module = draw(st.sampled_from(ACTIVATIONS))()
            upsampled += layer in ("up", "convt")
            steps.append(("layer", [module], None))
    if upsampled > 2:
        assume(False)
    return steps, channels, draw(st.booleans())


class RandomGraph(nn.Module):
    """Runs a plan: ``x + conv(x)``, ``torch.cat([a(x), b(x)], 1)``, ``m(x)``, or a functional call."""

    def __init__(self, plan: list, channels: int, head: bool, features: int) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.plan = [(kind, extra, len(modules)) for kind, modules, extra in plan]
        self.steps = nn.ModuleList(nn.ModuleList(modules) for _, modules, _ in plan)
        self.head = nn.Linear(features, 3) if head else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for (kind, extra, _), modules in zip(self.plan, self.steps):
            if kind == "res":
                x = x + modules[0](x)
            elif kind == "cat":
                x = torch.cat([modules[0](x), modules[1](x)], 1)
            elif kind == "layer":
                x = modules[0](x)
            elif extra == "relu":
                x = F.relu(x)
            elif extra == "sigmoid":
                x = torch.sigmoid(x)
            elif extra == "adaptive":
                x = F.adaptive_avg_pool2d(x, 2)
            else:
                x = F.interpolate(x, scale_factor=2)
        if self.head is not None:
            x = self.head(torch.flatten(x, 1))
        return x


@settings(max_examples=80, derandomize=True, deadline=None, database=None, phases=[Phase.generate])
@given(graph_plans(), st.integers(4, 12), st.integers(4, 12))
def test_random_graphs_of_every_layer_type(case, height: int, width: int) -> None:  # type: ignore[no-untyped-def]
    plan, channels, head = case
    first_channels = next((m.in_channels for _, ms, _ in plan for m in ms if hasattr(m, "in_channels")), channels)
    x = torch.zeros(1, first_channels, height, width)
    body = RandomGraph(plan, channels, False, 1).eval()
    try:
        features = body(x)
    except RuntimeError:  # some window does not fit: torch refuses the input
        assume(False)
    model = RandomGraph(plan, channels, head, features[0].numel()).eval()
    network = from_torch(model, (first_channels, height, width))

    shapes: dict[str, tuple[int, ...]] = {}
    for path, module in model.named_modules():
        if not list(module.children()):
            module.register_forward_hook(lambda m, i_, o, path=path: shapes.update({path: tuple(o.shape[1:])}))
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        output = model(x)
    assert tuple(int(s) for s in network.layers[-1].output_shape) == tuple(output.shape[1:])
    by_name = {a.name: a for a in network.layers}
    for path, shape in shapes.items():
        assert tuple(int(s) for s in by_name[path].output_shape) == shape, path
        assert by_name[path]["params"].expr == sum(p.numel() for p in model.get_submodule(path).parameters())
    assert network.total("params") == sum(p.numel() for p in model.parameters())
    assert 2 * network.total("weight_mults") == counter.get_total_flops()
    assert network.is_chain == all(kind not in ("res", "cat") for kind, _, _ in plan)
