"""Turning layer arguments (int, sympy expression, symbol name) into sympy."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, TypeAlias

from symcnn.errors import ExpressionError, LayerError
from symcnn.formula.expr import to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_literal, is_number, is_python_number, is_whole
from symcnn.formula.sizes import equal_sizes, is_size

if TYPE_CHECKING:
    Arg: TypeAlias = int | sp.Expr | str
else:  # what the spec reader resolves from the layers' annotations: sympy's Expr changes none of its checks
    Arg = int | str
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
    if type(value) is int and value >= minimum:
        return  # the usual argument
    if is_number(value) and (not is_whole(value) or value < minimum):
        bound = "positive" if minimum == 1 else "nonnegative"
        raise LayerError(f"{owner}: {arg} must be a {bound} integer, got {value}")
    if not is_number(value) and value.is_integer is False:
        raise LayerError(f"{owner}: {arg} must be an integer expression, got {value}")


def bounds(expr: sp.Expr) -> tuple[int | Fraction | None, int | Fraction | None]:
    """Cheap, sound (lower, upper) bounds of a polynomial in the notation's symbols.

    Each term c·x·y·… of positive (nonnegative) integer symbols is at least c
    (0) when c > 0 and at most c (0) when c < 0; None where no bound follows.
    Avoids sympy's assumption queries, which cost milliseconds per call, and
    its arithmetic: the bounds are Python numbers.
    """
    low: int | Fraction | None = 0
    high: int | Fraction | None = 0
    for term in sp.Add.make_args(expr):
        coefficient, factors = term.as_coeff_Mul()
        if not coefficient.is_Rational:
            return None, None
        c = int(coefficient.p) if coefficient.q == 1 else Fraction(int(coefficient.p), int(coefficient.q))
        if factors == 1:
            low = None if low is None else low + c
            high = None if high is None else high + c
            continue
        symbols = sp.Mul.make_args(factors)
        if not all(s.is_Symbol and s.is_integer and s.is_nonnegative for s in symbols):
            return None, None
        least = c if all(s.is_positive for s in symbols) else 0
        if c > 0:
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
    if is_size(left) or is_size(right):
        return None  # the periodic reading: kept as a condition, decided for every size at once
    return nonnegative(left - right)


def nonnegative(expr: sp.Expr) -> bool | None:
    """Is ``expr >= 0``: True, False, or None when it depends on the symbols."""
    if is_python_number(expr):
        return bool(expr >= 0)
    if is_size(expr):
        return None
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
    if is_python_number(left) and is_python_number(right):
        return bool(left == right)
    if is_size(left) or is_size(right):
        return equal_sizes(left, right)
    difference = _difference(left, right)
    if difference.is_Number:
        return bool(difference == 0)
    return None


def divides(divisor: sp.Expr, count: sp.Expr) -> bool | None:
    """Does ``divisor`` divide ``count``: None when either is symbolic."""
    if divisor == 1:
        return True
    if is_size(divisor) or is_size(count):
        return None
    if is_literal(divisor) and is_literal(count):
        return bool(count % divisor == 0)
    return None
