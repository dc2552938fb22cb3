"""Exact evaluation of formulas at integer points: integers and fractions, never floats.

A sympy expression is compiled once into a Python function of a point
(symbol -> int); evaluating it costs microseconds where ``subs`` costs
milliseconds, so the checker can try hundreds of points. Every result is an
``int``, a :class:`fractions.Fraction` or a ``bool``, exact whatever its size.
A division by zero raises :class:`Undefined`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import reduce
from typing import Any

import sympy as sp

Number = int | Fraction
Point = Mapping[sp.Symbol, Any]
Compiled = Callable[[Point], object]


class Undefined(ArithmeticError):
    """The formula has no value at the point (a division by zero)."""


def compile_exact(expr: sp.Basic) -> Compiled:
    """``expr`` as a function of a point, exact (int, Fraction or bool).

    Raises:
        TypeError: a node outside the arithmetic of symcnn's formulas.
    """
    if expr.is_Integer:
        value = int(expr)
        return lambda point: value
    if expr.is_Rational:
        fraction = Fraction(int(expr.p), int(expr.q))
        return lambda point: fraction
    if expr.is_Symbol:
        return lambda point: point[expr]
    if expr is sp.true or expr is sp.false:
        truth = bool(expr)
        return lambda point: truth
    if isinstance(expr, sp.Piecewise):
        pieces = [(compile_exact(value), compile_exact(condition)) for value, condition in expr.args]
        return lambda point: next(value(point) for value, condition in pieces if condition(point))
    args = [compile_exact(arg) for arg in expr.args]
    if expr.is_Add:
        return lambda point: sum(arg(point) for arg in args)  # type: ignore[misc]
    if expr.is_Mul:
        return lambda point: reduce(operator.mul, (arg(point) for arg in args), 1)
    if expr.is_Pow:
        if not expr.exp.is_Integer:
            raise TypeError(f"a power with exponent {expr.exp}")
        base, exponent = args[0], int(expr.exp)
        return lambda point: _power(base(point), exponent)  # type: ignore[arg-type]
    if isinstance(expr, (sp.floor, sp.ceiling)):
        rounding = math.floor if isinstance(expr, sp.floor) else math.ceil
        (inner,) = args
        return lambda point: rounding(inner(point))  # type: ignore[call-overload]
    if isinstance(expr, sp.Mod):
        dividend, divisor = args
        return lambda point: _mod(dividend(point), divisor(point))  # type: ignore[arg-type]
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        return lambda point: pick(arg(point) for arg in args)  # type: ignore[type-var]
    if isinstance(expr, sp.Rel):
        compare = _RELATIONS[type(expr)]
        left, right = args
        return lambda point: compare(left(point), right(point))
    if isinstance(expr, sp.And):
        return lambda point: all(arg(point) for arg in args)
    if isinstance(expr, sp.Or):
        return lambda point: any(arg(point) for arg in args)
    if isinstance(expr, sp.Not):
        (inner,) = args
        return lambda point: not inner(point)
    raise TypeError(f"cannot evaluate {type(expr).__name__} exactly")


def _power(base: Number, exponent: int) -> Number:
    if exponent >= 0:
        return base**exponent
    if base == 0:
        raise Undefined("division by zero")
    return Fraction(1) / Fraction(base) ** -exponent


def _mod(dividend: Number, divisor: Number) -> Number:
    if divisor == 0:
        raise Undefined("division by zero")
    return dividend % divisor


_RELATIONS: dict[type, Callable[[Any, Any], Any]] = {
    sp.Eq: operator.eq,
    sp.Ne: operator.ne,
    sp.Ge: operator.ge,
    sp.Gt: operator.gt,
    sp.Le: operator.le,
    sp.Lt: operator.lt,
}


def as_sympy(value: object) -> sp.Expr:
    """An exact value back as a sympy number."""
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, bool):
        return sp.true if value else sp.false
    return sp.Integer(value)
