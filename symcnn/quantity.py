"""Quantity: one named result of CNN arithmetic, as formula and expression.

``formula`` is the unevaluated tree in the textbook's term order (what the
renderer prints); ``expr`` is the same tree evaluated (what the algebra uses).
Both come from one construction, so nothing is derived twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp


def evaluated(tree: sp.Basic) -> sp.Expr:
    """Evaluate a tree built under ``sympy.evaluate(False)``, bottom up."""
    if not tree.args:
        return tree
    return tree.func(*(evaluated(arg) for arg in tree.args))


def substituted(tree: sp.Basic, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Put ``values`` into ``tree`` without evaluating anything (keeps ``2 · 1``)."""
    with sp.evaluate(False):
        return tree.xreplace(dict(values))


def value_of(expr: sp.Expr, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with ``values`` bound and evaluated (``xreplace``, never ``subs``)."""
    return evaluated(expr.xreplace(dict(values)))


@dataclass(frozen=True)
class Quantity:
    """A named quantity of a layer or network.

    Attributes:
        key: the vocabulary name, e.g. ``"output_width"`` or ``"params"``.
        title: what a reader calls it, e.g. ``"Output width"``.
        lhs: the LaTeX left-hand side, e.g. ``"W_{out}"`` or ``"|\\theta|"``.
        formula: the unevaluated sympy tree, in the formula's term order.
        symbol: the symbol this quantity defines (``W_out``), if any.
    """

    key: str
    title: str
    lhs: str
    formula: sp.Expr
    symbol: sp.Symbol | None = None
    expr: sp.Expr = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expr", evaluated(self.formula))

    def value(self, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
        """The quantity with ``values`` bound and evaluated."""
        return value_of(self.expr, values)

    def _repr_latex_(self) -> str:
        from .steps import latex

        return f"$\\displaystyle {self.lhs} = {latex(self.formula)}$"

    def _repr_markdown_(self) -> str:
        return f"**{self.title}**: {self._repr_latex_()}"
