"""Are two formulas equal for every admissible value? Symbolically, and by spot check.

Symbolic: the difference, with the layer's defined symbols (``W_out``)
replaced by their expressions, expanded (sympy pulls integers out of floors
and cancels like terms). Floors with different arguments defeat that, so
random admissible values give a second opinion: positive integers, paddings
from 0, every assumption of the layer met (``W + 2P >= K_1``). A difference
found there is a counterexample and decides; agreement everywhere without a
proof is reported as such.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from symcnn.formula.quantity import value_of

#: the range sampled for each symbol (others: 1..12, or 0..3 when nonnegative)
RANGES = {
    "W": (1, 40),
    "H": (1, 40),
    "K_1": (1, 7),
    "K_2": (1, 7),
    "K": (1, 7),
    "S": (1, 4),
    "S_2": (1, 4),
    "P": (0, 3),
    "P_2": (0, 3),
    "D": (1, 3),
    "G": (1, 1),
    "C_in": (1, 9),
    "C_out": (1, 9),
    "N": (1, 50),
    "B": (1, 16),
    "i": (0, 12),
    "j": (0, 12),
}
POINTS = 200


@dataclass(frozen=True)
class Comparison:
    """How a claimed formula relates to the true one.

    Attributes:
        equal: equal at every point tried (and, if ``proved``, for all values).
        proved: sympy showed the difference is 0.
        points: how many admissible points were tried.
        counterexample: (point, claimed value, true value) where they differ.
    """

    equal: bool
    proved: bool
    points: int
    counterexample: tuple[dict[sp.Symbol, sp.Expr], sp.Expr, sp.Expr] | None = None


def expanded(expr: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with every defined symbol replaced by its definition, until none is left."""
    for _ in range(len(definitions) + 1):
        if not expr.free_symbols & set(definitions):
            return expr
        expr = expr.xreplace(dict(definitions))
    return expr


def admissible_points(
    symbols: Iterable[sp.Symbol], assumptions: Iterable[sp.Basic], count: int, seed: str
) -> list[dict[sp.Symbol, sp.Expr]]:
    """``count`` random values of ``symbols`` meeting every assumption (deterministic per ``seed``)."""
    symbols = sorted(set(symbols), key=lambda s: s.name)
    conditions = [a for a in assumptions if a.free_symbols <= set(symbols)]
    rng = random.Random(seed)
    points: list[dict[sp.Symbol, sp.Expr]] = []
    for _ in range(count * 50):
        point = {sym: sp.Integer(rng.randint(*_range(sym))) for sym in symbols}
        if all(value_of(condition, point) == sp.true for condition in conditions):
            points.append(point)
            if len(points) == count:
                break
    return points


def _range(sym: sp.Symbol) -> tuple[int, int]:
    if sym.name in RANGES:
        return RANGES[sym.name]
    return (0, 3) if sym.is_nonnegative and not sym.is_positive else (1, 12)


def proved_equal(left: sp.Expr, right: sp.Expr) -> bool:
    """True when sympy shows ``left - right`` is 0 (False: not shown, maybe still equal)."""
    try:
        return sp.expand(left - right) == 0
    except (TypeError, ValueError, RecursionError):  # pragma: no cover - sympy internals
        return False


def compare(
    claimed: sp.Expr,
    truth: sp.Expr,
    definitions: Mapping[sp.Symbol, sp.Expr],
    assumptions: Iterable[sp.Basic],
    seed: str,
    points: int = POINTS,
) -> Comparison:
    """Compare two formulas over every admissible value of their symbols."""
    left, right = expanded(claimed, definitions), expanded(truth, definitions)
    proved = proved_equal(left, right)
    sample = admissible_points(left.free_symbols | right.free_symbols, assumptions, points, seed)
    for point in sample:
        mine, theirs = value_of(left, point), value_of(right, point)
        if mine != theirs:
            return Comparison(False, False, len(sample), (point, mine, theirs))
    return Comparison(True, proved, len(sample))


def fingerprint(
    expr: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr], points: list[dict[sp.Symbol, sp.Expr]]
) -> tuple[sp.Expr, ...]:
    """``expr``'s values at ``points``: formulas with equal fingerprints agree there."""
    full = expanded(expr, definitions)
    return tuple(value_of(full, point) for point in points)
