"""Turning layer arguments (int, sympy expression, symbol name) into sympy."""

from __future__ import annotations

from typing import Union

import sympy as sp

from .errors import ExpressionError, LayerError
from .expr import parse_expression

Arg = Union[int, sp.Expr, str]
Pair = Union[Arg, tuple[Arg, Arg], list[Arg]]


def as_expr(value: Arg, owner: str, arg: str) -> sp.Expr:
    """One hyperparameter as a sympy expression; strings go through symcnn's parser.

    Raises:
        LayerError: a float, bool or other type, or an unparsable string.
    """
    if isinstance(value, bool) or not isinstance(value, (int, sp.Expr, str)):
        raise LayerError(
            f"{owner}: {arg} must be an integer, a symbol name or an expression, "
            f"got {value!r}"
        )
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, str):
        try:
            return parse_expression(value)
        except ExpressionError as error:
            raise LayerError(f"{owner}: {arg}: {error}") from None
    return value


def as_pair(value: Pair, owner: str, arg: str) -> tuple[sp.Expr, sp.Expr]:
    """A (height, width) pair, as torch reads ``kernel_size=3`` or ``(3, 5)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise LayerError(f"{owner}: {arg} must be one value or two (height, width), got {value!r}")
        return as_expr(value[0], owner, arg), as_expr(value[1], owner, arg)
    single = as_expr(value, owner, arg)
    return single, single


def require(value: sp.Expr, owner: str, arg: str, *, minimum: int) -> None:
    """Refuse a number below ``minimum`` (symbols carry their own assumptions)."""
    if value.is_number and (not value.is_integer or value < minimum):
        bound = "positive" if minimum == 1 else "nonnegative"
        raise LayerError(f"{owner}: {arg} must be a {bound} integer, got {value}")
    if value.is_number is False and value.is_integer is False:
        raise LayerError(f"{owner}: {arg} must be an integer expression, got {value}")


def decided(condition: sp.Basic) -> bool | None:
    """True or False when sympy can decide ``condition``; None when it depends on symbols."""
    if condition in (sp.true, sp.false):
        return bool(condition)
    return None
