"""Plain-text formulas: what a terminal, a JSON file or a claims file shows.

The same term order as :mod:`symcnn.steps` prints in LaTeX (an unevaluated
tree keeps the textbook's order), in ASCII that symcnn's restricted parser
reads back: ``(K_1*K_2*C_in + 1)*C_out``, ``floor((W + 2*P - K_1)/S) + 1``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from .expr import to_sympy
from .steps import _factors, _is_reciprocal, _negated, _terms

if TYPE_CHECKING:
    from .receptive_field import Interval

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4


def plain(tree: sp.Basic) -> str:
    """``tree`` as ASCII text in its own term order."""
    return _print(tree)[0]


def _wrapped(tree: sp.Basic, level: int) -> str:
    """``tree`` printed, in parentheses when it binds looser than ``level``."""
    text, own = _print(tree)
    return f"({text})" if own < level else text


def _print(tree: sp.Basic) -> tuple[str, int]:
    if isinstance(tree, sp.Integer):
        return str(int(tree)), (_ATOM if tree >= 0 else _ADD)
    if isinstance(tree, sp.Rational):
        return f"{tree.p}/{tree.q}", _MUL
    if tree.is_Symbol:
        return tree.name, _ATOM
    if isinstance(tree, sp.floor):
        return f"floor({plain(tree.args[0])})", _ATOM
    if isinstance(tree, sp.ceiling):
        return f"ceil({plain(tree.args[0])})", _ATOM
    if isinstance(tree, sp.Mod):
        return f"{_wrapped(tree.args[0], _POW)} mod {_wrapped(tree.args[1], _POW)}", _MUL
    if tree.is_Add:
        out = ""
        for index, term in enumerate(_terms(tree)):
            negated = _negated(term)
            if index == 0:
                out = _wrapped(term, _ADD) if negated is None else "-" + _wrapped(negated, _MUL)
            elif negated is not None:
                out += " - " + _wrapped(negated, _MUL)
            else:
                out += " + " + _wrapped(term, _ADD)
        return out, _ADD
    if tree.is_Mul:
        factors = list(_factors(tree))
        sign = "-" if factors.count(sp.S.NegativeOne) % 2 else ""
        factors = [f for f in factors if f != sp.S.NegativeOne]
        above = [f for f in factors if not _is_reciprocal(f)]
        below = [
            f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False)
            for f in factors
            if _is_reciprocal(f)
        ]
        numerator = "*".join(_wrapped(f, _MUL + (1 if k else 0)) for k, f in enumerate(above)) or "1"
        if len(above) > 1 and below:
            numerator = f"({numerator})" if any(f.is_Add for f in above) else numerator
        if not below:
            return sign + numerator, (_MUL if not sign else _ADD)
        denominator = "*".join(_wrapped(f, _POW) for f in below)
        if len(below) > 1:
            denominator = f"({denominator})"
        return f"{sign}{numerator}/{denominator}", (_MUL if not sign else _ADD)
    if tree.is_Pow:
        if _is_reciprocal(tree):
            below = tree.base if tree.exp == -1 else sp.Pow(tree.base, -tree.exp, evaluate=False)
            return f"1/{_wrapped(below, _POW + 1)}", _MUL
        return f"{_wrapped(tree.base, _ATOM)}^{_wrapped(tree.exp, _ATOM)}", _POW
    return str(tree), _ATOM


def grouped(value: sp.Expr | int) -> str:
    """An integer with thousands grouped (``4,194,304``); anything else as plain text."""
    if isinstance(value, str):  # text is never read back as a number here
        raise TypeError(f"grouped() takes a number or an expression, not text: {value!r}")
    value = to_sympy(value)
    return f"{int(value):,}" if value.is_Integer else plain(value)


def interval_text(jump: sp.Expr, first: sp.Expr, last: sp.Expr, index: str) -> str:
    """``16i - 62 : 16i + 77``: the two ends of one axis of a region."""
    moving = index if jump == 1 else f"{plain(jump)}{index}"

    def end(offset: sp.Expr) -> str:
        if offset == 0:
            return moving
        return f"{moving} - {plain(-offset)}" if offset < 0 else f"{moving} + {plain(offset)}"

    return f"{end(first)} : {end(last)}"


def region_text(rows: Interval, columns: Interval, axes: int = 2) -> str:
    """A region as a claims file writes it; one axis when both are alike and ``axes`` is 1."""
    text = interval_text(rows.jump, rows.first, rows.last, "i")
    if axes == 1 and rows == columns:
        return text
    return f"{text}, {interval_text(columns.jump, columns.first, columns.last, 'j')}"
