"""Turning layer arguments (int, sympy expression, symbol name) into sympy."""

from __future__ import annotations

from typing import TypeAlias

import sympy as sp

from symcnn.errors import ExpressionError, LayerError
from symcnn.formula.expr import to_sympy

Arg: TypeAlias = int | sp.Expr | str
Pair: TypeAlias = Arg | tuple[Arg, Arg] | list[Arg]


def as_expr(value: Arg, owner: str, arg: str) -> sp.Expr:
    """One hyperparameter as a sympy expression; strings go through symcnn's parser.

    Raises:
        LayerError: a float, bool or other type, or an unparsable string.
    """
    try:
        return to_sympy(value)  # the one converter; this says which layer and argument
    except TypeError:
        raise LayerError(f"{owner}: {arg} must be an integer, a symbol name or an expression, got {value!r}") from None
    except ExpressionError as error:
        raise LayerError(f"{owner}: {arg}: {error}") from None


def as_pair(value: Pair, owner: str, arg: str) -> tuple[sp.Expr, sp.Expr]:
    """A (height, width) pair, as torch reads ``kernel_size=3`` or ``(3, 5)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise LayerError(f"{owner}: {arg} must be one value or two (height, width), got {value!r}")
        return as_expr(value[0], owner, arg), as_expr(value[1], owner, arg)
    single = as_expr(value, owner, arg)
    return single, single


def as_tuple(value: Pair, rank: int, owner: str, arg: str) -> tuple[sp.Expr, ...]:
    """One value per spatial axis, as torch reads ``kernel_size=3`` or ``(3, 5)`` (``rank`` values)."""
    if rank == 2:
        return as_pair(value, owner, arg)
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise LayerError(f"{owner}: {arg} must be one value or {rank}, got {value!r}")
        return tuple(as_expr(v, owner, arg) for v in value)
    return (as_expr(value, owner, arg),) * rank


def require(value: sp.Expr, owner: str, arg: str, *, minimum: int) -> None:
    """Refuse a number below ``minimum`` (symbols carry their own assumptions)."""
    if value.is_number and (not value.is_integer or value < minimum):
        bound = "positive" if minimum == 1 else "nonnegative"
        raise LayerError(f"{owner}: {arg} must be a {bound} integer, got {value}")
    if value.is_number is False and value.is_integer is False:
        raise LayerError(f"{owner}: {arg} must be an integer expression, got {value}")


def bounds(expr: sp.Expr) -> tuple[sp.Expr | None, sp.Expr | None]:
    """Cheap, sound (lower, upper) bounds of a polynomial in the notation's symbols.

    Each term c·x·y·… of positive (nonnegative) integer symbols is at least c
    (0) when c > 0 and at most c (0) when c < 0; None where no bound follows.
    Avoids sympy's assumption queries, which cost milliseconds per call.
    """
    low: sp.Expr | None = sp.Integer(0)
    high: sp.Expr | None = sp.Integer(0)
    for term in sp.Add.make_args(expr):
        coefficient, factors = term.as_coeff_Mul()
        if factors == 1:
            low = None if low is None else low + coefficient
            high = None if high is None else high + coefficient
            continue
        if not all(s.is_Symbol and s.is_integer and s.is_nonnegative for s in sp.Mul.make_args(factors)):
            return None, None
        least = coefficient if all(s.is_positive for s in sp.Mul.make_args(factors)) else 0
        if coefficient > 0:
            low, high = (None if low is None else low + least), None
        else:
            low, high = None, (None if high is None else high + least)
    return low, high


def _difference(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    """``left - right`` with products of sums multiplied out."""
    return _multiplied_out(left - right)


def _multiplied_out(expr: sp.Expr) -> sp.Expr:
    """``expr`` with products of sums multiplied out (cheaper than ``expand``)."""
    if not any(t.is_Mul and any(f.is_Add for f in t.args) for t in sp.Add.make_args(expr)):
        return expr
    return sp.expand(expr)


def at_least(left: sp.Expr, right: sp.Expr) -> bool | None:
    """Is ``left >= right``: True, False, or None when it depends on the symbols."""
    return nonnegative(left - right)


def nonnegative(expr: sp.Expr) -> bool | None:
    """Is ``expr >= 0``: True, False, or None when it depends on the symbols."""
    difference = _multiplied_out(expr)
    if difference.is_Number:
        return bool(difference >= 0)
    low, high = bounds(difference)
    if low is not None and low >= 0:
        return True
    if high is not None and high < 0:
        return False
    return None


def equal(left: sp.Expr, right: sp.Expr) -> bool | None:
    """Is ``left == right``: True, False, or None when it depends on the symbols."""
    difference = _difference(left, right)
    if difference.is_Number:
        return bool(difference == 0)
    return None


def divides(divisor: sp.Expr, count: sp.Expr) -> bool | None:
    """Does ``divisor`` divide ``count``: None when either is symbolic."""
    if divisor == 1:
        return True
    if divisor.is_Number and count.is_Number:
        return bool(count % divisor == 0)
    return None
