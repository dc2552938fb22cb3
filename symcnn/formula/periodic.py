"""Quasi-affine sizes: exact integer evaluation, slope and period of a size formula.

Every spatial size of a CNN on an input of size X is built from X by adding
constants, multiplying by rationals and rounding (floor, ceil, mod, and
torch's ceil-mode piecewise rule). Such a function s has a slope r and a
period p with

    s(X + L) = s(X) + r·L   for every integer X and every multiple L of p,

which holds for *every* X, not only large ones: ``floor(e(X + L)) =
floor(e(X) + r·L) = floor(e(X)) + r·L`` as soon as ``r·L`` is an integer.
:mod:`symcnn.cnn.validity` builds its proofs on this lemma: a condition between
sizes is then an arithmetic progression along each residue class of X
modulo L, decided exactly by its first term and its step.

:func:`compiled` turns one formula into a closure over exact arithmetic
(Python ints, a ``Fraction`` only where a value is not whole; no float, no
sympy call per evaluation) with its slope and
period; a formula outside this family raises :class:`NotPeriodic`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

Number = int | Fraction
"""An exact value: an int wherever it is whole (cheaper than a Fraction)."""
Env = dict[sp.Symbol, Number]


class NotPeriodic(Exception):
    """A formula that is not quasi-affine in the input size (e.g. a product of two sizes)."""


@dataclass(frozen=True)
class Periodic:
    """A compiled formula: ``value(env)``, its slope in X and its period."""

    value: Callable[[Env], Number]
    slope: Fraction
    period: int


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def _integral_period(slope: Fraction, period: int) -> int:
    """The least multiple L of ``period`` with ``slope·L`` an integer."""
    return period * (slope * period).denominator


def compiled(expr: sp.Basic, known: Mapping[sp.Symbol, Periodic]) -> Periodic:
    """Compile ``expr``; its symbols must be in ``known`` (the input size is slope 1, period 1).

    Raises:
        NotPeriodic: a node outside + · floor ceil mod Piecewise, or a symbol not in ``known``.
    """
    if isinstance(expr, (sp.Integer, sp.Rational)):
        constant = _whole(Fraction(int(expr.p), int(expr.q)))
        return Periodic(lambda env: constant, Fraction(0), 1)
    if isinstance(expr, sp.Symbol):
        if expr not in known:
            raise NotPeriodic(f"{expr} is not a size of this axis")
        entry = known[expr]
        return Periodic(lambda env: env[expr], entry.slope, entry.period)
    if isinstance(expr, sp.Add):
        parts = [compiled(arg, known) for arg in expr.args]
        values = [p.value for p in parts]
        return Periodic(lambda env: sum([value(env) for value in values]),
                        sum((p.slope for p in parts), Fraction(0)), math.lcm(*(p.period for p in parts)))
    if isinstance(expr, sp.Mul):
        return _product(expr, known)
    if isinstance(expr, (sp.floor, sp.ceiling)):
        inner = compiled(expr.args[0], known)
        rounding = math.floor if isinstance(expr, sp.floor) else math.ceil
        return Periodic(lambda env: rounding(inner.value(env)), inner.slope,
                        _integral_period(inner.slope, inner.period))
    if isinstance(expr, sp.Mod):
        dividend, divisor = (compiled(arg, known) for arg in expr.args)
        if divisor.slope != 0:
            raise NotPeriodic(f"{expr}: the divisor depends on the input size")
        modulus = divisor.value({})
        steps = _integral_period(dividend.slope / modulus, dividend.period)  # slope·L a multiple of the modulus
        return Periodic(lambda env: dividend.value(env) % modulus, Fraction(0), steps)
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr, known)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.base.is_Number:
        return compiled(sp.Rational(expr.base) ** int(expr.exp), known)
    raise NotPeriodic(f"{expr}: {type(expr).__name__} is not a size formula symcnn can decide")


def _product(expr: sp.Mul, known: Mapping[sp.Symbol, Periodic]) -> Periodic:
    """A product with at most one factor that depends on the input size."""
    parts = [compiled(arg, known) for arg in expr.args]
    varying = [p for p in parts if p.slope != 0 or p.period != 1]
    if len(varying) > 1:
        raise NotPeriodic(f"{expr}: a product of two sizes is not quasi-affine")
    constant = _whole(math.prod((Fraction(p.value({})) for p in parts if p not in varying), start=Fraction(1)))
    if not varying:
        return Periodic(lambda env: constant, Fraction(0), 1)
    (factor,) = varying
    return Periodic(lambda env: constant * factor.value(env), constant * factor.slope, factor.period)


def condition(relation: sp.Basic, known: Mapping[sp.Symbol, Periodic]) -> tuple[Periodic, str]:
    """A relation ``a ⋈ b`` as the compiled difference ``a - b`` and the operator (>=, >, ==, <=, <, !=)."""
    if not isinstance(relation, (sp.Ge, sp.Gt, sp.Le, sp.Lt, sp.Eq, sp.Ne)):
        raise NotPeriodic(f"{relation}: not a comparison")
    difference = compiled(sp.Add(relation.lhs, -relation.rhs, evaluate=False), known)
    return difference, relation.rel_op


def _whole(value: Fraction) -> Number:
    """A whole Fraction as an int."""
    return value.numerator if value.denominator == 1 else value


_TESTS: dict[str, Callable[[Number], bool]] = {
    ">=": lambda d: d >= 0, ">": lambda d: d > 0, "<=": lambda d: d <= 0,
    "<": lambda d: d < 0, "==": lambda d: d == 0, "!=": lambda d: d != 0,
}


def holds(operator: str, difference: Number) -> bool:
    """Whether ``difference ⋈ 0``."""
    return _TESTS[operator](difference)


def _piecewise(expr: sp.Piecewise, known: Mapping[sp.Symbol, Periodic]) -> Periodic:
    """torch's ceil-mode rule: branches of one slope, chosen by periodic conditions."""
    branches = []
    for formula, when in expr.args:
        branch = compiled(formula, known)
        test = None if when is sp.true else condition(when, known)
        if test is not None and test[0].slope != 0:
            raise NotPeriodic(f"{when}: a condition that changes with the input size only once")
        branches.append((branch, test))
    slopes = {branch.slope for branch, _ in branches}
    if len(slopes) != 1:
        raise NotPeriodic(f"{expr}: branches of different slopes")
    periods = [b.period for b, _ in branches] + [t[0].period for _, t in branches if t is not None]

    def value(env: Env) -> Number:
        for branch, test in branches:
            if test is None or holds(test[1], test[0].value(env)):
                return branch.value(env)
        raise NotPeriodic(f"{expr}: no branch applies")

    return Periodic(value, slopes.pop(), math.lcm(*periods))


def lcm(numbers: list[int]) -> int:
    """Least common multiple (1 for none)."""
    result = 1
    for number in numbers:
        result = _lcm(result, number)
    return result
