"""ConvTranspose2d, adaptive poolings, Upsample, ZeroPad2d and Identity against torch (hypothesis).

Shapes, parameter counts and FlopCounterMode FLOPs / 2 as in
tests/cnn/test_layers_torch.py; the adaptive poolings' additions and comparisons
against a direct enumeration of torch's window rule; every index range (the
receptive field of one output index) against autograd.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.analysis import Window
from symcnn.cnn.field_map import IndexRange
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from symcnn.cnn.layers_resize import Identity, Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.errors import LayerError
from symcnn.formula.symbols import symbol

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from tests.helpers import reproducible  # noqa: E402


def run_torch(module, shape):  # type: ignore[no-untyped-def]
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        output = module(torch.zeros(1, *shape))
    return tuple(output.shape[1:]), counter.get_total_flops()


def ints(values) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    assert all(getattr(v, "is_Integer", False) for v in values), values
    return tuple(int(v) for v in values)


def dependencies(function, shape, axis: int, index: int) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """First and last input index along ``axis`` (1: rows, 2: columns) that output ``index`` depends on."""
    x = torch.rand((1, *shape), dtype=torch.float64, requires_grad=True)
    y = function(x)
    picked = y[0, 0, index, :] if axis == 1 else y[0, 0, :, index]
    (grad,) = torch.autograd.grad(picked.sum(), x)
    hit = (grad[0].abs().sum(dim=0).sum(dim=2 - axis) > 0).nonzero()
    return None if len(hit) == 0 else (int(hit.min()), int(hit.max()))


# ---------------------------------------------------------------- ConvTranspose2d


@st.composite
def transposed_cases(draw):  # type: ignore[no-untyped-def]
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    args = dict(
        in_channels=groups * draw(st.integers(1, 3)), out_channels=groups * draw(st.integers(1, 3)),
        kernel_size=(draw(st.integers(1, 5)), draw(st.integers(1, 5))),
        stride=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        dilation=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        groups=groups, bias=draw(st.booleans()),
    )
    args["output_padding"] = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(args["stride"], args["dilation"], strict=True))
    reach = [d * (k - 1) for k, d in zip(args["kernel_size"], args["dilation"])]
    args["padding"] = tuple(draw(st.integers(0, 3)) for _ in reach)
    size = []
    for r, p, s, a in zip(reach, args["padding"], args["stride"], args["output_padding"]):
        least = max(1, -(-(2 * p - r - a) // s) + 1)  # (H - 1)S - 2P + r + a + 1 >= 1
        size.append(draw(st.integers(least, least + 8)))
    return args, (args["in_channels"], *size)


@reproducible(200)
@given(transposed_cases())
def test_conv_transpose2d_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    args, shape = case
    layer, module = ConvTranspose2d(**args), torch.nn.ConvTranspose2d(**args)
    analysis = layer.analyze(shape)
    torch_shape, flops = run_torch(module, shape)
    assert ints(analysis.output_shape) == torch_shape
    assert ints([analysis["params"].expr]) == (sum(p.numel() for p in module.parameters()),)
    assert 2 * int(analysis["mults"].expr) == flops
    assert analysis.assumptions == ()
    # Dumoulin & Visin: a stride-1 direct convolution on the stretched, padded input has the same size,
    # and the direct convolution (K, S, P) on the output drops a = output_padding (mod S) of it
    for axis, key, k in ((1, "height", 0), (2, "width", 1)):
        stretched = int(analysis[f"stretched_{key}"].expr)
        padding = int(analysis[f"direct_padding_{key}"].expr)
        reach = args["dilation"][k] * (args["kernel_size"][k] - 1)
        assert stretched + 2 * padding + args["output_padding"][k] - reach == torch_shape[axis]
        assert int(analysis[f"direct_remainder_{key}"].expr) == args["output_padding"][k] % args["stride"][k]
        if args["output_padding"][k] >= args["stride"][k]:  # allowed below the dilation; no longer an inverse
            continue
        forward = torch.nn.Conv2d(1, 1, args["kernel_size"], args["stride"], args["padding"], args["dilation"])
        assert forward(torch.zeros(1, 1, *torch_shape[1:])).shape[2 + k] == shape[1 + k]


@reproducible(80)
@given(transposed_cases(), st.integers(0, 1000))
def test_conv_transpose2d_index_ranges_by_autograd(case, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Each output index reads the input range field_map gives (exactly for dilation 1, within it else)."""
    args, shape = case
    layer, module = ConvTranspose2d(**args), torch.nn.ConvTranspose2d(**args).double()
    with torch.no_grad():
        module.weight.fill_(1.0)
    out = ints(layer.analyze(shape).output_shape)
    maps = layer.field_map(tuple(sp.Integer(v) for v in shape))
    for axis in (1, 2):
        index = seed % out[axis]
        found = dependencies(module, shape, axis, index)
        entry = maps[axis - 1]
        if isinstance(entry, Window):  # stride 1: the window's region, clipped to the input
            first = index * int(entry.stride) - int(entry.padding)
            last = first + int(evaluate(entry.extent)) - 1
        else:
            first, last = entry.at(index)
        clipped = (max(first, 0), min(last, shape[axis] - 1))
        if found is None:  # nothing read on this axis, or on every index of the other one
            other = 3 - axis
            empty = all(_clipped(maps[other - 1], n, shape[other])[0] > _clipped(maps[other - 1], n, shape[other])[1]
                        for n in range(out[other])) or args["dilation"][other - 1] > 1  # a bound there
            assert clipped[0] > clipped[1] or args["dilation"][axis - 1] > 1 or empty
        elif args["dilation"][axis - 1] == 1:
            assert found == clipped
        else:
            assert clipped[0] <= found[0] <= found[1] <= clipped[1]


def _clipped(entry, index: int, size: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The input range of output ``index`` on one axis, clipped to the input."""
    if isinstance(entry, Window):
        first = index * int(entry.stride) - int(entry.padding)
        last = first + int(evaluate(entry.extent)) - 1
    else:
        first, last = entry.at(index)
    return max(first, 0), min(last, size - 1)


def evaluate(expr):  # type: ignore[no-untyped-def]
    from symcnn.formula.evaluation import evaluated

    return evaluated(expr)


def test_conv_transpose2d_symbolic() -> None:
    K, S, P = (symbol(n) for n in ("K", "S", "P"))
    analysis = ConvTranspose2d(out_channels=8, kernel_size="K", stride="S", padding="P").analyze()
    W, H, C_in = (symbol(n) for n in ("W", "H", "C_in"))
    assert analysis["output_width"].expr == (W - 1) * S - 2 * P + K - 1 + 0 + 1
    assert sp.expand(analysis["params"].expr - (8 * C_in * K**2 + 8)) == 0
    assert sp.expand(analysis["mults"].expr - 8 * C_in * K**2 * W * H) == 0
    assert sp.expand(analysis["stretched_width"].expr - ((W - 1) * S + 1)) == 0
    assert sp.expand(analysis["direct_padding_width"].expr - (K - 1 - P)) == 0


@pytest.mark.parametrize(("args", "message"), [
    (dict(out_channels=2, kernel_size=3, stride=2, output_padding=2), "smaller than the stride"),
    (dict(out_channels=2), "kernel_size is required"),
    (dict(out_channels=2, kernel_size=1, padding=2), "reduce the padding"),
])
def test_conv_transpose2d_refuses_what_torch_refuses(args, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LayerError, match=message):
        ConvTranspose2d(**args).analyze((1, 3, 3))


# ---------------------------------------------------------------- adaptive pooling


def windows(size: int, out: int) -> list[tuple[int, int]]:
    """torch's rule: output i pools floor(i·size/out) .. ceil((i + 1)·size/out) - 1."""
    return [(i * size // out, -(-(i + 1) * size // out) - 1) for i in range(out)]


@st.composite
def adaptive_cases(draw):  # type: ignore[no-untyped-def]
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 20)), draw(st.integers(1, 20)))
    output = draw(st.one_of(st.integers(1, 9), st.tuples(st.integers(1, 9), st.integers(1, 9)),
                            st.tuples(st.none(), st.integers(1, 9))))
    return output, shape


@reproducible(150)
@given(adaptive_cases(), st.booleans())
def test_adaptive_pools_match_torch(case, average: bool) -> None:  # type: ignore[no-untyped-def]
    output, shape = case
    layer = AdaptiveAvgPool2d(output) if average else AdaptiveMaxPool2d(output)
    module = (torch.nn.AdaptiveAvgPool2d if average else torch.nn.AdaptiveMaxPool2d)(output)
    analysis = layer.analyze(shape)
    torch_shape, _ = run_torch(module, shape)
    assert ints(analysis.output_shape) == torch_shape
    assert int(analysis["params"].expr) == 0 and int(analysis["mults"].expr) == 0
    # the windows, enumerated: each output does its window's size minus one additions (comparisons)
    rows, columns = windows(shape[1], torch_shape[1]), windows(shape[2], torch_shape[2])
    work = shape[0] * sum((r1 - r0 + 1) * (c1 - c0 + 1) - 1 for r0, r1 in rows for c0, c1 in columns)
    assert int(analysis["adds" if average else "comparisons"].expr) == work
    if average:
        assert int(analysis["divisions"].expr) == math.prod(torch_shape)
    # the receptive field of every output index, against the rule and against autograd
    maps = layer.field_map(tuple(sp.Integer(v) for v in shape))
    for axis, ranges in ((1, rows), (2, columns)):
        entry = maps[axis - 1]
        for index, (first, last) in enumerate(ranges):
            if isinstance(entry, Window):
                assert entry.padding == 0 and entry.kernel == entry.stride or torch_shape[axis] == 1
                got = (index * int(entry.stride), index * int(entry.stride) + int(entry.kernel) - 1)
            else:
                got = entry.at(index)
            assert got == (first, last)
        index = len(ranges) // 2
        assert dependencies(module, shape, axis, index) == ranges[index] or not average


def test_adaptive_pool_symbolic_counts() -> None:
    """Global pooling: H·W - 1 additions per channel; h not dividing H: the gcd formula."""
    H, W, C_in = (symbol(n) for n in ("H", "W", "C_in"))
    analysis = AdaptiveAvgPool2d(1).analyze()
    assert analysis.output_shape == (C_in, 1, 1)
    assert sp.expand(analysis["adds"].expr - C_in * (H * W - 1)) == 0
    assert AdaptiveAvgPool2d(1).field_map((C_in, H, W)) == (Window(H, H, 0), Window(W, W, 0))
    maps = AdaptiveMaxPool2d((3, 5)).field_map((C_in, H, W))
    assert all(isinstance(m, IndexRange) for m in maps)
    # bound to numbers, the symbolic count agrees with the enumeration
    expr = AdaptiveMaxPool2d((3, 5)).analyze()["comparisons"].expr
    for height, width in ((7, 11), (9, 10), (2, 3)):
        count = 2 * sum((r1 - r0 + 1) * (c1 - c0 + 1) - 1 for r0, r1 in windows(height, 3)
                        for c0, c1 in windows(width, 5))
        assert expr.xreplace({H: height, W: width, C_in: 2}).doit() == count


# ---------------------------------------------------------------- Upsample, ZeroPad2d, Identity


@st.composite
def upsample_cases(draw):  # type: ignore[no-untyped-def]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    mode = draw(st.sampled_from(["nearest", "bilinear"]))
    args: dict = {"mode": mode}  # type: ignore[type-arg]
    if draw(st.booleans()):
        args["scale_factor"] = draw(st.one_of(st.sampled_from([1, 2, 3, 4]), st.tuples(st.sampled_from([1, 2, 4]),
                                                                                     st.sampled_from([1, 2, 3]))))
    else:
        args["size"] = draw(st.one_of(st.integers(1, 12), st.tuples(st.integers(1, 12), st.integers(1, 12))))
    if mode == "bilinear":
        args["align_corners"] = draw(st.sampled_from([None, False, True]))
    return args, shape


@reproducible(150)
@given(upsample_cases())
def test_upsample_matches_torch(case) -> None:  # type: ignore[no-untyped-def]
    """Shape, no parameters, and each output index's input range against autograd.

    Nearest: exactly the copied input. Bilinear: the inputs with a nonzero
    weight lie within floor(x) .. ceil(x) (torch rounds the source x in floating
    point, so a weight that is exactly 0 in rationals may come out tiny).
    """
    args, shape = case
    layer, module = Upsample(**args), torch.nn.Upsample(**args)
    analysis = layer.analyze(shape)
    torch_shape, _ = run_torch(module, shape)
    assert ints(analysis.output_shape) == torch_shape
    assert int(analysis["params"].expr) == 0
    outputs = math.prod(torch_shape)
    expected = (6 * outputs, 3 * outputs) if args["mode"] == "bilinear" else (0, 0)
    assert (int(analysis["mults"].expr), int(analysis["adds"].expr)) == expected
    maps = layer.field_map(tuple(sp.Integer(v) for v in shape))
    for axis in (1, 2):
        for index in range(torch_shape[axis]):
            first, last = _clipped(maps[axis - 1], index, shape[axis])
            found = dependencies(module, shape, axis, index)
            assert found is not None
            if args["mode"] == "nearest":
                assert found == (first, last), (axis, index)
            else:
                assert first - 1 <= found[0] <= found[1] <= last + 1 and found[0] <= last and found[1] >= first


@pytest.mark.parametrize("padding", [0, 2, (1, 0, 3, 2), (0, 4, 0, 1)])
def test_zero_pad_and_identity_match_torch(padding) -> None:  # type: ignore[no-untyped-def]
    shape = (2, 5, 7)
    layer, module = ZeroPad2d(padding), torch.nn.ZeroPad2d(padding)
    analysis = layer.analyze(shape)
    assert ints(analysis.output_shape) == run_torch(module, shape)[0]
    for axis in (1, 2):
        for index in range(int(analysis.output_shape[axis])):
            first, last = _clipped(layer.field_map(shape)[axis - 1], index, shape[axis])
            expected = dependencies(module, shape, axis, index)
            assert expected == ((first, last) if first <= last else None)
    identity = Identity().analyze(shape)
    assert identity.output_shape == shape and not Identity().stores_output
    assert sum(int(q.expr) for q in identity if q.key in ("params", "mults", "adds")) == 0


def test_resize_layers_symbolic_and_refusals() -> None:
    H, W, C_in = (symbol(n) for n in ("H", "W", "C_in"))
    assert Upsample(scale_factor=2).analyze().output_shape == (C_in, 2 * H, 2 * W)
    assert ZeroPad2d((1, 2, 3, 4)).analyze().output_shape == (C_in, H + 7, W + 3)
    bilinear = Upsample(scale_factor=(2, 3), mode="bilinear").analyze()
    assert sp.expand(bilinear["mults"].expr - 6 * 6 * H * W * C_in) == 0
    for kwargs, message in ((dict(), "either size or scale_factor"), (dict(scale_factor=1.5), "whole number"),
                            (dict(size=3, mode="bicubic"), "not supported"),
                            (dict(size=3, align_corners=True), "align_corners")):
        with pytest.raises(LayerError, match=message):
            Upsample(**kwargs)
    with pytest.raises(LayerError, match="four"):
        ZeroPad2d((1, 2, 3))
