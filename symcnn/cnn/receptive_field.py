"""Receptive fields: which input pixels one output neuron of a layer sees.

Per axis, neuron ``i`` of a layer sees the input interval
``(a·i + b_0 : a·i + b_1)``: ``a`` is the jump (effective stride), ``b_0`` the
start, and ``b_1 - b_0 + 1`` the size. A sliding window (kernel K, stride S,
padding P, dilation D) maps its neuron ``i`` to ``[S·i - P, S·i - P + K_e - 1]``
of its input, with ``K_e = D(K - 1) + 1``; composing that with the region of
the layer below multiplies the window's offsets by the jump accumulated so
far::

    a' = a·S,    b_0' = b_0 - a·P,    b_1' = b_1 + a·(K_e - 1 - P)

The closed forms of Araujo, Norris and Sim, "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019) give the same numbers:
``r = 1 + Σ_l (K_l - 1) Π_{m<l} S_m`` and ``u = -Σ_l P_l Π_{m<l} S_m``.

On a graph, a node sees the union of what each path from the input gives it:
where paths of the same jump meet, the field starts at the smallest start and
ends at the largest end. Paths of different jumps do not make one interval
``a·i + b`` (Araujo et al.'s alignment problem): such a node keeps each jump's
interval and says so (:attr:`ReceptiveField.mixed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from symcnn.cnn.analysis import Window
from symcnn.cnn.field_map import is_irregular
from symcnn.cnn.network import Network
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import bind, inclusive_count, multiplied, value_of
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_python_number, is_whole, symbolic_reading

_LARGEST_KEPT = 12  # nodes; a larger offset gets a symbol of its own, keeping cost linear in depth


@dataclass(frozen=True)
class Interval:
    """One axis of a receptive field: neuron ``i`` sees ``(jump·i + first : jump·i + last)``."""

    jump: sp.Expr
    first: sp.Expr
    last: sp.Expr

    @cached_property  # a summary reads it for rows and for columns, often one interval
    def size(self) -> sp.Expr:
        """How many input pixels the interval spans."""
        return inclusive_count(self.first, self.last)

    @property
    def start(self) -> sp.Expr:
        """Where neuron 0's interval starts (negative: in the padding)."""
        return self.first

    def at(self, index: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """The interval's two ends for neuron ``index``."""
        return self.jump * index + self.first, self.jump * index + self.last

    def ends(self, index: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """The two ends for neuron ``index`` as unevaluated formulas: ``jump·index + offset``.

        ``index`` stands alone for a jump of 1, and a zero offset is left out
        (``i - 1``, ``16i + 77``, ``2i``): how :mod:`symcnn.formula.plain` and
        :func:`symcnn.formula.steps.latex` write a region.
        """
        with symbolic_reading():  # formulas to print: trees, also from the numeric reading's numbers
            moving = index if self.jump == 1 else f.mul(self.jump, index)
            return tuple(moving if offset == 0 else f.add(moving, offset)
                         for offset in (self.first, self.last))

    def through(self, window: Window) -> Interval:
        """The interval one sliding-window layer further up."""
        reach = window.reach
        return Interval(  # each product only where it changes something: sympy's Mul is the cost here
            self.jump if window.stride == 1 else multiplied(self.jump, window.stride),
            self.first if window.padding == 0 else self.first + multiplied(self.jump, -window.padding),
            self.last if reach == 0 else self.last + multiplied(self.jump, reach),
        )

    def bound(self, values: dict[sp.Symbol, sp.Expr]) -> Interval:
        """The interval with ``values`` put in."""
        return Interval(*(value_of(e, values) for e in (self.jump, self.first, self.last)))


@dataclass(unsafe_hash=True)
class ReceptiveField:
    """The receptive field of one neuron (i, j) of a layer, in input coordinates.

    ``rows`` is the height axis (index i), ``columns`` the width axis (index j).
    A value, never changed once made (not a frozen dataclass only because a network makes one per layer, and a
    frozen dataclass sets each field through ``object.__setattr__``).
    """

    layer: str
    rows: Interval
    columns: Interval
    depth: Interval | None = None
    """The third axis of a 3-D layer (Conv3d, pooling 3-D); a 1-D layer's axis is ``columns``, one row high."""
    mixed: str | None = None
    """Paths of different jumps meet here: the statement of each path's interval (``rows`` is the first)."""
    paths: tuple[tuple[Interval, ...], tuple[Interval, ...]] = ((), ())
    """Where paths of different jumps meet: each jump's interval, for rows and for columns."""

    def region(self) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
        """(i_first, i_last, j_first, j_last) as expressions in i and j."""
        return (*self.rows.at(notation.i), *self.columns.at(notation.j))

    def bound(self, values: dict[sp.Symbol, sp.Expr]) -> ReceptiveField:
        """The receptive field with ``values`` put in."""
        depth = None if self.depth is None else self.depth.bound(values)
        paths = tuple(tuple(p.bound(values) for p in axis) for axis in self.paths)
        return ReceptiveField(self.layer, self.rows.bound(values), self.columns.bound(values), depth, self.mixed,
                              paths)  # type: ignore[arg-type]


@dataclass(frozen=True, repr=False)
class ReceptiveFields(Displayable):
    """Every layer's receptive field (None past a Flatten: those neurons see everything).

    ``definitions`` names the offsets of deep symbolic networks (``J_7``, ``F_7``,
    ``L_7``), as shapes do, so that no expression nests the whole network.
    """

    fields: tuple[ReceptiveField | None, ...]
    definitions: dict[sp.Symbol, sp.Expr]
    notes: dict[str, str] = field(default_factory=dict)
    """Layer name -> why its field is None when not past a Flatten (a layer that is no sliding window)."""

    def values(self, bound: dict[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
        """``bound`` plus the value of every offset symbol that comes out a number."""
        return bind(self.definitions, bound)


Paths = tuple[Interval, ...]
"""One axis of a node's field: one interval per distinct jump of the paths reaching it."""


def receptive_fields(network: Network) -> ReceptiveFields:
    """Compose every layer's window from the input up, along every path of a graph."""
    identity = (Interval(to_sympy(1), to_sympy(0), to_sympy(0)),)
    nodes: list[tuple[Paths, Paths, Paths] | None] = [(identity, identity, identity)]
    result: list[ReceptiveField | None] = []
    definitions: dict[sp.Symbol, sp.Expr] = {}
    notes: dict[str, str] = {}
    irregular: dict[int, str] = {}  # node -> why no field (a layer that is no sliding window, upstream)
    for index, analysis in enumerate(network.layers, start=1):
        sources = network.inputs_of(index - 1)
        reads = [nodes[k] for k in sources]
        windows = analysis.layer.field_map(analysis.input_shape)
        note = next((irregular[k] for k in sources if k in irregular), "") if irregular else ""
        if not note and windows and is_irregular(windows):
            note = (f"past {analysis.name} ({type(analysis.layer).__name__}), no sliding window: "
                    f"{windows[0].reason}")  # type: ignore[union-attr]
        if len(analysis.output_shape) == 1 or note or None in reads:
            if note and len(analysis.output_shape) != 1:
                notes[analysis.name] = irregular[index] = note
            nodes.append(None)  # past a Flatten every neuron sees the whole input
            result.append(None)
            continue
        rows, columns, depth = reads[0] if len(reads) == 1 else (  # type: ignore[misc]
            _union([r[k] for r in reads]) for k in range(3))  # type: ignore[index]
        if windows is not None:
            axes = cast(tuple[Window, ...], windows)  # not irregular: sliding windows, (depth,) (rows,) columns
            row_window, column_window = (axes[-2] if len(axes) > 1 else None), axes[-1]
            if len(axes) == 3:
                depth = _through(depth, axes[0], "d", index, definitions)
            if row_window is None:  # a sequence: one axis, the columns
                columns = _through(columns, column_window, "w", index, definitions)
            elif rows is columns and row_window == column_window:  # square: compose once
                rows = columns = _through(rows, row_window, "", index, definitions)
            else:
                rows = _through(rows, row_window, "h", index, definitions)
                columns = _through(columns, column_window, "w", index, definitions)
        elif len(reads) > 1:
            rows = _named_paths(rows, "h", index, definitions)
            columns = rows if columns == rows else _named_paths(columns, "w", index, definitions)
            depth = _named_paths(depth, "d", index, definitions)
        nodes.append((rows, columns, depth))
        mixed = None if len(rows) == 1 and len(columns) == 1 else _mixed(rows, columns)
        third = depth[0] if len(analysis.output_shape) == 4 else None
        result.append(ReceptiveField(analysis.name, rows[0], columns[0], third, mixed,
                                     (rows, columns) if mixed else ((), ())))
    return ReceptiveFields(tuple(result), definitions, notes)


def _union(reads: list[Paths]) -> Paths:
    """The paths of several inputs merged: one interval per jump, smallest start and largest end."""
    if len(reads) == 1 or all(r is reads[0] for r in reads):
        return reads[0]
    merged: dict[sp.Expr, Interval] = {}
    for paths in reads:
        for path in paths:
            same = merged.get(path.jump)
            merged[path.jump] = path if same is None else Interval(
                path.jump, _extreme(True, same.first, path.first), _extreme(False, same.last, path.last))
    return tuple(merged.values())


def _extreme(smallest: bool, a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """The smaller (or larger) of two offsets: plain integers directly, else sympy's Min/Max."""
    if is_whole(a) and is_whole(b):
        return min(a, b) if smallest else max(a, b)
    return sp.Min(a, b) if smallest else sp.Max(a, b)


def _through(paths: Paths, window: Window, axis: str, index: int, definitions: dict[sp.Symbol, sp.Expr]) -> Paths:
    """Every path one sliding window further up, offsets named where they grow large."""
    return _named_paths(tuple(p.through(window) for p in paths), axis, index, definitions)


def _named_paths(paths: Paths, axis: str, index: int, definitions: dict[sp.Symbol, sp.Expr]) -> Paths:
    if len(paths) == 1:
        return (_named(paths[0], axis, index, definitions),)
    return tuple(_named(p, f"{axis}{k}", index, definitions) for k, p in enumerate(paths, start=1))


def _mixed(rows: Paths, columns: Paths) -> str | None:
    """The statement for a node where paths of different jumps meet (None: one jump per axis)."""
    if len(rows) == 1 and len(columns) == 1:
        return None
    from symcnn.formula.plain import interval_text

    parts = []
    for axis, paths, index in (("rows", rows, notation.i), ("columns", columns, notation.j)):
        if len(paths) > 1:
            each = " and ".join(interval_text(p, index) for p in paths)
            parts.append(f"{axis}: paths of jumps {', '.join(str(p.jump) for p in paths)} meet; "
                         f"neuron {index} sees the union of {each}")
    return "; ".join(parts)


def _grown(expr: sp.Expr) -> bool:
    """Whether ``expr`` has more than ``_LARGEST_KEPT`` nodes (counted only that far, without sympy's
    generator of generators: this runs three times a layer)."""
    waiting, seen = [expr], 0
    while waiting:
        seen += 1
        if seen > _LARGEST_KEPT:
            return True
        waiting.extend(waiting.pop().args)
    return False


def _named(interval: Interval, axis: str, index: int, definitions: dict[sp.Symbol, sp.Expr]) -> Interval:
    """Replace offsets grown past ``_LARGEST_KEPT`` nodes by symbols of their own."""
    if type(interval.jump) is int and type(interval.first) is int and type(interval.last) is int:
        return interval  # numbers (the numeric reading) need no name
    parts = []
    for base, expr in (("J", interval.jump), ("F", interval.first), ("L", interval.last)):
        if not is_python_number(expr) and _grown(expr):  # a number (the numeric reading) needs no name
            # offsets may be negative: integers with no sign, unlike the notation's sizes
            name = sp.Symbol(f"{base}{axis}_{index}", integer=True, positive=base == "J" or None)
            definitions[name] = expr
            expr = name
        parts.append(expr)
    return Interval(*parts)


def araujo_closed_forms(windows: list[Window]) -> dict[str, sp.Expr]:
    """Araujo et al.'s closed forms for a chain of windows, as unevaluated formulas.

    Returns ``size`` (r = 1 + Σ (K_l - 1) Π S), ``jump`` (Π S) and ``start``
    (u = -Σ P_l Π S), with each product over the layers below layer l.
    """
    strides_below: list[sp.Expr] = []
    size_terms, start_terms = [], []
    for window in windows:
        below = f.mul(*strides_below) if len(strides_below) > 1 else (strides_below or [sp.Integer(1)])[0]
        size_terms.append(f.mul(f.sub(window.extent, 1), below))
        start_terms.append(f.mul(window.padding, below))
        strides_below.append(window.stride)
    jump = f.mul(*strides_below) if len(strides_below) > 1 else (strides_below or [sp.Integer(1)])[0]
    return {
        "size": f.add(1, *size_terms),
        "jump": jump,
        "start": f.neg(f.add(*start_terms)) if start_terms else sp.Integer(0),
    }
