"""Receptive fields: the seed network by hand, Araujo's closed forms, brute force.

The brute-force test builds each random chain in torch with every layer
replaced by a one-channel convolution of all-ones weights with the same
kernel, stride, padding and dilation (max pooling's gradient reaches only the
argmax, but its *dependency* pattern is the window's, which is what this
convolution has). On an input of ones, the gradient of one output neuron is
positive exactly on the input pixels it depends on: the number of paths.

What is asserted, and why not more:

* a neuron whose predicted region lies inside the image: the bounding box of
  its gradient *equals* the region (every node on every path from it is then
  a real, non-padding node, and the outermost taps reach both ends);
* a border neuron (region partly in the padding): the bounding box lies
  inside the region clipped to the image, and, embedded in a canvas with a
  margin a whole number of jumps wide, the same neuron's box equals the
  region shifted by the margin. Plain equality with the clipped region is not
  true in general: a dilated kernel leaves holes, a convolution whose padding
  is at least its kernel has border neurons that see only padding, and a
  padded node past a floor-dropped row hides the input pixels under it
  (e.g. H = 5, Conv(K=2, S=2), then Conv(K=3, P=1): neuron 1 has region
  0..5, clipped 0..4, but depends on 0..3 only). The seed network, whose
  chain has none of these, does give the clipped region exactly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symcnn.cnn.analysis import Window
from symcnn.cnn.layers import AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.network import build_network
from symcnn.cnn.receptive_field import Interval, araujo_closed_forms, receptive_fields
from symcnn.files.spec import read_network
from symcnn.formula.evaluation import evaluated
from symcnn.formula.symbols import i, j, symbol

with contextlib.suppress(ImportError):  # the brute-force tests' oracle (they skip without it), loaded
    import torch  # noqa: F401  # here so that conftest's one_torch_thread runs it on one thread

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed_network.toml"

# name, jump, first, last: neuron i sees rows jump·i + first .. jump·i + last (same for columns)
SEED_FIELDS = [
    ("conv1", 1, -1, 1),
    ("conv2", 1, -2, 2),
    ("pool1", 2, -2, 3),
    ("conv3", 2, -4, 5),
    ("conv4", 2, -6, 7),
    ("pool2", 4, -6, 9),
    ("conv5", 4, -10, 13),
    ("conv6", 4, -14, 17),
    ("pool3", 8, -14, 21),
    ("conv7", 8, -22, 29),
    ("conv8", 8, -30, 37),
    ("pool4", 16, -30, 45),
    ("conv9", 16, -46, 61),
    ("conv10", 16, -62, 77),
    ("pool5", 32, -62, 93),
]


def compose(windows: Sequence[tuple[int, ...]]) -> tuple[int, int, int]:
    """(jump, first, last) of a chain of (kernel, stride, padding, dilation), in plain ints."""
    jump, first, last = 1, 0, 0
    for kernel, stride, padding, dilation in windows:
        extent = dilation * (kernel - 1) + 1
        first, last = first - jump * padding, last + jump * (extent - 1 - padding)
        jump *= stride
    return jump, first, last


def test_seed_table_by_plain_composition() -> None:
    """The hand table agrees with a plain-int composition of 3x3/P1 convs and 2x2/S2 pools."""
    windows = []
    for name, jump, first, last in SEED_FIELDS:
        windows.append((3, 1, 1, 1) if name.startswith("conv") else (2, 2, 0, 1))
        assert compose(windows) == (jump, first, last), name


def test_seed_receptive_fields() -> None:
    network, _ = read_network(SEED)
    fields = receptive_fields(network)
    assert len(fields.fields) == len(network)
    assert fields.definitions == {}
    for field, (name, jump, first, last) in zip(fields.fields, SEED_FIELDS, strict=False):
        assert field is not None and field.layer == name
        for axis in (field.rows, field.columns):
            assert (axis.jump, axis.first, axis.last) == (jump, first, last), name
            assert axis.size == last - first + 1
            assert axis.start == first
        assert field.region() == (jump * i + first, jump * i + last, jump * j + first, jump * j + last)
    # past the Flatten every neuron sees the whole input
    assert fields.fields[len(SEED_FIELDS):] == (None,) * 4


def test_seed_last_conv_is_not_the_seeds_answer() -> None:
    """conv10 sees 16i − 62 : 16i + 77 (size 140). The seed's 16i − 44 : 16i + 75
    forgot to multiply each layer's offsets by the jump accumulated below it."""
    network, _ = read_network(SEED)
    field = receptive_fields(network).fields[[a.name for a in network].index("conv10")]
    assert field is not None
    assert field.region()[:2] == (16 * i - 62, 16 * i + 77)
    assert field.region()[:2] != (16 * i - 44, 16 * i + 75)
    assert (field.rows.size, field.rows.jump, field.rows.start) == (140, 16, -62)


def test_interval_through_and_bound() -> None:
    interval = Interval(sp.Integer(2), sp.Integer(-1), sp.Integer(3))
    up = interval.through(Window(sp.Integer(3), sp.Integer(2), sp.Integer(1), sp.Integer(2)))
    # extent 2·(3 − 1) + 1 = 5: first −1 − 2·1 = −3, last 3 + 2·(5 − 1 − 1) = 9, jump 4
    assert (up.jump, up.first, up.last) == (4, -3, 9)
    assert up.at(i) == (4 * i - 3, 4 * i + 9)
    x = symbol("x")
    assert Interval(x, -x, x).bound({x: sp.Integer(3)}) == Interval(3, -3, 3)


# ---------------------------------------------------------------- Araujo's closed forms


@st.composite
def window_chains(draw, max_layers: int = 6):  # type: ignore[no-untyped-def]
    """Chains of (kernel, stride, padding, dilation) per axis."""
    size = draw(st.integers(1, max_layers))
    return [
        (draw(st.integers(1, 7)), draw(st.integers(1, 4)), draw(st.integers(0, 4)), draw(st.integers(1, 3)))
        for _ in range(size)
    ]


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(window_chains())
def test_araujo_closed_forms_match_the_composition(chain) -> None:  # type: ignore[no-untyped-def]
    windows = [Window(*(sp.Integer(v) for v in axis)) for axis in chain]
    forms = araujo_closed_forms(windows)
    jump, first, last = compose(chain)
    assert evaluated(forms["jump"]) == jump
    assert evaluated(forms["start"]) == first
    assert evaluated(forms["size"]) == last - first + 1
    # and symcnn's own composition agrees
    interval = Interval(sp.Integer(1), sp.Integer(0), sp.Integer(0))
    for window in windows:
        interval = interval.through(window)
    assert (interval.jump, interval.first, interval.last) == (jump, first, last)


def test_araujo_closed_forms_symbolic() -> None:
    """Three symbolic layers: the closed forms equal the composition as polynomials."""
    names = [(f"K{n}", f"S{n}", f"P{n}", f"D{n}") for n in range(1, 4)]
    windows = [Window(*(symbol(name) for name in group)) for group in names]
    forms = araujo_closed_forms(windows)
    interval = Interval(sp.Integer(1), sp.Integer(0), sp.Integer(0))
    for window in windows:
        interval = interval.through(window)
    assert sp.expand(evaluated(forms["jump"]) - interval.jump) == 0
    assert sp.expand(evaluated(forms["start"]) - interval.first) == 0
    assert sp.expand(evaluated(forms["size"]) - interval.size) == 0
    K1, S1, P1, D1, K2, S2, P2, D2 = (symbol(n) for n in names[0] + names[1])
    assert sp.expand(evaluated(forms["start"]) - (-(P1 + S1 * P2 + S1 * S2 * symbol("P3")))) == 0


def test_network_fields_match_araujo_on_a_mixed_chain() -> None:
    layers = [Conv2d(3, 4, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1)),
              MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), ReLU(),
              AvgPool2d(2), Conv2d(4, 8, kernel_size=1), Flatten(), Linear(out_features=3)]
    network = build_network(layers, (3, 97, 101))
    fields = receptive_fields(network)
    spatial = [a.layer.windows for a in network if hasattr(a.layer, "windows")]
    last = fields.fields[4]
    assert last is not None
    for axis, interval in ((0, last.rows), (1, last.columns)):
        forms = araujo_closed_forms([pair[axis] for pair in spatial])
        assert (interval.jump, interval.start, interval.size) == tuple(
            evaluated(forms[key]) for key in ("jump", "start", "size"))
    # the ReLU passes its input's field through
    relu, conv = fields.fields[2], fields.fields[1]
    assert relu is not None and conv is not None and relu.rows == conv.rows
    assert fields.fields[5:] == (None, None)


def test_deep_symbolic_fields_stay_linear_and_bind() -> None:
    """300 symbolic layers: offsets get symbols of their own; bound, they equal a plain loop."""
    depth = 300
    layers = [MaxPool2d() if n % 4 == 3 else Conv2d() for n in range(depth)]
    network = build_network(layers, ("C_in", "H", "W"))
    fields = receptive_fields(network)
    assert fields.definitions  # deep offsets are named, not nested
    numbers = {"K_1": 5, "K_2": 3, "S": 1, "P": 3, "K": 2, "S_2": 2, "P_2": 1}
    bound = fields.values({symbol(name): sp.Integer(v) for name, v in numbers.items()})
    rows, columns = [], []
    for n, field in enumerate(fields.fields):
        pool = n % 4 == 3
        rows.append((2, 2, 1, 1) if pool else (3, 1, 3, 1))
        columns.append((2, 2, 1, 1) if pool else (5, 1, 3, 1))
        if n % 37 == 0 or n == depth - 1:
            assert field is not None
            got = field.bound(bound)
            assert (got.rows.jump, got.rows.first, got.rows.last) == compose(rows), n
            assert (got.columns.jump, got.columns.first, got.columns.last) == compose(columns), n


# ---------------------------------------------------------------- brute force with torch

MAX_JUMP = 36


@st.composite
def layer_chains(draw):  # type: ignore[no-untyped-def]
    """Chains of 1-4 Conv2d / MaxPool2d / AvgPool2d layers with non-square windows."""
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "max", "avg"]))
        kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
        stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        if kind == "conv":
            padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
            dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
            layers.append(Conv2d(1, 1, kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                                 bias=False))
        else:
            padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
            if kind == "max":
                dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
                layers.append(MaxPool2d(kernel, stride=stride, padding=padding, dilation=dilation))
            else:
                layers.append(AvgPool2d(kernel, stride=stride, padding=padding))
    return layers, draw(st.randoms(use_true_random=False))


def _plain_windows(layer) -> tuple[tuple[int, ...], ...]:  # type: ignore[no-untyped-def]
    return tuple(tuple(int(v) for v in (w.kernel, w.stride, w.padding, w.dilation)) for w in layer.windows)


def _dependencies(torch, windows, height: int, width: int, neurons):  # type: ignore[no-untyped-def]
    """Per neuron (i, j) of the last layer: the bounding box of the input pixels it
    depends on, as (row_first, row_last, col_first, col_last), or None if none."""
    x = torch.ones((1, 1, height, width), dtype=torch.float64, requires_grad=True)
    y = x
    for (kh, sh, ph, dh), (kw, sw, pw, dw) in windows:
        weight = torch.ones((1, 1, kh, kw), dtype=torch.float64)
        y = torch.nn.functional.conv2d(y, weight, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
    boxes: list[tuple[int, int, int, int] | None] = []
    for row, column in neurons:
        (grad,) = torch.autograd.grad(y[0, 0, row, column], x, retain_graph=True)
        hit = (grad[0, 0] > 0).nonzero()
        if len(hit) == 0:
            boxes.append(None)
        else:
            rows, columns = hit[:, 0], hit[:, 1]
            boxes.append((int(rows.min()), int(rows.max()), int(columns.min()), int(columns.max())))
    return tuple(y.shape[2:]), boxes


def _neuron_inside(jump: int, first: int, last: int, size: int, out: int) -> int | None:
    """An output index whose region first + jump·i .. last + jump·i lies in 0..size − 1."""
    lowest = -(first // jump) if first < 0 else 0  # ceil(-first / jump)
    return lowest if lowest < out and jump * lowest + last <= size - 1 else None


@settings(max_examples=220, derandomize=True, deadline=None, database=None)
@given(layer_chains())
def test_receptive_fields_by_brute_force(chain) -> None:  # type: ignore[no-untyped-def]
    torch = pytest.importorskip("torch")
    layers, rng = chain
    windows = [_plain_windows(layer) for layer in layers]
    rows = compose([w[0] for w in windows])
    columns = compose([w[1] for w in windows])
    assume(rows[0] <= MAX_JUMP and columns[0] <= MAX_JUMP)  # keeps the images small

    # an image just large enough for one neuron with its whole region inside, plus some slack
    def image_size(jump: int, first: int, last: int) -> int:
        return jump * -(first // jump) + last + 1 + rng.randint(0, 2 * jump)

    height, width = image_size(*rows), image_size(*columns)
    network = build_network(layers, (1, height, width))
    field = receptive_fields(network).fields[-1]
    assert field is not None
    assert (field.rows.jump, field.rows.first, field.rows.last) == rows
    assert (field.columns.jump, field.columns.first, field.columns.last) == columns
    out_h, out_w = (int(s) for s in network.layers[-1].output_shape[1:])

    ri = _neuron_inside(*rows, height, out_h)
    cj = _neuron_inside(*columns, width, out_w)
    assert ri is not None and cj is not None
    corners = [(0, 0), (0, out_w - 1), (out_h - 1, 0), (out_h - 1, out_w - 1)]
    shape, boxes = _dependencies(torch, windows, height, width, [(ri, cj), *corners])
    assert shape == (out_h, out_w)

    def region(row: int, column: int) -> tuple[int, int, int, int]:
        bound = {i: sp.Integer(row), j: sp.Integer(column)}
        return tuple(int(e.xreplace(bound)) for e in field.region())  # type: ignore[return-value]

    # 1. a neuron whose region lies inside the image sees exactly that region
    assert boxes[0] == region(ri, cj)

    # 2. border neurons: their box lies inside the region clipped to the image ...
    for (row, column), box in zip(corners, boxes[1:], strict=True):
        r0, r1, c0, c1 = region(row, column)
        clipped = (max(r0, 0), min(r1, height - 1), max(c0, 0), min(c1, width - 1))
        if box is not None:
            assert clipped[0] <= box[0] <= box[1] <= clipped[1], (row, column, box, clipped)
            assert clipped[2] <= box[2] <= box[3] <= clipped[3], (row, column, box, clipped)

    # ... and in a canvas with a margin of whole jumps, it is the region shifted by the margin
    def margin(jump: int, first: int, last: int, size: int, out: int) -> int:
        overhang = max(0, -first, jump * (out - 1) + last - (size - 1))
        return -(-overhang // jump)  # in jumps

    t_rows, t_cols = margin(*rows, height, out_h), margin(*columns, width, out_w)
    m_rows, m_cols = t_rows * rows[0], t_cols * columns[0]
    _, canvas_boxes = _dependencies(torch, windows, height + 2 * m_rows, width + 2 * m_cols,
                                    [(row + t_rows, column + t_cols) for row, column in corners])
    for (row, column), box in zip(corners, canvas_boxes, strict=True):
        r0, r1, c0, c1 = region(row, column)
        assert box == (r0 + m_rows, r1 + m_rows, c0 + m_cols, c1 + m_cols), (row, column)


def test_seed_clipped_regions_by_brute_force() -> None:
    """The seed network (3x3/P1 convs, 2x2 pools, no holes): border neurons of conv10
    see exactly their region clipped to the 256 x 256 image."""
    torch = pytest.importorskip("torch")
    network, _ = read_network(SEED)
    convs = [a for a in network if hasattr(a.layer, "windows")]
    upto = [a.name for a in convs].index("conv10") + 1
    windows = [_plain_windows(a.layer) for a in convs[:upto]]
    field = receptive_fields(network).fields[[a.name for a in network].index("conv10")]
    assert field is not None
    neurons = [(0, 0), (0, 15), (15, 15), (3, 9), (7, 7)]
    shape, boxes = _dependencies(torch, windows, 256, 256, neurons)
    assert shape == (16, 16)
    for (row, column), box in zip(neurons, boxes, strict=True):
        r0, r1 = 16 * row - 62, 16 * row + 77
        c0, c1 = 16 * column - 62, 16 * column + 77
        assert box == (max(r0, 0), min(r1, 255), max(c0, 0), min(c1, 255)), (row, column)


def test_offset_symbols_of_deep_symbolic_chains_carry_no_sign() -> None:
    """Starts are negative in the padding: their symbols must not claim to be positive."""
    from symcnn import Conv2d, build_network

    network = build_network([Conv2d(out_channels="C", kernel_size="K", stride="S", padding="P")] * 12,
                            ("C", "H", "W"))
    offsets = [sym for sym in receptive_fields(network).definitions if not sym.name.startswith("J")]
    assert offsets and all(sym.is_integer and sym.is_positive is None for sym in offsets)
