"""Quantity: one named result of CNN arithmetic, as formula and expression.

``formula`` is the unevaluated tree in the textbook's term order (what the
renderer prints); ``expr`` is the same tree evaluated (what the algebra uses).
Both come from one construction, so nothing is derived twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from symcnn.formula.display import Displayable
from symcnn.formula.trees import substituted  # noqa: F401  (re-exported: the step engine's entry)


def evaluated(tree: sp.Basic) -> sp.Expr:
    """Evaluate a tree built under ``sympy.evaluate(False)``, bottom up.

    floor, ceiling and Mod of symbolic arguments are kept as they are (after
    the one cheap simplification, an integer argument), because sympy's own
    evaluation of them queries the assumptions system at a cost of tens of
    milliseconds each, which would make a deep symbolic network slow.
    """
    if not tree.args:
        return tree
    return _evaluated_node(tree.func, [evaluated(arg) for arg in tree.args])


def _evaluated_node(func: type, args: list[sp.Expr]) -> sp.Expr:
    if issubclass(func, _ROUNDING) and not all(arg.is_Number for arg in args):
        return _rounded_symbolically(func, args)
    return func(*args)


_ROUNDING = (sp.floor, sp.ceiling, sp.Mod)


def _rounded_symbolically(func: type, args: list[sp.Expr]) -> sp.Expr:
    if func is sp.Mod:
        dividend, divisor = args
        return sp.Integer(0) if divisor == 1 else sp.Mod(dividend, divisor, evaluate=False)
    (arg,) = args
    if sp.fraction(arg)[1] == 1 and arg.is_integer:
        return arg
    return func(arg, evaluate=False)


def value_of(expr: sp.Expr, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """An evaluated ``expr`` with ``values`` bound (never ``subs``).

    Like ``xreplace`` followed by :func:`evaluated`, but only the nodes above
    a replaced symbol are rebuilt: binding a few symbols in a network's
    1,000-term total costs one walk, not a rebuild.
    """

    def walk(node: sp.Basic) -> sp.Basic:
        if node in values:
            return values[node]
        if not node.args:
            return node
        args = [walk(arg) for arg in node.args]
        if all(new is old for new, old in zip(args, node.args)):
            return node
        return _evaluated_node(node.func, args)

    return walk(expr)


def bind(definitions: Mapping[sp.Symbol, sp.Expr], values: Mapping[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
    """``values`` plus each defined symbol (``W_out``, ``W_3``) whose value comes out a number, in order.

    A symbol whose value stays an expression keeps its name: binding the
    expression would nest every definition below it.
    """
    bound = dict(values)
    for sym, expr in definitions.items():
        value = value_of(expr, bound)
        if value.is_Number:
            bound[sym] = value
    return bound


@dataclass(frozen=True, repr=False)
class Quantity(Displayable):
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

    @classmethod
    def defining(cls, key: str, title: str, lhs: str, formula: sp.Expr, symbol: sp.Symbol) -> Quantity:
        """A quantity that names its value ``symbol``, unless the value is a number or a symbol."""
        expr = evaluated(formula)
        quantity = cls(key, title, lhs, formula, None if expr.is_Atom else symbol)
        quantity.__dict__["expr"] = expr  # the slot of the cached property below: evaluate once
        return quantity

    @cached_property
    def expr(self) -> sp.Expr:
        """The formula evaluated: what the algebra compares and sums."""
        return evaluated(self.formula)

    def value(self, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
        """The quantity with ``values`` bound and evaluated."""
        return value_of(self.expr, values)
