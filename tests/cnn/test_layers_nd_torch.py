"""Conv1d, Conv3d and their poolings against torch, on random layers (hypothesis).

Output shapes, parameter counts, FlopCounterMode FLOPs / 2 for the
convolutions, and the receptive field of random chains against autograd, per
axis, as tests/cnn/test_receptive_field.py does in 2-D.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
from symcnn.cnn.network import build_network
from symcnn.cnn.receptive_field import receptive_fields
from symcnn.errors import SpecError
from symcnn.files.spec import network_from_table
from symcnn.formula.symbols import symbol

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from tests.helpers import reproducible  # noqa: E402

CLASSES = {
    1: (Conv1d, MaxPool1d, AvgPool1d, torch.nn.Conv1d, torch.nn.MaxPool1d, torch.nn.AvgPool1d),
    3: (Conv3d, MaxPool3d, AvgPool3d, torch.nn.Conv3d, torch.nn.MaxPool3d, torch.nn.AvgPool3d),
}




def per_axis(draw, rank: int, low: int, high: int):  # type: ignore[no-untyped-def]
    """One int, or one per axis (torch accepts both)."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return tuple(draw(st.integers(low, high)) for _ in range(rank))


def axes(value, rank: int) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return value if isinstance(value, tuple) else (value,) * rank


@st.composite
def nd_cases(draw):  # type: ignore[no-untyped-def]
    """(rank, kind, arguments, input shape) of a random valid 1-D or 3-D layer."""
    rank, kind = draw(st.sampled_from([1, 3])), draw(st.sampled_from(["conv", "max", "avg"]))
    high = 12 if rank == 3 else 30
    kernel = per_axis(draw, rank, 1, 4)
    args: dict = {"kernel_size": kernel, "stride": per_axis(draw, rank, 1, 3)}  # type: ignore[type-arg]
    if kind == "conv":
        groups = draw(st.sampled_from([1, 1, 2]))
        args |= {"in_channels": 2 * groups, "out_channels": groups * draw(st.integers(1, 3)), "groups": groups,
                 "padding": per_axis(draw, rank, 0, 2), "dilation": per_axis(draw, rank, 1, 2),
                 "bias": draw(st.booleans())}
    else:
        args["padding"] = tuple(draw(st.integers(0, k // 2)) for k in axes(kernel, rank))
        args["ceil_mode"] = draw(st.booleans())
        if kind == "max":
            args["dilation"] = per_axis(draw, rank, 1, 2)
    dilation = axes(args.get("dilation", 1), rank)
    sizes = []
    for k, p, d in zip(axes(kernel, rank), axes(args["padding"], rank), dilation, strict=True):
        least = max(1, d * (k - 1) + 1 - 2 * p)
        sizes.append(draw(st.integers(max(least, k) if (rank, kind) == (3, "avg") else least, high)))
    channels = args.get("in_channels", draw(st.integers(1, 3)))
    return rank, kind, args, (channels, *sizes)


@reproducible(300)
@given(nd_cases())
def test_nd_layers_match_torch(case) -> None:  # type: ignore[no-untyped-def]
    rank, kind, args, shape = case
    ours, theirs = {"conv": (0, 3), "max": (1, 4), "avg": (2, 5)}[kind]
    layer, module = CLASSES[rank][ours](**args), CLASSES[rank][theirs](**args)
    analysis = layer.analyze(shape)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        output = module(torch.zeros(1, *shape))
    assert tuple(int(v) for v in analysis.output_shape) == tuple(output.shape[1:])
    assert int(analysis["params"].expr) == sum(p.numel() for p in module.parameters())
    assert 2 * int(analysis["mults"].expr) == counter.get_total_flops()
    assert analysis.assumptions == ()
    window = math.prod(axes(args["kernel_size"], rank))
    if kind == "max":
        assert int(analysis["comparisons"].expr) == (window - 1) * math.prod(output.shape[1:])
    if kind == "avg":
        assert int(analysis["adds"].expr) == (window - 1) * math.prod(output.shape[1:])


@st.composite
def chains(draw):  # type: ignore[no-untyped-def]
    """A chain of 1-3 sliding windows per axis (kernel, stride, padding, dilation), rank 1 or 3."""
    rank = draw(st.sampled_from([1, 3]))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        windows = [(draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 2)),
                    draw(st.integers(1, 2))) for _ in range(rank)]
        layers.append(windows)
    return rank, layers


@reproducible(60)
@given(chains())
def test_nd_receptive_fields_by_autograd(chain) -> None:  # type: ignore[no-untyped-def]
    """A neuron whose region lies inside the input depends on exactly that region, per axis."""
    rank, layers = chain
    built = [(Conv1d if rank == 1 else Conv3d)(1, 1, kernel_size=tuple(w[0] for w in ws),
                                                 stride=tuple(w[1] for w in ws), padding=tuple(w[2] for w in ws),
                                                 dilation=tuple(w[3] for w in ws), bias=False) for ws in layers]
    jumps = [math.prod(ws[axis][1] for ws in layers) for axis in range(rank)]
    size = 4 * max(jumps) + sum(max(w[3] * (w[0] - 1) + w[2] for w in ws) * 4 for ws in layers) + 6
    shape = (1, *(size,) * rank)
    network = build_network(built, shape)
    field = receptive_fields(network).fields[-1]
    assert field is not None
    intervals = [field.columns] if rank == 1 else [field.depth, field.rows, field.columns]
    x = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    y = x
    convolve = torch.nn.functional.conv1d if rank == 1 else torch.nn.functional.conv3d
    for ws in layers:
        weight = torch.ones((1, 1, *(w[0] for w in ws)), dtype=torch.float64)
        y = convolve(y, weight, stride=tuple(w[1] for w in ws), padding=tuple(w[2] for w in ws),
                     dilation=tuple(w[3] for w in ws))
    assert tuple(y.shape[2:]) == tuple(int(v) for v in network.layers[-1].output_shape[1:])
    # the first output index whose region starts inside the input, per axis
    index = [-(int(iv.first) // int(iv.jump)) if iv.first < 0 else 0 for iv in intervals]  # type: ignore[union-attr]
    for iv, n, out in zip(intervals, index, y.shape[2:], strict=True):
        assert n < out and int(iv.jump) * n + int(iv.last) < size  # type: ignore[union-attr]
    (grad,) = torch.autograd.grad(y[(0, 0, *index)], x)
    hit = (grad[0, 0] > 0).nonzero()
    for axis, (iv, n) in enumerate(zip(intervals, index, strict=True)):
        first, last = (int(e) for e in iv.at(sp.Integer(n)))  # type: ignore[union-attr]
        assert (int(hit[:, axis].min()), int(hit[:, axis].max())) == (first, last)


def test_nd_symbolic_formulas() -> None:
    L, T, H, W, C_in = (symbol(n) for n in ("L", "T", "H", "W", "C_in"))
    conv = Conv1d(4, 8, kernel_size="K", stride="S", padding="P").analyze()
    K, S, P = (symbol(n) for n in ("K", "S", "P"))
    assert conv.input_shape == (4, L)
    assert sp.expand(conv["params"].expr - (8 * (4 * K + 1))) == 0
    assert conv["output_length"].expr == sp.floor((L + 2 * P - K) / S) + 1
    video = Conv3d(3, 16, kernel_size=(3, 5, 5), padding=(1, 2, 2)).analyze()
    assert video.output_shape == (16, T, H, W)
    assert sp.expand(video["mults"].expr - 3 * 25 * 3 * 16 * T * H * W) == 0
    pool = MaxPool3d(2).analyze()
    assert sp.expand(pool["comparisons"].expr - 7 * C_in * symbol("T_out") * symbol("H_out") * symbol("W_out")) == 0


def test_nd_layers_from_a_spec() -> None:
    table = {"input": [3, 8, 32, 32], "layers": [
        {"type": "Conv3d", "out_channels": 4, "kernel_size": [3, 3, 3], "padding": 1},
        {"type": "MaxPool3d", "kernel_size": [1, 2, 2]}, {"type": "AvgPool3d", "kernel_size": 2}]}
    network, _ = network_from_table(table, "spec")
    assert network.layers[-1].output_shape == (4, 4, 8, 8)
    sequence, _ = network_from_table({"input": [2, 50], "layers": [
        {"type": "Conv1d", "out_channels": 4, "kernel_size": 5}, {"type": "AvgPool1d", "kernel_size": 2}]}, "spec")
    assert sequence.layers[-1].output_shape == (4, 23)
    with pytest.raises(SpecError, match=r"\[depth, height, width\]"):
        network_from_table({"input": [3, 8, 32, 32], "layers": [
            {"type": "Conv3d", "out_channels": 4, "kernel_size": [3, 3]}]}, "spec")
    with pytest.raises(SpecError, match="before padding"):  # torch's AvgPool3d, unlike AvgPool2d
        network_from_table({"input": [1, 1, 4, 4], "layers": [{"type": "AvgPool3d", "kernel_size": 2,
                                                                "padding": 1}]}, "spec")
    with pytest.raises(SpecError, match=r"\(C, T, H, W\)"):
        network_from_table({"input": [3, 32, 32], "layers": [{"type": "Conv3d", "out_channels": 4,
                                                               "kernel_size": 3}]}, "spec")
