"""Convolution and pooling over one or three spatial axes: sequences and video.

The arithmetic is the 2-D layers' on each axis (``torch.nn.Conv1d`` takes
(C, L), ``Conv3d`` (C, T, H, W); symcnn writes the depth T, as D is the
notation's dilation): output size ⌊(L + 2P - D(K - 1) - 1)/S⌋ + 1 per axis,
parameters (K_w·K_h·K_t·C_in/G + 1)·C_out, one multiplication per weight and
output element. The classes are the 2-D ones with another ``rank``, so no
window logic is written twice; their receptive fields compose per axis (a
sequence is an image one row high).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from symcnn.cnn.analysis import AXES, LayerAnalysis, Shape, Window
from symcnn.cnn.arguments import at_least
from symcnn.cnn.layers import AvgPool2d, Conv2d, MaxPool2d
from symcnn.errors import LayerError
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp


@dataclass(frozen=True, eq=True)
class Conv1d(Conv2d):
    """1-D convolution over (C, L), as ``torch.nn.Conv1d``."""

    rank: ClassVar[int] = 1


@dataclass(frozen=True, eq=True)
class Conv3d(Conv2d):
    """3-D convolution over (C, T, H, W), as ``torch.nn.Conv3d``."""

    rank: ClassVar[int] = 3


@dataclass(frozen=True, eq=True)
class MaxPool1d(MaxPool2d):
    """1-D max pooling, as ``torch.nn.MaxPool1d``."""

    rank: ClassVar[int] = 1


@dataclass(frozen=True, eq=True)
class MaxPool3d(MaxPool2d):
    """3-D max pooling, as ``torch.nn.MaxPool3d``."""

    rank: ClassVar[int] = 3


@dataclass(frozen=True, eq=True)
class AvgPool1d(AvgPool2d):
    """1-D average pooling, as ``torch.nn.AvgPool1d``."""

    rank: ClassVar[int] = 1


@dataclass(frozen=True, eq=True)
class AvgPool3d(AvgPool2d):
    """3-D average pooling, as ``torch.nn.AvgPool3d``.

    torch refuses an input smaller than the kernel along any axis *before*
    padding (unlike the 1-D and 2-D poolings), and so does symcnn.
    """

    rank: ClassVar[int] = 3

    def keeps_sizes(self, analysis: LayerAnalysis) -> bool:
        return False  # it states that each size is at least the kernel's, which a size of 1 is not

    def size_windows(self) -> tuple[tuple[Window, ...], bool] | None:
        return None  # it states more than its windows do (above)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        analysis = super()._analyze(shape, name, out_symbols)
        unpadded: list[sp.Basic] = []
        for axis, size, window in zip(AXES[3], shape[1:], self.windows):
            verdict = at_least(size, window.kernel)
            if verdict is False:
                raise LayerError(f"{name}: the input {axis} {size} is smaller than kernel_size {window.kernel}; "
                                 f"torch's AvgPool3d needs it at least as large before padding")
            if verdict is None:
                unpadded.append(f.stated(size, ">=", window.kernel))
        return replace(analysis, assumptions=analysis.assumptions + tuple(unpadded))
