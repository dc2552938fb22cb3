"""Plain-text formulas: what a terminal, a JSON file or a claims file shows.

The same term order as :mod:`symcnn.formula.steps` prints in LaTeX (an unevaluated
tree keeps the textbook's order), in ASCII that symcnn's restricted parser
reads back: ``(K_1*K_2*C_in + 1)*C_out``, ``floor((W + 2*P - K_1)/S) + 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from symcnn.formula import symbols as notation
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import PYTHON_TYPES, is_python_number, is_whole
from symcnn.formula.sizes import Named
from symcnn.formula.trees import inverted, is_letter, is_reciprocal, negated, split_product, terms

if TYPE_CHECKING:
    from symcnn.cnn.receptive_field import Interval

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4


def plain(tree: sp.Basic, juxtapose: bool = False) -> str:
    """``tree`` as ASCII text in its own term order; ``juxtapose``: a leading integer against its letter (``16i``)."""
    if type(tree) in PYTHON_TYPES:
        return str(tree)  # the numeric reading: as sympy writes its Integer and Rational
    if type(tree) is Named:
        return tree.name  # the periodic reading's named size, as its symbol is written
    return _print(tree, juxtapose)[0]


def _wrapped(tree: sp.Basic, level: int, juxtapose: bool) -> str:
    """``tree`` printed, in parentheses when it binds looser than ``level``."""
    text, own = _print(tree, juxtapose)
    return f"({text})" if own < level else text


@lru_cache(maxsize=1 << 17)  # a summary prints each value twice (JSON and table), and deep offsets share subtrees
def _print(tree: sp.Basic, juxtapose: bool) -> tuple[str, int]:
    if isinstance(tree, sp.Integer):
        return str(tree.p), (_ATOM if tree.p >= 0 else _ADD)  # .p: sympy's own comparison costs 15 µs
    if isinstance(tree, sp.Rational):
        return f"{tree.p}/{tree.q}", _MUL
    if tree.is_Symbol:
        return tree.name, _ATOM
    if isinstance(tree, sp.floor):
        return f"floor({plain(tree.args[0], juxtapose)})", _ATOM
    if isinstance(tree, sp.ceiling):
        return f"ceil({plain(tree.args[0], juxtapose)})", _ATOM
    if isinstance(tree, sp.Mod):
        return f"{_wrapped(tree.args[0], _POW, juxtapose)} mod {_wrapped(tree.args[1], _POW, juxtapose)}", _MUL
    if tree.is_Add:
        out = ""
        for index, term in enumerate(terms(tree)):
            positive = negated(term)
            if index == 0:
                out = _wrapped(term, _ADD, juxtapose) if positive is None else "-" + _wrapped(positive, _MUL, juxtapose)
            elif positive is not None:
                out += " - " + _wrapped(positive, _MUL, juxtapose)
            else:
                out += " + " + _wrapped(term, _ADD, juxtapose)
        return out, _ADD
    if tree.is_Mul:
        positive = negated(tree) if juxtapose else None
        if positive is not None:  # -2i, as a sum writes its first term
            return "-" + _wrapped(positive, _MUL, juxtapose), _ADD
        negative, above, below = split_product(tree)
        sign = "-" if negative else ""
        texts = [_wrapped(f, _MUL + (1 if k else 0), juxtapose) for k, f in enumerate(above)]
        if juxtapose and len(above) > 1 and above[0].is_Integer and is_letter(above[1]):
            texts[:2] = [texts[0] + texts[1]]
        numerator = "*".join(texts) or "1"
        if len(above) > 1 and below:
            numerator = f"({numerator})" if any(f.is_Add for f in above) else numerator
        if not below:
            return sign + numerator, (_MUL if not sign else _ADD)
        denominator = "*".join(_wrapped(f, _POW, juxtapose) for f in below)
        if len(below) > 1:
            denominator = f"({denominator})"
        return f"{sign}{numerator}/{denominator}", (_MUL if not sign else _ADD)
    if isinstance(tree, sp.Piecewise):  # ceil_mode's last-window rule: "a, or b when c"
        *cases, (otherwise, _) = tree.args
        text = plain(otherwise, juxtapose)
        for value, condition in cases:
            text += f", or {plain(value, juxtapose)} when {_condition(condition, juxtapose)}"
        return text, _ADD - 1
    if tree.is_Pow:
        if is_reciprocal(tree):
            return f"1/{_wrapped(inverted(tree), _POW + 1, juxtapose)}", _MUL
        return f"{_wrapped(tree.base, _ATOM, juxtapose)}^{_wrapped(tree.exp, _ATOM, juxtapose)}", _POW
    return str(tree), _ATOM


_RELATIONS = {"GreaterThan": ">=", "StrictGreaterThan": ">", "LessThan": "<=", "StrictLessThan": "<",
              "Equality": "=", "Unequality": "!="}


def _condition(condition: sp.Basic, juxtapose: bool) -> str:
    if type(condition).__name__ in _RELATIONS:
        left, right = condition.args
        return f"{plain(left, juxtapose)} {_RELATIONS[type(condition).__name__]} {plain(right, juxtapose)}"
    return str(condition)


def grouped(value: sp.Expr | int) -> str:
    """An integer with thousands grouped (``4,194,304``); anything else as plain text."""
    if isinstance(value, str):  # text is never read back as a number here
        raise TypeError(f"grouped() takes a number or an expression, not text: {value!r}")
    if is_python_number(value) or is_whole(value):
        return f"{int(value):,}" if is_whole(value) else plain(value)
    return plain(to_sympy(value))


def shape_text(shape: tuple[sp.Expr | int | str, ...]) -> str:
    """``[B, 25088]``: a shape's entries with their digits ungrouped, since a comma would read as one more entry.

    An entry may be a symbol's name (the batch ``B``), written as it is.
    """
    return "[" + ", ".join(size if isinstance(size, str) else plain(size) for size in shape) + "]"


def interval_text(interval: Interval, index: sp.Symbol) -> str:
    """``16i - 62 : 16i + 77``: the two ends of one axis of a region, for neuron ``index``."""
    first, last = interval.ends(index)
    return f"{plain(first, juxtapose=True)} : {plain(last, juxtapose=True)}"


def region_text(rows: Interval, columns: Interval, axes: int = 2) -> str:
    """A region as a claims file writes it; one axis when both are alike and ``axes`` is 1."""
    text = interval_text(rows, notation.i)
    if axes == 1 and rows == columns:
        return text
    return f"{text}, {interval_text(columns, notation.j)}"


def text_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: frozenset[int]) -> list[str]:
    """A terminal table: ruled header, the rows, a closing rule; the columns in ``right`` aligned right."""
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
    rule = "=" * (sum(widths) + 2 * (len(widths) - 1))

    def line(cells: tuple[str, ...]) -> str:
        aligned = (c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in enumerate(zip(cells, widths)))
        return "  ".join(aligned).rstrip()

    return [rule, line(header), rule, *map(line, rows), rule]
