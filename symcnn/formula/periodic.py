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
from fractions import Fraction
from typing import Any, NamedTuple

from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import whole

Number = int | Fraction
"""An exact value: an int wherever it is whole (cheaper than a Fraction)."""
Env = dict[Any, Number]
"""Each named size (a sympy symbol, or a :class:`~symcnn.formula.sizes.Named`) with its value."""


class NotPeriodic(Exception):
    """A formula that is not quasi-affine in the input size (e.g. a product of two sizes)."""


class Periodic(NamedTuple):
    """A compiled formula: ``value(env)``, its slope in X and its period (a tuple: made for every node)."""

    value: Callable[[Env], Number]
    slope: Number
    period: int


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def integral_period(slope: Number, period: int) -> int:
    """The least multiple L of ``period`` with ``slope·L`` an integer."""
    return period * (slope * period).denominator


def looked_up(key: Any, slope: Number = 1, period: int = 1) -> Periodic:
    """The value an evaluation's environment holds for ``key`` (a size named before), of that slope and period."""
    return Periodic(lambda env: env[key], slope, period)


def constant(value: Number) -> Periodic:
    """A number: slope 0, period 1."""
    return Periodic(lambda env: value, 0, 1)


def added(parts: list[Periodic]) -> Periodic:
    """The sum of ``parts``."""
    values = [p.value for p in parts]
    return Periodic(lambda env: sum([value(env) for value in values]),
                    whole(sum(p.slope for p in parts)), math.lcm(*(p.period for p in parts)))


def scaled(factor: Number, part: Periodic) -> Periodic:
    """``factor`` times ``part``."""
    inner = part.value
    return Periodic(lambda env: factor * inner(env), whole(factor * part.slope), part.period)


def rounded(inner: Periodic, up: bool) -> Periodic:
    """floor (or ceil, ``up``) of ``inner``."""
    rounding = math.ceil if up else math.floor
    value = inner.value
    return Periodic(lambda env: rounding(value(env)), inner.slope, integral_period(inner.slope, inner.period))


def remainder(dividend: Periodic, modulus: Number) -> Periodic:
    """``dividend mod modulus``, a number modulus."""
    steps = integral_period(Fraction(dividend.slope) / modulus, dividend.period)  # slope·L a multiple of the modulus
    value = dividend.value
    return Periodic(lambda env: value(env) % modulus, 0, steps)


def compiled(expr: sp.Basic, known: Mapping[sp.Symbol, Periodic]) -> Periodic:
    """Compile ``expr``; its symbols must be in ``known`` (the input size is slope 1, period 1).

    Raises:
        NotPeriodic: a node outside + · floor ceil mod Piecewise, or a symbol not in ``known``.
    """
    if isinstance(expr, (sp.Integer, sp.Rational)):
        return constant(whole(Fraction(int(expr.p), int(expr.q))))
    if isinstance(expr, sp.Symbol):
        if expr not in known:
            raise NotPeriodic(f"{expr} is not a size of this axis")
        entry = known[expr]
        return looked_up(expr, entry.slope, entry.period)
    if isinstance(expr, sp.Add):
        return added([compiled(arg, known) for arg in expr.args])
    if isinstance(expr, sp.Mul):
        return _product(expr, known)
    if isinstance(expr, (sp.floor, sp.ceiling)):
        return rounded(compiled(expr.args[0], known), isinstance(expr, sp.ceiling))
    if isinstance(expr, sp.Mod):
        dividend, divisor = (compiled(arg, known) for arg in expr.args)
        if divisor.slope != 0:
            raise NotPeriodic(f"{expr}: the divisor depends on the input size")
        return remainder(dividend, divisor.value({}))
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
    factor = whole(math.prod((Fraction(p.value({})) for p in parts if p not in varying), start=Fraction(1)))
    return scaled(factor, varying[0]) if varying else constant(factor)


def condition(relation: sp.Basic, known: Mapping[sp.Symbol, Periodic]) -> tuple[Periodic, str]:
    """A relation ``a ⋈ b`` as the compiled difference ``a - b`` and the operator (>=, >, ==, <=, <, !=)."""
    if not isinstance(relation, (sp.Ge, sp.Gt, sp.Le, sp.Lt, sp.Eq, sp.Ne)):
        raise NotPeriodic(f"{relation}: not a comparison")
    difference = compiled(sp.Add(relation.lhs, -relation.rhs, evaluate=False), known)
    return difference, relation.rel_op


_TESTS: dict[str, Callable[[Number], bool]] = {
    ">=": lambda d: d >= 0, ">": lambda d: d > 0, "<=": lambda d: d <= 0,
    "<": lambda d: d < 0, "==": lambda d: d == 0, "!=": lambda d: d != 0,
}


def holds(operator: str, difference: Number) -> bool:
    """Whether ``difference ⋈ 0``."""
    return _TESTS[operator](difference)


def _piecewise(expr: sp.Piecewise, known: Mapping[sp.Symbol, Periodic]) -> Periodic:
    """torch's ceil-mode rule: branches of one slope, chosen by periodic conditions."""
    branches = [(compiled(formula, known), None if when is sp.true else condition(when, known))
                for formula, when in expr.args]
    try:
        return chosen(branches)
    except NotPeriodic as error:
        raise NotPeriodic(f"{expr}: {error}") from None


def chosen(branches: list[tuple[Periodic, tuple[Periodic, str] | None]]) -> Periodic:
    """The first branch whose condition (a difference and its operator; None: always) holds.

    Raises:
        NotPeriodic: a condition that depends on the input size, or branches of different slopes.
    """
    for _, test in branches:
        if test is not None and test[0].slope != 0:
            raise NotPeriodic("a condition that changes with the input size only once")
    slopes = {branch.slope for branch, _ in branches}
    if len(slopes) != 1:
        raise NotPeriodic("branches of different slopes")
    periods = [b.period for b, _ in branches] + [t[0].period for _, t in branches if t is not None]

    def value(env: Env) -> Number:
        for branch, test in branches:
            if test is None or holds(test[1], test[0].value(env)):
                return branch.value(env)
        raise NotPeriodic("no branch applies")

    return Periodic(value, slopes.pop(), math.lcm(*periods))


def lcm(numbers: list[int]) -> int:
    """Least common multiple (1 for none)."""
    result = 1
    for number in numbers:
        result = _lcm(result, number)
    return result
