"""Element-wise activations, each with its stated counting convention.

Every layer here keeps its input's shape and has no parameters. Operations
are counted per element of the input, as a straightforward implementation
evaluates the formula; ``transcendentals`` counts evaluations of exp, erf,
tanh (one each, whatever they cost inside the library).

==========  ===========================  ==============================================
layer       formula                      per element
==========  ===========================  ==============================================
ReLU6       min(max(x, 0), 6)            2 comparisons
LeakyReLU   x if x >= 0 else a·x         1 comparison, 1 multiplication
Sigmoid     1 / (1 + exp(-x))            1 exp, 1 addition, 1 division
Tanh        tanh(x)                      1 tanh
SiLU        x · sigmoid(x)               1 exp, 1 addition, 1 division, 1 multiplication
GELU        x/2 · (1 + erf(x/√2))        1 erf, 3 multiplications (x/√2 as x·(1/√2)), 1 addition
GELU tanh   x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))
                                         1 tanh, 6 multiplications, 2 additions
Hardswish   x · ReLU6(x + 3) / 6         1 addition, 2 comparisons, 1 multiplication, 1 division
Softmax     exp(x - max) / Σ exp(x - max)
                                         along an axis of n: n - 1 comparisons, n subtractions,
                                         n exps, n - 1 additions, n divisions per n elements
==========  ===========================  ==============================================

Subtractions are counted as additions. ``inplace`` layers store no output of
their own (see :attr:`symcnn.cnn.layers.Layer.stores_output`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from symcnn.cnn.analysis import LayerAnalysis, Shape, elements, quantity
from symcnn.cnn.layer import Layer, feature_map
from symcnn.errors import LayerError
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import number

PER_ELEMENT: dict[str, dict[str, int]] = {
    "ReLU6": {"comparisons": 2},
    "LeakyReLU": {"comparisons": 1, "mults": 1},
    "Sigmoid": {"transcendentals": 1, "adds": 1, "divisions": 1},
    "Tanh": {"transcendentals": 1},
    "SiLU": {"transcendentals": 1, "adds": 1, "divisions": 1, "mults": 1},
    "GELU": {"transcendentals": 1, "mults": 3, "adds": 1},
    "GELU-tanh": {"transcendentals": 1, "mults": 6, "adds": 2},
    "Hardswish": {"adds": 1, "comparisons": 2, "mults": 1, "divisions": 1},
}
"""The counting convention of each element-wise layer: operations per input element."""

_ORDER = ("params", "mults", "adds", "comparisons", "divisions", "transcendentals")


class _Elementwise(Layer):
    """A shape-keeping, parameter-free layer whose cost is a fixed count per element."""

    kind: ClassVar[str] = "act"
    keeps_shape: ClassVar[bool] = True

    def _convention(self) -> dict[str, int]:
        return PER_ELEMENT[type(self).__name__]

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        counts = per_element_counts(self._convention(), elements(shape))
        return feature_map(self, name, shape, shape, counts)


def per_element_counts(convention: dict[str, int], size: sp.Expr) -> list:  # type: ignore[type-arg]
    """params, mults and adds always (0 where none), then the other operations of ``convention``, times ``size``."""
    counts = []
    for key in _ORDER:
        count = convention.get(key, 0)
        if count or key in ("params", "mults", "adds"):
            expr = number(0) if not count or key == "params" else (size if count == 1 else f.mul(count, size))
            counts.append(quantity(key, expr))
    return counts


@dataclass(frozen=True, eq=True)
class ReLU6(_Elementwise):
    """min(max(x, 0), 6), as ``torch.nn.ReLU6``: two comparisons per element."""

    inplace: bool = False


@dataclass(frozen=True, eq=True)
class LeakyReLU(_Elementwise):
    """x for x >= 0, else negative_slope·x, as ``torch.nn.LeakyReLU``."""

    negative_slope: float = 0.01
    inplace: bool = False


@dataclass(frozen=True, eq=True)
class Sigmoid(_Elementwise):
    """1 / (1 + exp(-x)), as ``torch.nn.Sigmoid``."""


@dataclass(frozen=True, eq=True)
class Tanh(_Elementwise):
    """tanh(x), as ``torch.nn.Tanh``."""


@dataclass(frozen=True, eq=True)
class SiLU(_Elementwise):
    """x · sigmoid(x) (swish), as ``torch.nn.SiLU``."""

    inplace: bool = False


@dataclass(frozen=True, eq=True)
class GELU(_Elementwise):
    """x·Φ(x), as ``torch.nn.GELU`` (``approximate="none"`` or ``"tanh"``)."""

    approximate: str = "none"

    def __post_init__(self) -> None:
        if self.approximate not in ("none", "tanh"):
            raise LayerError(f'GELU: approximate must be "none" or "tanh", got {self.approximate!r}')

    def _convention(self) -> dict[str, int]:
        return PER_ELEMENT["GELU-tanh" if self.approximate == "tanh" else "GELU"]


@dataclass(frozen=True, eq=True)
class Hardswish(_Elementwise):
    """x · ReLU6(x + 3) / 6, as ``torch.nn.Hardswish``."""

    inplace: bool = False


@dataclass(frozen=True, eq=True)
class Softmax(Layer):
    """exp(x - max) / Σ exp(x - max) along ``dim`` (torch's, counting the batch axis), as ``torch.nn.Softmax``."""

    dim: int | None = None

    kind: ClassVar[str] = "softmax"
    keeps_shape: ClassVar[bool] = True

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        if self.dim is None:
            raise LayerError(f"{name}: give Softmax a dim (1 for the channels or features, as torch counts the batch)")
        rank = len(shape) + 1
        if not -rank <= self.dim < rank or self.dim % rank == 0:
            raise LayerError(f"{name}: dim {self.dim} is not an axis of a sample's {tuple(shape)} (1..{rank - 1})")
        n = shape[self.dim % rank - 1]
        vectors = f.div(elements(shape), n)
        counts = [
            quantity("params", number(0)), quantity("mults", number(0)),
            quantity("adds", f.mul(f.sub(f.mul(2, n), 1), vectors)),
            quantity("comparisons", f.mul(f.sub(n, 1), vectors)),
            quantity("divisions", elements(shape)),
            quantity("transcendentals", elements(shape)),
        ]
        return feature_map(self, name, shape, shape, counts)
