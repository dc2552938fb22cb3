"""Building formulas as unevaluated sympy trees, in the textbook's term order.

These helpers pass ``evaluate=False`` to each node instead of using the
``sympy.evaluate(False)`` context manager, which clears sympy's cache on
entry and exit (measured: it made a 200-layer network 15 % slower by itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import sympy as sp

Value: TypeAlias = sp.Expr | int


def _expr(value: Value) -> sp.Expr:
    return sp.Integer(value) if isinstance(value, int) else value


def add(*terms: Value) -> sp.Expr:
    """``a + b + ...`` in this order."""
    return sp.Add(*map(_expr, terms), evaluate=False)


def neg(term: Value) -> sp.Expr:
    """``-a``, kept as ``(-1)·a`` so the printer writes a minus sign."""
    return sp.Mul(sp.Integer(-1), _expr(term), evaluate=False)


def sub(left: Value, *terms: Value) -> sp.Expr:
    """``a - b - ...`` in this order."""
    return add(left, *(neg(term) for term in terms))


def mul(*factors: Value) -> sp.Expr:
    """``a · b · ...`` in this order."""
    return sp.Mul(*map(_expr, factors), evaluate=False)


def div(numerator: Value, denominator: Value) -> sp.Expr:
    """``a / b``, printed as a fraction."""
    inverse = sp.Pow(_expr(denominator), sp.Integer(-1), evaluate=False)
    return sp.Mul(_expr(numerator), inverse, evaluate=False)


def power(base: Value, exponent: Value) -> sp.Expr:
    """``a^n``."""
    return sp.Pow(_expr(base), _expr(exponent), evaluate=False)


def floor(arg: Value) -> sp.Expr:
    """``⌊a⌋``."""
    return sp.floor(_expr(arg), evaluate=False)


def ceil(arg: Value) -> sp.Expr:
    """``⌈a⌉``."""
    return sp.ceiling(_expr(arg), evaluate=False)


def mod(dividend: Value, divisor: Value) -> sp.Expr:
    """``a mod b``."""
    return sp.Mod(_expr(dividend), _expr(divisor), evaluate=False)


def rebuilt(node: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
    """``node`` with new ``args``, not evaluated where sympy allows it."""
    try:
        return node.func(*args, evaluate=False)
    except TypeError:  # e.g. ExprCondPair takes no options
        return node.func(*args)


def substituted(tree: sp.Basic, values: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Put ``values`` into ``tree`` without evaluating anything (keeps ``2 · 1``)."""
    if tree in values:
        return values[tree]
    if not tree.args:
        return tree
    return rebuilt(tree, [substituted(arg, values) for arg in tree.args])
