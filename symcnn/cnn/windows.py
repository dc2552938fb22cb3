"""torch-style window arguments (kernel_size, stride, padding, dilation) as one :class:`Window` per axis.

Shared by every convolution and pooling, of every rank, so that the checks
and the formulas' factor order live in one place.
"""

from __future__ import annotations

from symcnn.cnn.analysis import Shape, Window
from symcnn.cnn.arguments import Pair, as_tuple, require
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp


def _windows(
    owner: str, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, rank: int = 2,
) -> tuple[Window, ...]:
    """The windows of a convolution or pooling, one per spatial axis ((height, width) in 2-D), each checked."""
    tuples = {arg: as_tuple(value, rank, owner, arg) for arg, value in
              (("kernel_size", kernel_size), ("stride", stride), ("padding", padding), ("dilation", dilation))}
    for arg, values in tuples.items():
        for value in values:
            require(value, owner, arg, minimum=0 if arg == "padding" else 1)
    return tuple(Window(*axis) for axis in zip(*tuples.values()))


def _default_input(rank: int, channels: sp.Expr) -> Shape:
    """The symbolic input of a rank-``rank`` layer: (C, L), (C, H, W) or (C, T, H, W)."""
    axes = {1: ("L",), 2: ("H", "W"), 3: ("T", "H", "W")}[rank]
    return (channels, *(notation.symbol(axis) for axis in axes))


def _kernel_product(windows: tuple[Window, ...]) -> sp.Expr:
    """The kernel's taps, written K_w·K_h (·K_t) as the textbook does."""
    kernels = [window.kernel for window in reversed(windows)]
    return kernels[0] if len(kernels) == 1 else f.mul(*kernels)
