"""Normalisation layers besides BatchNorm2d: GroupNorm, LayerNorm, BatchNorm1d, BatchNorm3d.

Counting convention: :mod:`symcnn.cnn.norm_counts` (per group of n values:
3n - 1 additions, n multiplications, n + 2 divisions, one square root;
the affine step adds n multiplications and n additions). GroupNorm and
LayerNorm normalise each sample by itself, so their counts are per sample
like every other layer's; the parameters are the affine weight and bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from symcnn.cnn.analysis import LayerAnalysis, Shape, elements, quantity
from symcnn.cnn.arguments import Arg, as_expr, equal, require
from symcnn.cnn.layer import Layer, divisible_check, feature_map, same_as_given
from symcnn.cnn.layers import BatchNorm2d
from symcnn.cnn.norm_counts import normalisation_counts
from symcnn.errors import LayerError
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import number


@dataclass(frozen=True, eq=True)
class GroupNorm(Layer):
    """Group normalisation, as ``torch.nn.GroupNorm``: channels in ``num_groups`` groups, 2C parameters."""

    num_groups: Arg | None = None
    num_channels: Arg | None = None
    eps: float = 1e-5
    affine: bool = True

    kind: ClassVar[str] = "norm"

    def __post_init__(self) -> None:
        for arg in ("num_groups", "num_channels"):
            if getattr(self, arg) is None:
                raise LayerError(f"GroupNorm: {arg} is required")
            require(as_expr(getattr(self, arg), "GroupNorm", arg), "GroupNorm", arg, minimum=1)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        if len(shape) < 2:
            raise LayerError(f"{name}: GroupNorm needs channels and at least one more axis, gets {tuple(shape)}")
        groups = as_expr(self.num_groups, name, "num_groups")
        assumptions = same_as_given(shape[0], self.num_channels, name, "num_channels", "input channels")
        assumptions += divisible_check(shape[0], groups, name, "num_channels")
        params = f.mul(2, shape[0]) if self.affine else number(0)
        counts = [quantity("params", params)] + normalisation_counts(elements(shape), groups, self.affine)
        return feature_map(self, name, shape, shape, counts, assumptions)


@dataclass(frozen=True, eq=True)
class LayerNorm(Layer):
    """Layer normalisation over the last axes, as ``torch.nn.LayerNorm``.

    ``normalized_shape`` is one size or the sizes of the last axes of a
    sample, e.g. [C, H, W]; with ``elementwise_affine`` the parameters are one
    weight (and with ``bias`` one bias) per normalised element.
    """

    normalized_shape: Any = None
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True

    kind: ClassVar[str] = "norm"

    def sizes(self) -> tuple[sp.Expr, ...]:
        """The normalised axes' sizes, checked positive."""
        value = self.normalized_shape
        if value is None:
            raise LayerError("LayerNorm: normalized_shape is required, e.g. [C, H, W] or the feature count")
        entries = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        exprs = tuple(as_expr(v, "LayerNorm", "normalized_shape") for v in entries)
        for expr in exprs:
            require(expr, "LayerNorm", "normalized_shape", minimum=1)
        return exprs

    def __post_init__(self) -> None:
        self.sizes()

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        sizes = self.sizes()
        if len(sizes) > len(shape):
            raise LayerError(f"{name}: normalized_shape {list(sizes)} has more axes than the input {tuple(shape)}")
        assumptions: list[sp.Basic] = []
        for given, actual in zip(sizes, shape[len(shape) - len(sizes):]):
            verdict = equal(given, actual)
            if verdict is False:
                raise LayerError(f"{name}: normalized_shape {list(sizes)} must be the last axes of the input "
                                 f"{tuple(shape)}, as torch requires")
            if verdict is None:
                assumptions.append(f.stated(given, "==", actual))
        normalised = f.mul(*reversed(sizes)) if len(sizes) > 1 else sizes[0]
        per_value = (2 if self.bias else 1) if self.elementwise_affine else 0
        params = f.mul(per_value, normalised) if per_value else number(0)
        groups = f.div(elements(shape), normalised)
        counts = [quantity("params", params)] + normalisation_counts(elements(shape), groups, self.elementwise_affine,
                                                                    shift=self.bias)
        return feature_map(self, name, shape, shape, counts, tuple(assumptions))


@dataclass(frozen=True, eq=True)
class BatchNorm1d(BatchNorm2d):
    """Batch normalisation of (N,) features or (C, L) sequences, as ``torch.nn.BatchNorm1d``."""

    ranks: ClassVar[tuple[int, ...]] = (1, 2)


@dataclass(frozen=True, eq=True)
class BatchNorm3d(BatchNorm2d):
    """Batch normalisation of (C, T, H, W) volumes, as ``torch.nn.BatchNorm3d``."""

    ranks: ClassVar[tuple[int, ...]] = (4,)
