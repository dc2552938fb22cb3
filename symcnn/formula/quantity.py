"""Quantity: one named result of CNN arithmetic, as formula and expression.

``formula`` is the unevaluated tree in the textbook's term order (what the
renderer prints); ``expr`` is the same tree evaluated (what the algebra uses).
Both come from one construction, so nothing is derived twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import sympy as sp

from symcnn.formula.display import Displayable


def evaluated(tree: sp.Basic) -> sp.Expr:
    """Evaluate a tree built under ``sympy.evaluate(False)``, bottom up.

    A subtree of numbers only is computed in Python's exact integers and
    fractions: the values sympy gives, without sympy's ``Add``, whose first
    evaluation imports sympy's tensor and combinatorics modules (a quarter of
    a second), which a numeric summary never needs otherwise.
    floor, ceiling and Mod of symbolic arguments are kept as they are (after
    the one cheap simplification, an integer argument), because sympy's own
    evaluation of them queries the assumptions system at a cost of tens of
    milliseconds each, which would make a deep symbolic network slow.
    """
    return to_sympy_number(_evaluated(tree))


def _evaluated(tree: sp.Basic) -> sp.Basic | int | Fraction:
    """As :func:`evaluated`, but a subtree of numbers comes back as a Python int or Fraction."""
    if not tree.args:
        if isinstance(tree, sp.Integer):
            return int(tree)
        if isinstance(tree, sp.Rational):
            return Fraction(int(tree.p), int(tree.q))
        return tree
    args = [_evaluated(arg) for arg in tree.args]
    if all(isinstance(arg, (int, Fraction)) for arg in args):
        number = _exactly(tree.func, args)
        if number is not None:
            return number
    return _evaluated_node(tree.func, [to_sympy_number(arg) for arg in args])


def to_sympy_number(value: sp.Basic | int | Fraction) -> sp.Basic:
    """A Python int or Fraction as sympy's Integer or Rational; anything else as it is."""
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return value


def summed(terms: Iterable[sp.Expr]) -> sp.Expr:
    """The evaluated sum of ``terms``; integers are added in Python (no sympy ``Add``, see :func:`evaluated`)."""
    terms = list(terms)
    if all(isinstance(term, sp.Integer) for term in terms):
        return sp.Integer(sum(int(term) for term in terms))
    return sp.Add(*terms)


def _exactly(func: type, args: list[int | Fraction]) -> int | Fraction | None:
    """``func`` of numbers in exact Python arithmetic, as sympy computes it; None where that is not sure."""
    if func is sp.Add:
        return _whole(sum(args))
    if func is sp.Mul:
        return _whole(math.prod(args))
    if func is sp.Pow:
        base, exponent = args
        if not isinstance(exponent, int) or (base == 0 and exponent < 0):
            return None
        return _whole(Fraction(base) ** exponent if exponent < 0 else base**exponent)
    if func is sp.floor:
        return math.floor(args[0])
    if func is sp.ceiling:
        return math.ceil(args[0])
    if func is sp.Mod and args[1] != 0:
        return _whole(args[0] % args[1])
    return None


def _whole(value: int | Fraction) -> int | Fraction:
    """A Fraction that is a whole number as an int."""
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value


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
