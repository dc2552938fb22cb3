"""What a window diagram shows, for one layer with numbers: its geometry, the guide's relations, the caption.

Computed here, drawn by :mod:`symcnn.render.window_diagram` (which imports
matplotlib; this module does not). The caption is symcnn's prose markup
($...$ is math), escaped by the templates for Markdown or LaTeX.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symcnn.cnn.guide import Relation, relation
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.cnn.window_geometry import AxisGeometry, GeometryError, WindowGeometry
from symcnn.formula.evaluation import evaluated, value_of

EXCERPT_LIMIT = 16
"""Grids longer than this many cells along an axis are drawn as an excerpt."""


@dataclass(frozen=True)
class WindowPicture:
    """One layer's window diagram, as data.

    Attributes:
        stem: the figure's file name without suffix (``window_1``).
        kind: the layer's type name (``Conv2d``).
        geometry: (rows, columns) cells of every window.
        pooling: a pooling window (the guide's relation 7 applies).
        relations: the guide's relation and the axes it holds for: ("", r) where both
            axes agree, else ("columns", r1) and ("rows", r2).
    """

    stem: str
    kind: str
    geometry: WindowGeometry
    pooling: bool
    relations: tuple[tuple[str, Relation], ...]

    @property
    def transposed(self) -> bool:
        """A transposed convolution, drawn as its equivalent direct convolution."""
        return self.geometry.columns.transposed

    @property
    def axes(self) -> tuple[tuple[str, str, AxisGeometry], ...]:
        """(singular, plural, geometry) of the columns and the rows, columns first as the formulas go."""
        return (("column", "columns", self.geometry.columns), ("row", "rows", self.geometry.rows))

    def excerpt(self, geometry: AxisGeometry) -> tuple[range, range] | None:
        """The cells of ``geometry`` drawn, when not all."""
        return geometry.excerpt(EXCERPT_LIMIT)

    def _repr_png_(self) -> bytes:
        """The diagram in a notebook, drawn by :func:`symcnn.render.notebook.png` (the lazy hook)."""
        from symcnn.render import notebook

        return notebook.png(self)

    @property
    def caption(self) -> str:
        """What the figure shows, in symcnn's prose markup."""
        rows, columns = self.geometry.rows, self.geometry.columns
        sentences = [self._grid_sentence(rows, columns)]
        if columns.dilation > 1 or rows.dilation > 1:
            sentences.append(
                f"Dilation {_pair(rows.dilation, columns.dilation)} spreads the kernel: its taps (dots) are "
                f"{_pair(rows.dilation, columns.dilation)} cells apart, so it spans "
                f"{_pair(rows.extent, columns.extent, ' × ')} cells.")
        for singular, plural, one in self.axes:
            count = len(one.dropped)
            floor = [j for j in one.dropped_inputs if one.input_cells[j] in one.dropped]
            if count:
                noun = singular if count == 1 else plural
                sentence = f"The last {count} {noun} {'is' if count == 1 else 'are'} never covered: that is the floor"
                sentence += " (hatched red)"
                if floor:
                    many = len(floor) > 1
                    verb = "are" if many else "is"
                    sentence += f"; input {plural if many else singular} {_span(floor)} {verb} never seen"
                sentences.append(sentence + ".")
            skipped = [j for j in one.dropped_inputs if j not in floor]
            if skipped:
                sentences.append(f"Input {plural if len(skipped) > 1 else singular} {_span(skipped)} "
                                 f"{'fall' if len(skipped) > 1 else 'falls'} between the taps of every window: "
                                 "no window reads them.")
        elided: dict[str, tuple[str, ...]] = {}
        for _, plural, one in self.axes:
            cut = self.excerpt(one)
            if cut is not None:
                head, tail = cut
                text = (f"the first {len(head)} and the last {len(tail)} of the {one.length} grid cells, "
                        f"{tail.start - head.stop} left out between them")
                elided[text] = elided.get(text, ()) + (plural,)
        if elided:
            parts = [f"{' and '.join(axes)}: {text}" for text, axes in elided.items()]
            sentences.append("The layer is too large to draw whole, so this is a faithful excerpt, cell by cell ("
                             + "; ".join(parts) + "), the gap marked with dots; the ticks number the input's "
                             "own cells and the output's.")
        return " ".join(sentences)

    def _grid_sentence(self, rows: AxisGeometry, columns: AxisGeometry) -> str:
        size, out = f"{rows.size} × {columns.size}", f"{rows.windows} × {columns.windows}"
        if self.transposed:
            zeros = _pair(rows.gap, columns.gap)
            pad = _pair(rows.before, columns.before)
            text = (f"The transposed convolution drawn as the guide draws it: a direct convolution with unit "
                    f"stride over the {size} input (blue) with {_count(zeros, 'zero')} inserted between its cells "
                    f"(white) and {_count(pad, 'cell')} of zeros around it (grey)")
            extra = _pair(rows.output_padding, columns.output_padding)
            if rows.output_padding or columns.output_padding:
                text += f", plus $a = {extra}$ more at the bottom and right (output padding)"
            return text + f"; the {out} output (right)."
        padding = _pair(rows.padding, columns.padding)
        shaded = f", padding {padding} shaded grey" if rows.padding or columns.padding else ""
        step = _pair(rows.stride, columns.stride)
        return (f"The {self.kind} window over the {size} input{shaded}: the first window (blue) and the last "
                f"window of the first row (orange); window starts are {_count(step, 'cell')} apart (the stride, "
                f"arrow); the {out} output (right), its first and last cells of the row in the same colours.")


def _pair(first: int, second: int, joiner: str = " and ") -> str:
    """One number where both axes agree, else rows and columns joined."""
    return str(first) if first == second else f"{first}{joiner}{second}"


def _count(number: str, noun: str) -> str:
    """``1 cell``, ``2 cells``, ``1 and 2 cells``."""
    return f"{number} {noun}" if number == "1" else f"{number} {noun}s"


def _span(cells: Any) -> str:
    """``3``, ``252–257`` for consecutive cells, ``1, 9 and 11`` otherwise."""
    cells = list(cells)
    if len(cells) == 1:
        return str(cells[0])
    if cells == list(range(cells[0], cells[-1] + 1)):
        return f"{cells[0]}–{cells[-1]}"
    return ", ".join(map(str, cells[:-1])) + f" and {cells[-1]}"


def _number(value: Any, values: Mapping[sp.Symbol, sp.Expr]) -> int | None:
    """``value`` as an int with ``values`` bound, or None where a symbol stays."""
    bound = value_of(evaluated(sp.sympify(value) if isinstance(value, int) else value), values)
    return int(bound) if bound.is_Integer else None


def window_picture(layer: Any, input_shape: tuple[Any, ...], values: Mapping[sp.Symbol, sp.Expr],
                   stem: str) -> WindowPicture | None:
    """The diagram of a windowed layer (convolution, pooling, transposed convolution) on a (C, H, W) input.

    None where the layer has no window, or a size stays symbolic, or the
    settings cannot be drawn (a transposed padding that crops).
    """
    transposed = isinstance(layer, ConvTranspose2d)
    windows = layer.window_arguments
    if len(windows) != 2 or len(input_shape) != 3:  # 1-D and 3-D layers are not drawn
        return None
    output_padding = layer.extra if transposed else (0, 0)
    axes = []
    for window, size, extra in zip(windows, input_shape[1:], output_padding):
        numbers = [_number(v, values) for v in (size, window.kernel, window.stride, window.padding, window.dilation,
                                               extra)]
        if any(n is None for n in numbers):
            return None
        i, k, s, p, d, a = (int(n) for n in numbers)  # type: ignore[arg-type]
        try:
            axes.append(AxisGeometry(i, k, s, p, d, transposed, a, bool(getattr(layer, "ceil_mode", False))))
        except GeometryError:
            return None
    rows, columns = axes
    pooling = getattr(layer, "kind", "") == "pool"
    by_columns, by_rows = relation(columns, pooling), relation(rows, pooling)
    relations = (("", by_columns),) if by_columns == by_rows else (("columns", by_columns), ("rows", by_rows))
    return WindowPicture(stem, type(layer).__name__, WindowGeometry(rows, columns), pooling, relations)
