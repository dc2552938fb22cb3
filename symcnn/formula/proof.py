"""Proving two formulas equal for every value: algebra plus the floor and ceiling identities.

Both formulas are brought to one normal form and their difference expanded;
0 is a proof. The normal form applies identities that hold for all integers
(the symbols of the notation are integers, the sizes and strides positive),
so what it proves holds on the whole domain, admissible or not:

* ``ceil(x) = -floor(-x)``, and for an integer n and a positive integer d,
  ``ceil(n/d) = floor((n + d - 1)/d)`` (so ``ceil((n + 1)/S) = floor(n/S) + 1``);
* ``floor(x + m) = floor(x) + m`` for an integer m (sympy's own rule, applied
  to the expanded argument, so ``floor((W - K + S)/S) = floor((W - K)/S) + 1``);
* ``floor(floor(x)/d) = floor(x/d)`` for a positive integer d;
* ``floor(-n/d) = -ceil(n/d)``, so that a numerator's sign is always the same;
* ``a mod d = a - d·floor(a/d)``; ``//`` is read as ``floor(a/b)`` by the parser.

A failure to prove is no verdict: the checker then samples.
"""

from __future__ import annotations

import sympy as sp

MAX_OPS = 400
"""Formulas larger than this (after expansion) are not attempted: expanding them is slow."""


def normal(expr: sp.Basic) -> sp.Expr:
    """``expr`` with every ceiling and mod written as floors of expanded arguments."""
    if not expr.args:
        return expr
    args = [normal(arg) for arg in expr.args]
    if isinstance(expr, sp.ceiling):
        return _floor_of(args[0], ceil=True)
    if isinstance(expr, sp.floor):
        return _floor_of(args[0])
    if isinstance(expr, sp.Mod):
        dividend, divisor = args
        return sp.expand(dividend - divisor * _floor_of(dividend / divisor))
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args)
    return expr.func(*args)


def _floor_of(arg: sp.Expr, ceil: bool = False) -> sp.Expr:
    """floor(arg) (ceil(arg) when ``ceil``) in the normal form."""
    numerator, denominator = (sp.expand(part) for part in sp.fraction(sp.together(arg)))
    exact_division = numerator.is_integer and denominator.is_integer and denominator.is_positive
    if not exact_division:
        return -sp.floor(sp.expand(-arg)) if ceil else sp.floor(sp.expand(arg))
    if isinstance(numerator, sp.floor):  # floor(floor(x)/d) = floor(x/d)
        return _floor_of(numerator.args[0] / denominator, ceil)
    if ceil:  # ceil(n/d) = floor((n + d - 1)/d)
        numerator = numerator + denominator - 1
    whole, rest = _split(sp.expand(numerator / denominator))
    if _leads_negative(rest, denominator):  # floor(-n/d) = -floor((n + d - 1)/d): one sign for both forms
        flipped = sp.expand(-rest * denominator + denominator - 1)
        whole2, rest2 = _split(sp.expand(flipped / denominator))
        return whole - whole2 - sp.floor(rest2)
    return whole + sp.floor(rest)


def _split(quotient: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``quotient`` as (its integer terms, the rest)."""
    whole = [t for t in sp.Add.make_args(quotient) if t.is_integer]
    rest = [t for t in sp.Add.make_args(quotient) if not t.is_integer]
    return sp.Add(*whole), sp.Add(*rest)


def _leads_negative(rest: sp.Expr, denominator: sp.Expr) -> bool:
    """Whether the variable part of ``rest`` (constants over the denominator aside) reads negative."""
    core = [t for t in sp.Add.make_args(rest) if not t.free_symbols <= denominator.free_symbols]
    return bool(core) and sp.Add(*core).could_extract_minus_sign()


def proved_equal(left: sp.Expr, right: sp.Expr) -> bool:
    """True when ``left - right`` normalises to 0 (False: not shown, maybe still equal)."""
    if left == right:
        return True
    try:
        if sp.count_ops(left) + sp.count_ops(right) > MAX_OPS:
            return False
        return bool(sp.expand(normal(left) - normal(right)) == 0)
    except (TypeError, ValueError, RecursionError, AttributeError):  # sympy internals on odd trees
        return False
