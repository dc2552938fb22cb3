"""Joins: the nodes where branches of a graph network meet.

``Add`` (a residual's ``out + identity``), ``Mul`` (squeeze-and-excitation's
``scale * input``, broadcasting a (C, 1, 1) gate over (C, H, W)) and
``Concat`` (``torch.cat(..., dim=1)``: Inception, DenseNet, U-Net skips).

Counting conventions (FlopCounterMode counts none of them):
    * Add: one addition per output element for each input after the first.
    * Mul: one multiplication per output element for each input after the first.
    * Concat: no arithmetic (a copy).

Where two branches meet, each axis must agree (or, for Add and Mul, one of
them be 1, as torch broadcasts). Sizes that are numbers and differ are an
error naming both branches; sizes that stay symbolic become a condition
(``Eq(H_5, H_8)``) that :mod:`symcnn.cnn.validity` decides for every input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from symcnn.cnn.analysis import LayerAnalysis, Shape, elements, quantity
from symcnn.cnn.arguments import equal
from symcnn.cnn.layer import Layer, no_weights, valued
from symcnn.errors import LayerError
from symcnn.formula import trees as f
from symcnn.formula.evaluation import summed
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_whole
from symcnn.formula.plain import shape_text
from symcnn.formula.quantity import Quantity

_AXES = ("channels", "height", "width")


class Join(Layer):
    """A node with several inputs; :meth:`join` analyses them together."""

    kind: ClassVar[str] = "join"
    broadcasts: ClassVar[bool] = False
    joined_axis: ClassVar[int | None] = None  # the axis whose sizes add up (Concat: channels)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        """Standing alone, a join meets two inputs of ``shape`` (a residual's ``x + f(x)``)."""
        return self.join([shape, shape], ["input 1", "input 2"], name)

    def join(self, shapes: Sequence[Shape], sources: Sequence[str], name: str) -> LayerAnalysis:
        """The output of joining ``shapes`` (from the nodes called ``sources``).

        Raises:
            LayerError: fewer than two inputs, ranks that differ, or sizes that
                are numbers and disagree (the message names both branches).
        """
        joined = partial(self._joined, shapes, sources, name)
        return valued(joined, joined)

    def _joined(self, shapes: Sequence[Shape], sources: Sequence[str], name: str) -> LayerAnalysis:
        if len(shapes) < 2:
            raise LayerError(f"{name}: {type(self).__name__} needs at least two inputs, got {len(shapes)}")
        first = shapes[0]
        for other, source in zip(shapes[1:], sources[1:]):
            if len(other) != len(first):
                raise LayerError(f"{name}: cannot join {sources[0]} {shape_text(first)} "
                                 f"with {source} {shape_text(other)}: different ranks")
        output: list[sp.Expr] = []
        conditions: list[sp.Basic] = []
        for axis in range(len(first)):
            sizes = [shape[axis] for shape in shapes]
            if axis == self.joined_axis:
                output.append(f.add(*sizes) if any(not is_whole(s) for s in sizes) else summed(sizes))
                continue
            size, kept = self._meet(sizes, axis, shapes, sources, name)
            output.append(size)
            conditions += kept
        out_shape = tuple(output)
        head = [quantity("input_elements", summed(elements(s) for s in shapes))]
        if len(out_shape) == 3:
            head.append(quantity("output_channels", out_shape[0]))
        head.append(quantity("output_elements", elements(out_shape)))
        counts = self._counts(len(shapes) - 1, elements(out_shape))
        return LayerAnalysis(name, self, first, out_shape, tuple(head + counts), tuple(conditions))

    def _meet(
        self, sizes: list[sp.Expr], axis: int, shapes: Sequence[Shape], sources: Sequence[str], name: str
    ) -> tuple[sp.Expr, list[sp.Basic]]:
        """The joined size of one axis, and the conditions left for symbolic sizes."""
        kept = [s for s in sizes if not (self.broadcasts and s == 1)] or [sizes[0]]
        size, conditions = kept[0], []
        for other in kept[1:]:
            verdict = equal(size, other)
            if verdict is False:
                a, b = sizes.index(size), sizes.index(other)
                label = _AXES[axis] if len(shapes[0]) == 3 else "features"
                rule = " (or one of them 1, broadcast)" if self.broadcasts else ""
                raise LayerError(
                    f"{name}: branches disagree in {label}: {sources[a]} gives {shape_text(shapes[a])} "
                    f"but {sources[b]} gives {shape_text(shapes[b])}; {type(self).__name__} needs equal "
                    f"{label}{rule}"
                )
            if verdict is None:
                conditions.append(f.stated(size, "==", other))
        return size, conditions

    def _counts(self, extra_inputs: int, out_elements: sp.Expr) -> list[Quantity]:
        return no_weights()


@dataclass(frozen=True, eq=True)
class Add(Join):
    """Element-wise sum of its inputs (broadcasting as torch does), like ``out + identity``."""

    inplace: bool = False
    """torchvision's ``out += identity``: written into the first input, no new tensor."""

    kind: ClassVar[str] = "add"
    broadcasts: ClassVar[bool] = True

    def _counts(self, extra_inputs: int, out_elements: sp.Expr) -> list[Quantity]:
        return _one_per_element("adds", extra_inputs, out_elements)


@dataclass(frozen=True, eq=True)
class Mul(Join):
    """Element-wise product (broadcasting), like squeeze-and-excitation's ``scale * input``."""

    kind: ClassVar[str] = "mul"
    broadcasts: ClassVar[bool] = True

    def _counts(self, extra_inputs: int, out_elements: sp.Expr) -> list[Quantity]:
        return _one_per_element("mults", extra_inputs, out_elements)


@dataclass(frozen=True, eq=True)
class Concat(Join):
    """Concatenation along channels, ``torch.cat(inputs, dim=1)``; no arithmetic."""

    dim: int = 1

    kind: ClassVar[str] = "cat"
    joined_axis: ClassVar[int | None] = 0

    def __post_init__(self) -> None:
        if self.dim != 1:
            raise LayerError(f"Concat: only dim = 1 (channels) is supported, got {self.dim}")


def _one_per_element(key: str, extra_inputs: int, out_elements: sp.Expr) -> list[Quantity]:
    """No weights, and one operation ``key`` per output element for each input past the first."""
    count = out_elements if extra_inputs == 1 else f.mul(extra_inputs, out_elements)
    return [quantity(key, count) if q.key == key else q for q in no_weights()]
