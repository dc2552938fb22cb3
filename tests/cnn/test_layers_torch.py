"""symcnn's layer algebra against torch, on random layers (hypothesis).

For every random layer: the output shape equals torch's on a zero input, the
parameter count equals the module's, and for Conv2d and Linear 2 x mults
equals the FLOPs of ``torch.utils.flop_counter.FlopCounterMode``. Sizes stay
small (H, W <= 24, channels <= 8) so the 2,100 layers take ~20 s of CPU.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from tests.helpers import reproducible  # noqa: E402

MAX_SIZE = 24
MAX_CHANNELS = 8




# ---------------------------------------------------------------- strategies


def pairs(low: int, high: int) -> st.SearchStrategy:
    """An int or a non-square (height, width) pair, as torch accepts both; half and half.

    One ``sampled_from`` draw rather than ``one_of(integers, tuples)``: a third of the cost.
    """
    singles = list(range(low, high + 1))
    tuples = [(h, w) for h in singles for w in singles if h != w]
    return st.sampled_from(singles * max(1, len(tuples) // len(singles)) + tuples)


def as_pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


def extent(kernel: int, dilation: int) -> int:
    """Span of a dilated kernel: D(K - 1) + 1."""
    return dilation * (kernel - 1) + 1


@st.composite
def input_fitting(draw, kernel, padding, dilation=1, channels=None):  # type: ignore[no-untyped-def]
    """A (C, H, W) input on which the window fits: H + 2P >= D(K - 1) + 1 per axis."""
    (kh, kw), (ph, pw), (dh, dw) = as_pair(kernel), as_pair(padding), as_pair(dilation)
    height = draw(st.integers(max(1, extent(kh, dh) - 2 * ph), MAX_SIZE))
    width = draw(st.integers(max(1, extent(kw, dw) - 2 * pw), MAX_SIZE))
    if channels is None:
        channels = draw(st.integers(1, MAX_CHANNELS))
    return channels, height, width


@st.composite
def conv_cases(draw):  # type: ignore[no-untyped-def]
    """(torch-style arguments, input shape) of a random valid Conv2d."""
    groups = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))
    in_channels = groups * draw(st.integers(1, MAX_CHANNELS // groups))
    out_channels = groups * draw(st.integers(1, MAX_CHANNELS // groups))
    kernel, stride = draw(pairs(1, 5)), draw(pairs(1, 4))
    padding, dilation = draw(pairs(0, 3)), draw(pairs(1, 3))
    args = dict(
        in_channels=in_channels, out_channels=out_channels, kernel_size=kernel, stride=stride,
        padding=padding, dilation=dilation, groups=groups, bias=draw(st.booleans()),
    )
    return args, draw(input_fitting(kernel, padding, dilation, channels=in_channels))


@st.composite
def pool_window(draw, dilation=False):  # type: ignore[no-untyped-def]
    """kernel, stride (None: torch's default, the kernel), padding <= kernel // 2, ceil_mode."""
    kernel = draw(pairs(1, 5))
    kh, kw = as_pair(kernel)
    if draw(st.booleans()):
        padding = draw(st.integers(0, min(kh, kw) // 2))
    else:
        padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    stride = draw(st.one_of(st.none(), pairs(1, 4)))
    args = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    return args | ({"dilation": draw(pairs(1, 3))} if dilation else {})


@st.composite
def max_pool_cases(draw):  # type: ignore[no-untyped-def]
    """(torch-style arguments, input shape) of a random valid MaxPool2d."""
    args = draw(pool_window(dilation=True))
    return args, draw(input_fitting(args["kernel_size"], args["padding"], args["dilation"]))


@st.composite
def avg_pool_cases(draw):  # type: ignore[no-untyped-def]
    """(torch-style arguments, input shape) of a random valid AvgPool2d."""
    args = draw(pool_window())
    return args, draw(input_fitting(args["kernel_size"], args["padding"]))


@st.composite
def linear_cases(draw):  # type: ignore[no-untyped-def]
    """(torch-style arguments, input shape) of a random Linear."""
    in_features = draw(st.integers(1, 64))
    args = dict(in_features=in_features, out_features=draw(st.integers(1, 16)), bias=draw(st.booleans()))
    return args, (in_features,)


# ------------------------------------------------------------------- checks


def run_torch(module, shape: tuple[int, ...]) -> tuple[tuple[int, ...], int]:  # type: ignore[no-untyped-def]
    """torch's output shape (batch axis dropped) and FLOPs on a zero input."""
    counter, zeros = FlopCounterMode(display=False), torch.zeros(1, *shape)
    with torch.no_grad(), counter:
        output = module(zeros)
    return tuple(output.shape[1:]), counter.get_total_flops()


def as_ints(values) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """Exact ints from sympy Integers; anything symbolic or fractional fails loudly."""
    assert all(getattr(v, "is_Integer", False) for v in values), values
    return tuple(int(v) for v in values)


def check_against_torch(layer: Layer, module, shape: tuple[int, ...], *, flops: bool) -> LayerAnalysis:  # type: ignore[no-untyped-def]
    """Output shape, parameters and (if ``flops``) 2 x mults against the torch module."""
    analysis = layer.analyze(shape)
    torch_shape, torch_flops = run_torch(module, shape)
    assert as_ints(analysis.output_shape) == torch_shape, (layer, shape)
    assert as_ints([analysis["params"].expr]) == (sum(p.numel() for p in module.parameters()),)
    if flops:
        assert 2 * int(analysis["mults"].expr) == torch_flops, (layer, shape)
    assert analysis.assumptions == (), "a numeric layer leaves nothing to assume"
    return analysis


def check_dropped(analysis: LayerAnalysis) -> None:
    """Without ceil_mode, what the floor drops is the padded size minus the last window's end."""
    layer, (_, height, width) = analysis.layer, analysis.input_shape
    if getattr(layer, "ceil_mode", False):
        assert analysis.get("dropped_columns") is None
        return
    height_window, width_window = layer.windows
    for axis, size, window, out in (
        ("columns", width, width_window, analysis.output_shape[2]),
        ("rows", height, height_window, analysis.output_shape[1]),
    ):
        reached = (out - 1) * window.stride + window.dilation * (window.kernel - 1) + 1
        assert int(analysis[f"dropped_{axis}"].expr) == size + 2 * window.padding - reached


# -------------------------------------------------------------------- tests


@reproducible(800)
@given(conv_cases())
def test_conv2d_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    """Shape, parameters and FLOPs of Conv2d with groups, dilation, non-square windows, bias."""
    args, shape = case
    analysis = check_against_torch(Conv2d(**args), torch.nn.Conv2d(**args), shape, flops=True)
    check_dropped(analysis)


@reproducible(500)
@given(max_pool_cases())
def test_max_pool2d_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    """Shape of MaxPool2d with dilation, ceil_mode and padding <= kernel // 2; no parameters."""
    args, shape = case
    check_dropped(check_against_torch(MaxPool2d(**args), torch.nn.MaxPool2d(**args), shape, flops=False))


@reproducible(400)
@given(avg_pool_cases())
def test_avg_pool2d_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    """Shape of AvgPool2d with ceil_mode and padding; no parameters."""
    args, shape = case
    check_dropped(check_against_torch(AvgPool2d(**args), torch.nn.AvgPool2d(**args), shape, flops=False))


@reproducible(400)
@given(linear_cases())
def test_linear_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    """Output size, parameters (bias on/off) and FLOPs of Linear."""
    args, shape = case
    check_against_torch(Linear(**args), torch.nn.Linear(**args), shape, flops=True)


@pytest.mark.parametrize(
    ("layer", "module"),
    [
        (Flatten(), torch.nn.Flatten()),
        (ReLU(), torch.nn.ReLU()),
        (Dropout(), torch.nn.Dropout().eval()),
        (BatchNorm2d(5), torch.nn.BatchNorm2d(5).eval()),
        (BatchNorm2d(5, affine=False), torch.nn.BatchNorm2d(5, affine=False).eval()),
    ],
    ids=["Flatten", "ReLU", "Dropout", "BatchNorm2d", "BatchNorm2d-no-affine"],
)
def test_shape_keeping_layers_match_torch(layer: Layer, module) -> None:  # type: ignore[no-untyped-def]
    """Flatten, ReLU, Dropout and BatchNorm2d: output shape and parameters (not FLOPs)."""
    check_against_torch(layer, module, (5, 7, 3), flops=False)
