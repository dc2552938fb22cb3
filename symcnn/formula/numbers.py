"""Values in either reading: Python ints and Fractions (the numeric reading), or sympy expressions.

The numeric reading (:func:`numeric_reading`) keeps every number a Python
int (a Fraction where a value is not whole), so a network of numbers is
analysed and summarised without sympy. These predicates read a value the same
way in both readings, :func:`exactly` computes a node of numbers as sympy
would, and this module imports no sympy (it names it through
:mod:`symcnn.formula.lazy`, for :func:`number` in the sympy reading).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from symcnn.formula.lazy import sympy as sp


class NotNumeric(Exception):
    """A symbol or an expression met in the numeric reading: the work is for the sympy reading."""


PYTHON_TYPES = frozenset({int, Fraction})
"""The types of the numeric reading's numbers (``type(value) in PYTHON_TYPES``, where a call per node would show)."""

NUMERIC: ContextVar[bool] = ContextVar("symcnn_numeric_reading", default=False)
"""True in the numeric reading (read ``NUMERIC.get()`` where a function call per node would show)."""


@contextmanager
def setting(variable: ContextVar[bool], value: bool) -> Iterator[None]:
    """``variable`` set to ``value`` within this block, and back to what it was after it (also on an error)."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def numeric_reading() -> AbstractContextManager[None]:
    """Within this block a number given as an int stays a Python int (:func:`number`): no sympy is needed."""
    return setting(NUMERIC, True)


def symbolic_reading() -> AbstractContextManager[None]:
    """Within this block numbers are sympy's again (a proof the numeric reading leaves to sympy)."""
    return setting(NUMERIC, False)


def reading_of(value: Any) -> AbstractContextManager[None]:
    """The reading ``value`` was made in, to compute more from it in (a Python number: the numeric one)."""
    return numeric_reading() if is_python_number(value) else nullcontext()


def numeric() -> bool:
    """Whether this is the numeric reading (inside :func:`numeric_reading`)."""
    return NUMERIC.get()


def number(value: int) -> Any:
    """The integer ``value`` as this reading keeps numbers: a Python int, or else sympy's Integer."""
    return value if NUMERIC.get() else sp.Integer(value)


def is_python_number(value: Any) -> bool:
    """A Python int or Fraction (not a bool).

    The type itself is compared: ``isinstance`` against ``Fraction``, an ABC, costs
    ten times more, on every node of the symbolic readings.
    """
    return type(value) in PYTHON_TYPES


def is_number(value: Any) -> bool:
    """A number, Python's or sympy's: no symbol in it."""
    return type(value) in PYTHON_TYPES or bool(value.is_number)


def is_literal(value: Any) -> bool:
    """A number as one atom: Python's, or sympy's ``Number`` (not a numeric expression such as ``2 + 3``)."""
    return type(value) in PYTHON_TYPES or bool(getattr(value, "is_Number", False))


def is_whole(value: Any) -> bool:
    """A whole number, Python's int or sympy's Integer."""
    return type(value) is int or bool(getattr(value, "is_Integer", False))


def is_atom(value: Any) -> bool:
    """A number or a symbol: what needs no name of its own."""
    return type(value) in PYTHON_TYPES or bool(value.is_Atom)


def symbols_of(value: Any) -> frozenset[Any]:
    """The symbols in ``value`` (none in a Python number)."""
    return frozenset() if type(value) in PYTHON_TYPES else frozenset(value.free_symbols)


def whole(value: int | Fraction) -> int | Fraction:
    """A Fraction that is a whole number as an int (cheaper, and what sympy's Integer reads as)."""
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


def exactly(operation: str, args: list[int | Fraction]) -> int | Fraction | None:
    """``operation`` (sympy's name: Add, Mul, Pow, floor, ceiling, Mod; gcd) of numbers, exact, as sympy computes it.

    None where that is not sure (a power of a fraction exponent, ``0^-1``, a remainder by 0).
    """
    if operation == "Add":
        return whole(sum(args))
    if operation == "Mul":
        return whole(math.prod(args))
    if operation == "Pow":
        base, exponent = args
        if not isinstance(exponent, int) or (base == 0 and exponent < 0):
            return None
        return whole(Fraction(base) ** exponent if exponent < 0 else base**exponent)
    if operation == "floor":
        return math.floor(args[0])
    if operation == "ceiling":
        return math.ceil(args[0])
    if operation == "Mod" and args[1] != 0:
        return whole(args[0] % args[1])
    if operation == "gcd" and all(isinstance(arg, int) and arg > 0 for arg in args):
        return math.gcd(*args)  # type: ignore[arg-type]
    return None
