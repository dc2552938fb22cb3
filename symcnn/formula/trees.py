"""Building formulas as unevaluated sympy trees, in the textbook's term order, and reading them back.

The builders pass ``evaluate=False`` to each node instead of using the
``sympy.evaluate(False)`` context manager, which clears sympy's cache on
entry and exit (measured: it made a 200-layer network 15 % slower by itself).

A formula written with these builders is one definition with several readings:
the textbook tree (the default), or, under :func:`building_values`, its value,
each node evaluated as it is made by the rule that evaluates a tree
(:func:`symcnn.formula.evaluation.node_value`): numbers are computed in
Python's exact integers, and nothing is built twice. In the numeric reading
(:func:`symcnn.formula.numbers.numeric_reading`) the values stay Python
numbers and no sympy object is made; given the sizes of
:mod:`symcnn.formula.sizes` (the periodic reading) the same builders compose
quasi-affine functions of the input size.

The readers (terms, factors, signs, fraction bars, paths to nodes) are what
the printers of :mod:`symcnn.formula.steps` and :mod:`symcnn.formula.plain` and the checker's
mistakes and slips share.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any, TypeAlias

from symcnn.formula.evaluation import applied, node_value
from symcnn.formula.evaluation import is_reciprocal as is_reciprocal  # a reader of trees, defined where values are made
from symcnn.formula.expr import COMPARISONS
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NUMERIC, PYTHON_TYPES, setting, whole
from symcnn.formula.sizes import SIZE_TYPES, chosen_size, condition, is_size, size_node

Value: TypeAlias = "sp.Expr | int"

_ROUNDING = frozenset({"floor", "ceiling", "Mod"})
"""Built by :func:`~symcnn.formula.evaluation.applied`, the cheap way to an unevaluated node."""

_VALUES: ContextVar[bool] = ContextVar("symcnn_building_values", default=False)

_INT = frozenset({int})
_ON_NUMBERS: dict[str, tuple[frozenset[type], Callable[[tuple[Any, ...]], int]]] = {
    "Add": (_INT, sum), "Mul": (_INT, math.prod),
    "floor": (PYTHON_TYPES, lambda args: math.floor(args[0])),
    "ceiling": (PYTHON_TYPES, lambda args: math.ceil(args[0])),
}
"""The nodes whose value is an int computed here from Python numbers of these types, as
:func:`~symcnn.formula.numbers.exactly` computes it without its checks (others take the general way)."""


def building_values() -> AbstractContextManager[None]:
    """Within this block the builders make each formula's value, not its textbook tree."""
    return setting(_VALUES, True)


def builds_values() -> bool:
    """Whether the builders make values now: inside :func:`building_values`, or in the numeric reading
    (:func:`~symcnn.formula.numbers.numeric_reading`), which shows no formula."""
    return _VALUES.get() or NUMERIC.get()


def _expr(value: Value) -> sp.Expr:
    return sp.Integer(value) if isinstance(value, int) else value


def node(func: Any, *args: Any) -> sp.Expr:
    """``func(*args)``: an unevaluated node, or under :func:`building_values` its value.

    ``func`` is a sympy class, or its name (``"Add"``): the builders name
    theirs, so that the numeric reading, which builds Python numbers, never
    imports sympy.
    """
    if NUMERIC.get():
        kinds = set(map(type, args))
        fast = _ON_NUMBERS.get(func)
        if fast is not None and kinds <= fast[0]:
            return fast[1](args)  # the numeric reading's usual node: numbers to an int, one call
        if isinstance(func, str) and not kinds.isdisjoint(SIZE_TYPES):
            return size_node(func, list(args))  # the periodic reading's node
        return node_value(func, list(args))
    if _VALUES.get():
        return node_value(func, list(args))
    if isinstance(func, str):
        func = getattr(sp, func)
    if func.__name__ in _ROUNDING:
        return applied(func, *map(_expr, args))
    return func(*map(_expr, args), evaluate=False)


def add(*terms: Value) -> sp.Expr:
    """``a + b + ...`` in this order."""
    if NUMERIC.get() and set(map(type, terms)) <= _INT:
        return sum(terms)  # the numeric reading's usual node, without the call of node()
    return node("Add", *terms)


def neg(term: Value) -> sp.Expr:
    """``-a``, kept as ``(-1)·a`` so the printer writes a minus sign."""
    return node("Mul", -1, term)


def sub(left: Value, *terms: Value) -> sp.Expr:
    """``a - b - ...`` in this order."""
    if NUMERIC.get() and type(left) is int and set(map(type, terms)) <= _INT:
        return left - sum(terms)  # the value of the nodes below, made once
    return add(left, *(neg(term) for term in terms))


def mul(*factors: Value) -> sp.Expr:
    """``a · b · ...`` in this order."""
    if NUMERIC.get() and set(map(type, factors)) <= _INT:
        return math.prod(factors)  # the numeric reading's usual node, without the call of node()
    return node("Mul", *factors)


def div(numerator: Value, denominator: Value) -> sp.Expr:
    """``a / b``, printed as a fraction."""
    if NUMERIC.get() and type(denominator) is int and denominator:
        if type(numerator) is int:
            quotient, rest = divmod(numerator, denominator)  # the value of the nodes below, made once
            return quotient if rest == 0 else Fraction(numerator, denominator)
        return node("Mul", numerator, whole(Fraction(1, denominator)))  # a size over a number: 1/d made directly
    return node("Mul", numerator, node("Pow", denominator, -1))


def power(base: Value, exponent: Value) -> sp.Expr:
    """``a^n``."""
    if NUMERIC.get() and type(base) is int and type(exponent) is int and exponent >= 0:
        return base**exponent  # the node's value, an int
    return node("Pow", base, exponent)


def floor(arg: Value) -> sp.Expr:
    """``⌊a⌋``."""
    return node("floor", arg)


def ceil(arg: Value) -> sp.Expr:
    """``⌈a⌉``."""
    return node("ceiling", arg)


def floor_div(numerator: Value, denominator: Value) -> sp.Expr:
    """``⌊a / b⌋``: :func:`floor` of :func:`div`, of ints in one step."""
    if NUMERIC.get() and type(numerator) is int and type(denominator) is int and denominator:
        return numerator // denominator
    return floor(div(numerator, denominator))


def ceil_div(numerator: Value, denominator: Value) -> sp.Expr:
    """``⌈a / b⌉``: :func:`ceil` of :func:`div`, of ints in one step."""
    if NUMERIC.get() and type(numerator) is int and type(denominator) is int and denominator:
        return -(-numerator // denominator)
    return ceil(div(numerator, denominator))


def mod(dividend: Value, divisor: Value) -> sp.Expr:
    """``a mod b``."""
    if NUMERIC.get() and type(dividend) is int and type(divisor) is int and divisor:
        return dividend % divisor  # the node's value (sympy's Mod takes the divisor's sign, as % does)
    return node("Mod", dividend, divisor)


def at_least(left: Value, right: Value) -> sp.Basic:
    """``a ≥ b``: a condition of :func:`piecewise` (a bool when both are numbers and values are built)."""
    return node("GreaterThan", left, right)


def piecewise(*branches: tuple[Value, Any]) -> sp.Expr:
    """The first branch's value whose condition holds (``True``: otherwise), as sympy's Piecewise."""
    if builds_values() and all(isinstance(when, bool) for _, when in branches):
        return next(value for value, when in branches if when)
    if builds_values() and any(is_size(value) or is_size(when) for value, when in branches):
        return chosen_size(list(branches))
    return node("Piecewise", *branches)


def stated(left: Value, operator: str, right: Value) -> sp.Basic:
    """The assumption ``left ⋈ right`` (>=, <=, ==), unevaluated, to be proved or kept.

    In the periodic reading (sizes of :mod:`symcnn.formula.sizes`), a
    :class:`~symcnn.formula.sizes.Condition`.
    """
    if is_size(left) or is_size(right):
        return condition(left, operator, right)
    return getattr(sp, COMPARISONS[operator])(left, right, evaluate=False)


def rebuilt(node: sp.Basic, args: list[Value]) -> sp.Basic:
    """``node`` with new ``args``, not evaluated where sympy allows it.

    What ``node.func(*args, evaluate=False)`` makes; a sum or a product (from its arguments as they stand) and a
    floor, a ceiling or a Mod (:func:`~symcnn.formula.evaluation.applied`) are made directly, without the checks
    sympy runs at each call.
    """
    if node.is_Add or node.is_Mul:
        return node.func._from_args(list(map(_expr, args)))
    if node.func.__name__ in _ROUNDING:
        return applied(node.func, *map(_expr, args))
    try:
        return node.func(*args, evaluate=False)
    except TypeError:  # e.g. ExprCondPair takes no options
        return node.func(*args)


def substituted(tree: sp.Basic, values: Mapping[sp.Basic, sp.Basic],
                memo: dict[sp.Basic, sp.Basic] | None = None) -> sp.Basic:
    """Put ``values`` into ``tree`` without evaluating anything (keeps ``2 · 1``); a node in which nothing
    changes is kept as it is.

    ``memo``: the nodes done so far with the same ``values``, for trees that share nodes.
    """
    if not tree.args:
        return values.get(tree, tree)
    done = memo.get(tree) if memo is not None else None
    if done is not None:
        return done
    if tree in values:
        return values[tree]
    args = [substituted(arg, values, memo) for arg in tree.args]
    result = tree if all(new is old for new, old in zip(args, tree.args)) else rebuilt(tree, args)
    if memo is not None:
        memo[tree] = result
    return result


def replaced(tree: sp.Basic, path: tuple[int, ...], new: sp.Basic) -> sp.Basic:
    """``tree`` with the node at ``path`` replaced by ``new``, nothing evaluated."""
    if not path:
        return new
    args = list(tree.args)
    args[path[0]] = replaced(args[path[0]], path[1:], new)
    return rebuilt(tree, args)


# --- reading a tree as a textbook writes it -----------------------------------


def nodes(tree: sp.Basic, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], sp.Basic]]:
    """Every node with its path (indices into ``args``), root first."""
    yield path, tree
    for index, arg in enumerate(tree.args):
        yield from nodes(arg, (*path, index))


def terms(tree: sp.Basic) -> Iterator[sp.Expr]:
    """The terms of a sum, nested sums flattened in order."""
    for arg in tree.args:
        yield from terms(arg) if arg.is_Add else (arg,)


def factors(tree: sp.Basic) -> Iterator[sp.Expr]:
    """The factors of a product, nested products flattened in order."""
    for arg in tree.args:
        yield from factors(arg) if arg.is_Mul else (arg,)


def negated(term: sp.Expr) -> sp.Expr | None:
    """``x`` for a term written ``-x`` (``-3``, ``-1·x``, ``-2·x``), else None."""
    if term.is_Number and term.is_negative:
        return -term
    if term.is_Mul and term.args[0].is_Number and term.args[0].is_negative:
        rest = term.args[1:]
        if term.args[0] == -1:
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Mul(-term.args[0], *rest, evaluate=False)
    return None


def inverted(reciprocal: sp.Pow) -> sp.Expr:
    """``x^n`` for the factor ``x^{-n}`` (``x`` for ``x^{-1}``): what is written below the bar."""
    if reciprocal.exp == -1:
        return reciprocal.base
    return sp.Pow(reciprocal.base, -reciprocal.exp, evaluate=False)


def split_product(tree: sp.Basic) -> tuple[bool, list[sp.Expr], list[sp.Expr]]:
    """A product as (negative, factors above the fraction bar, factors below it); ``-1`` factors make the sign."""
    found = list(factors(tree))
    kept = [factor for factor in found if factor != sp.S.NegativeOne]
    above = [factor for factor in kept if not is_reciprocal(factor)]
    below = [inverted(factor) for factor in kept if is_reciprocal(factor)]
    return (len(found) - len(kept)) % 2 == 1, above, below


def is_letter(expr: sp.Expr) -> bool:
    """A symbol or a power of one: what a number is juxtaposed with (``2P``)."""
    return bool(expr.is_Symbol or (expr.is_Pow and expr.base.is_Symbol))
