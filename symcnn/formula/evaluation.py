"""Evaluating formulas: an unevaluated textbook tree to its value, and binding values into an expression.

One rule per node (:func:`node_value`): numbers in exact Python integers and
fractions, anything symbolic by sympy, with floor, ceiling and Mod of symbols
kept as they are. :func:`evaluated` applies it to a tree bottom up; the
builders of :mod:`symcnn.formula.trees` apply it node by node when they build
values instead of trees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import cache, cmp_to_key
from typing import cast

from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NUMERIC, PYTHON_TYPES, exactly, number, whole
from symcnn.formula.sizes import SIZE_TYPES, is_size, size_node


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
    if type(tree) in PYTHON_TYPES or is_size(tree):
        return tree  # the numeric or periodic reading: its own value
    return to_sympy_number(_evaluated(tree))


def _evaluated(tree: sp.Basic) -> sp.Basic | int | Fraction:
    """As :func:`evaluated`, but a subtree of numbers comes back as a Python int or Fraction."""
    if not tree.args:
        return _python_number(tree)
    return _node(tree.func, [_evaluated(arg) for arg in tree.args])


def node_value(func: type | str, args: list[sp.Basic | int]) -> sp.Basic:
    """The evaluated node ``func(*args)`` of evaluated ``args``, by the rules of :func:`evaluated`.

    What the formula builders of :mod:`symcnn.formula.trees` make when they build
    values instead of textbook trees: the same rule, so the two cannot differ.
    """
    if NUMERIC.get():  # the numeric reading: Python's numbers, or the periodic reading's sizes
        name = func if isinstance(func, str) else func.__name__
        kinds = {type(arg) for arg in args}  # one pass, no call per argument: this runs for every node
        if kinds <= PYTHON_TYPES:
            number = args[0] >= args[1] if name == "GreaterThan" else exactly(name, args)  # a Piecewise's condition
            if number is not None:
                return number
        if not kinds.isdisjoint(SIZE_TYPES):
            return size_node(name, args)
    func = getattr(sp, func) if isinstance(func, str) else func
    if all(isinstance(arg, (int, sp.Number)) for arg in args):
        return to_sympy_number(_node(func, [_python_number(arg) for arg in args]))
    return evaluated_node(func, [to_sympy_number(arg) for arg in args])  # what _node does with a symbol


def _python_number(value: sp.Basic | int) -> sp.Basic | int | Fraction:
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    return value


def _node(func: type, args: list[sp.Basic | int | Fraction]) -> sp.Basic | int | Fraction:
    """One node of evaluated args: numbers in exact Python arithmetic where sure, else sympy's own rules."""
    if all(isinstance(arg, (int, Fraction)) for arg in args):
        number = exactly(func.__name__, args)
        if number is not None:
            return number
    return evaluated_node(func, [to_sympy_number(arg) for arg in args])


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
    if not terms:
        return number(0)
    if set(map(type, terms)) <= PYTHON_TYPES:
        return whole(sum(terms))  # the numeric reading
    if any(is_size(term) for term in terms):
        return size_node("Add", terms)
    if all(isinstance(term, (int, sp.Integer)) for term in terms):
        return sp.Integer(sum(int(term) for term in terms))
    return sp.Add(*terms)


def multiplied_all(factors: Iterable[sp.Expr]) -> sp.Expr:
    """The evaluated product of ``factors``; Python numbers multiplied in Python (the numeric reading)."""
    factors = list(factors)
    if not factors:
        return number(1)
    if set(map(type, factors)) <= PYTHON_TYPES:
        return whole(math.prod(factors))
    if any(is_size(factor) for factor in factors):
        return size_node("Mul", factors)
    return sp.Mul(*factors)


def evaluated_node(func: type, args: list[sp.Expr]) -> sp.Expr:
    """``func(*args)`` evaluated, floor, ceiling and Mod of symbols kept cheap (see :func:`evaluated`)."""
    if func.__name__ in _ROUNDING and not all(arg.is_Number for arg in args):
        return _rounded_symbolically(func, args)
    return func(*args)


_ROUNDING = frozenset({"floor", "ceiling", "Mod"})
"""sympy's names of the rounding nodes (named, so that sympy is imported only when used)."""


def _rounded_symbolically(func: type, args: list[sp.Expr]) -> sp.Expr:
    if func is sp.Mod:
        dividend, divisor = args
        return sp.Integer(0) if divisor == 1 else applied(sp.Mod, dividend, divisor)
    (arg,) = args
    if _divided(arg) or _halves(arg):
        return applied(func, arg)
    if _integer_polynomial(arg) or (sp.fraction(arg)[1] == 1 and arg.is_integer):
        return arg
    return applied(func, arg)


def applied(func: type, *args: sp.Basic) -> sp.Expr:
    """``func(*args, evaluate=False)`` for floor, ceiling and Mod of sympy arguments, built directly.

    The node sympy builds, attribute for attribute, without the set of argument
    counts it makes anew for every call (measured: 27 µs a floor against 1 µs;
    4,000 of them in a 1,000-layer symbolic chain).
    """
    node = sp.Basic.__new__(func, *args)
    node.nargs = _argument_counts(func)
    return cast(sp.Expr, node)


def multiplied(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    """``left·right`` for products of an integer and powers of symbols or sums, as sympy's ``*`` makes it.

    Built from its parts, with the exponents added and the factors in sympy's
    canonical order, without ``Mul``'s assumption queries on each new power
    (measured: 250 µs for a receptive field's jump ``S^500·S_p^500`` times
    ``S``, against 80 µs). Anything else, and a number times one sum (which
    sympy distributes), is left to sympy's ``*``.
    """
    if type(left) in PYTHON_TYPES and type(right) in PYTHON_TYPES:
        return left * right  # the numeric reading (is_python_number, without two calls)
    coefficient, powers = sp.Integer(1), dict[sp.Expr, int]()
    for operand in (left, right):
        number, rest = operand.as_coeff_Mul()
        if not number.is_Integer:
            return left * right
        coefficient *= number
        for factor in sp.Mul.make_args(rest) if rest is not sp.S.One else ():
            base, exponent = factor.as_base_exp()
            if not (base.is_Symbol or base.is_Add) or not exponent.is_Integer or exponent.p < 1:
                return left * right
            powers[base] = powers.get(base, 0) + exponent.p
    if coefficient == 0:
        return sp.Integer(0)
    if coefficient != 1 and len(powers) == 1 and next(iter(powers)).is_Add:
        return left * right
    factors = [base if exponent == 1 else sp.Pow(base, exponent) for base, exponent in powers.items()]
    factors.sort(key=CANONICAL)  # sympy's own order of a product's factors
    if coefficient != 1:
        factors.insert(0, coefficient)
    return cast(sp.Expr, sp.Mul._from_args(factors, True)) if factors else coefficient


def _compared(left: sp.Basic, right: sp.Basic) -> int:
    return left.compare(right)  # type: ignore[no-any-return]  # sympy's Basic.compare: its canonical order


CANONICAL = cmp_to_key(_compared)
"""The sort key of sympy's canonical order (of a sum's terms, a product's factors, and symbols by name)."""


def inclusive_count(first: sp.Expr, last: sp.Expr) -> sp.Expr:
    """``last - first + 1``, the integers from ``first`` to ``last``, as sympy's sum makes it.

    Two numbers are counted in Python; two different symbols (a deep receptive
    field's named offsets) are put in sympy's canonical order directly: 6 µs
    against sympy's 127 µs for ``L_7 - F_7 + 1``. Anything else is sympy's sum.
    """
    if type(first) in PYTHON_TYPES and type(last) in PYTHON_TYPES:
        return last - first + 1  # the numeric reading (is_python_number, without two calls)
    if first.is_Integer and last.is_Integer:
        return sp.Integer(last.p - first.p + 1)
    if first.is_Symbol and last.is_Symbol and first != last:
        terms = sorted([last, sp.Mul._from_args([sp.S.NegativeOne, first], True)], key=CANONICAL)
        return cast(sp.Expr, sp.Add._from_args([sp.S.One, *terms], True))
    return sp.Add(last, -first, 1)




@cache
def _argument_counts(func: type) -> sp.Set:
    return func.nargs  # type: ignore[attr-defined]


def _halves(total: sp.Expr) -> bool:
    """A sum with a term like ``W/2`` (sympy spreads ``(W - 2)/2`` into ``W/2 - 1``): not known to be an integer."""
    return bool(total.is_Add and any(isinstance(coefficient := term.as_coeff_Mul()[0], sp.Rational)
                                     and coefficient.q != 1 for term in total.args))


def _integer_polynomial(expr: sp.Expr) -> bool:
    """Sums and products of integers and integer symbols: an integer, seen without sympy's assumption queries."""
    if expr.is_Symbol or expr.is_Integer:
        return bool(expr.is_integer)
    if expr.is_Add or expr.is_Mul:
        return all(_integer_polynomial(arg) for arg in expr.args)
    if expr.is_Pow:
        return bool(isinstance(expr.exp, sp.Integer) and expr.exp.p >= 0 and _integer_polynomial(expr.base))
    return False


def is_reciprocal(node: sp.Basic) -> bool:
    """``x^{-n}``: a factor that belongs below a fraction bar."""
    return bool(node.is_Pow and isinstance(node.exp, sp.Integer) and node.exp.p < 0)


def _divided(product: sp.Expr) -> bool:
    """A product with a factor ``x^{-n}``: a fraction (cheaper to see than by ``sp.fraction``)."""
    return bool(product.is_Mul and any(is_reciprocal(factor) for factor in product.args))


def value_of(expr: sp.Expr, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """An evaluated ``expr`` with ``values`` bound (never ``subs``).

    Like ``xreplace`` followed by :func:`evaluated`, but only the nodes above
    a replaced symbol are rebuilt: binding a few symbols in a network's
    1,000-term total costs one walk, not a rebuild. With no values it is ``expr`` itself.
    """
    if not values:
        return expr

    def walk(node: sp.Basic) -> sp.Basic:
        if node in values:
            return values[node]
        if not node.args:
            return node
        args = [walk(arg) for arg in node.args]
        if all(new is old for new, old in zip(args, node.args)):
            return node
        return evaluated_node(node.func, args)

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
