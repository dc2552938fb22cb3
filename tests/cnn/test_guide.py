"""Every figure of Dumoulin & Visin's guide (arXiv:1603.07285): symcnn's sizes against the paper's and torch's.

The table holds each figure's settings and the output size its caption or
text states; the relation is the one the paper uses for that figure.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F

from symcnn.cnn.guide import RELATIONS, guide_output_size, relation_number
from symcnn.cnn.layers import AvgPool2d, Conv2d, MaxPool2d
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.cnn.window_geometry import axis
from symcnn.solutions.window_picture import window_picture

# figure, kind, (i, k, s, p, d, a), the paper's output size, the relation the paper uses
FIGURES = [
    ("1.1 numerical no padding, no strides", "conv", (5, 3, 1, 0, 1, 0), 3, 1),
    ("1.2 numerical padding, strides", "conv", (5, 3, 2, 1, 1, 0), 3, 6),
    ("1.5 average pooling", "avg", (5, 3, 1, 0, 1, 0), 3, 7),
    ("1.6 max pooling", "max", (5, 3, 1, 0, 1, 0), 3, 7),
    ("2.1 no padding, no strides", "conv", (4, 3, 1, 0, 1, 0), 2, 1),
    ("2.2 arbitrary padding, no strides", "conv", (5, 4, 1, 2, 1, 0), 6, 2),
    ("2.3 half padding, no strides", "conv", (5, 3, 1, 1, 1, 0), 5, 3),
    ("2.4 full padding, no strides", "conv", (5, 3, 1, 2, 1, 0), 7, 4),
    ("2.5 no padding, strides", "conv", (5, 3, 2, 0, 1, 0), 2, 5),
    ("2.6 padding, strides", "conv", (5, 3, 2, 1, 1, 0), 3, 6),
    ("2.7 padding, strides (odd)", "conv", (6, 3, 2, 1, 1, 0), 3, 6),
    ("4.1 no padding, no strides, transposed", "transposed", (2, 3, 1, 0, 1, 0), 4, 8),
    ("4.2 arbitrary padding, no strides, transposed", "transposed", (6, 4, 1, 2, 1, 0), 5, 9),
    ("4.3 half padding, transposed", "transposed", (5, 3, 1, 1, 1, 0), 5, 10),
    ("4.4 full padding, transposed", "transposed", (7, 3, 1, 2, 1, 0), 5, 11),
    ("4.5 no padding, strides, transposed", "transposed", (2, 3, 2, 0, 1, 0), 5, 12),
    ("4.6 padding, strides, transposed", "transposed", (3, 3, 2, 1, 1, 0), 5, 13),
    ("4.7 padding, strides (odd), transposed", "transposed", (3, 3, 2, 1, 1, 1), 6, 14),
    ("5.1 dilated convolution", "conv", (7, 3, 1, 0, 2, 0), 3, 15),
]


def torch_size(kind: str, i: int, k: int, s: int, p: int, d: int, a: int) -> int:
    x = torch.zeros(1, 1, i, i)
    if kind == "conv":
        return F.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
    if kind == "transposed":
        return F.conv_transpose2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, output_padding=a,
                                  dilation=d).shape[-1]
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    return pool(x, k, s, p).shape[-1]


def layer_of(kind: str, settings: tuple[int, ...]) -> Any:
    """symcnn's layer for a figure."""
    _, k, s, p, d, a = settings
    if kind == "transposed":
        return ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a, dilation=d)
    if kind == "conv":
        return Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    return {"max": MaxPool2d, "avg": AvgPool2d}[kind](k, stride=s, padding=p)


def symcnn_layer_size(kind: str, i: int, k: int, s: int, p: int, d: int, a: int) -> int:
    analysis = layer_of(kind, (i, k, s, p, d, a)).analyze((1, i, i))
    return int(analysis["output_width"].expr)


@pytest.mark.parametrize("figure, kind, settings, paper, number", FIGURES, ids=[f[0] for f in FIGURES])
def test_guide_figure(figure: str, kind: str, settings: tuple[int, ...], paper: int, number: int) -> None:
    i, k, s, p, d, a = settings
    one = axis(i, k, s, p, d, transposed=kind == "transposed", output_padding=a)
    assert one.windows == paper == torch_size(kind, *settings)
    assert relation_number(one, pooling=kind in ("max", "avg")) == number
    assert guide_output_size(number, i, k, s, p, d, a) == paper
    assert symcnn_layer_size(kind, *settings) == paper
    picture = window_picture(layer_of(kind, settings), (1, i, i), {}, "window")
    assert picture is not None and picture.geometry.columns == one


def test_the_odd_strides_figures_drop_the_last_row_and_column() -> None:
    """Figure 2.7: 'the bottom row and right column of the zero padded input are not covered'."""
    one = axis(6, 3, 2, 1)
    assert one.dropped == (one.padded - 1,)
    assert axis(5, 3, 2, 1).dropped == ()


def test_transposed_sizes_invert_the_direct_convolution() -> None:
    """o' = i for the convolution each transposed figure transposes, with a = (i + 2p - k) mod s."""
    for i in range(3, 12):
        for k, s, p in [(3, 1, 0), (3, 2, 1), (4, 3, 1), (2, 2, 0)]:
            if i + 2 * p < k:
                continue
            o = axis(i, k, s, p).windows
            a = (i + 2 * p - k) % s
            assert axis(o, k, s, p, transposed=True, output_padding=a).windows == i


def test_every_relation_is_named() -> None:
    assert sorted(RELATIONS) == list(range(1, 16))
    assert "a = (i + 2p − k) mod s" in RELATIONS[14].name
