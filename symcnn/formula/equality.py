"""Are two formulas equal for every admissible value? Proved, or tried at many points.

Proof: :func:`symcnn.formula.proof.proved_equal` on the formulas with the layer's
defined symbols (``W_out``, a network's ``W_3``) expanded.

Sampling: points drawn over the whole admissible domain, at several scales
(see :data:`ROLES` and :data:`SCALES`): the assignment's own values, small
values, values at the smallest admissible size (where a floor's threshold
bites), large values (widths into the thousands, channels into the hundreds,
kernels past 10) and mixes of small and large. Every symbol that occurs is
drawn, groups and dilation included; a group count divides the channel
counts it must divide, and every condition of every layer (``W + 2P >= K_1``,
``W_3 + 2P_2 >= K``) holds at every point. Values are computed exactly
(:mod:`symcnn.formula.exact`). A point where the formulas differ is a
counterexample and decides; agreement everywhere without a proof is only
agreement; no admissible point at all is reported as such.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symcnn.formula.exact import Compiled, Undefined, as_sympy, compile_exact
from symcnn.formula.proof import proved_equal

Full = dict[sp.Symbol, Any]
"""A completed point: every symbol of a domain, the per-layer sizes included, bound to a number."""

__all__ = ["POINTS", "ROLES", "SCALES", "Comparison", "Domain", "compare", "expanded", "proved_equal"]

#: symbol name -> (small range, large range), both inclusive
ROLES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "W": ((1, 40), (41, 5000)),
    "H": ((1, 40), (41, 5000)),
    "C_in": ((1, 16), (17, 512)),
    "C_out": ((1, 16), (17, 512)),
    "N": ((1, 50), (51, 5000)),
    "K_1": ((1, 5), (6, 15)),
    "K_2": ((1, 5), (6, 15)),
    "K": ((1, 5), (6, 15)),
    "S": ((1, 4), (5, 8)),
    "S_2": ((1, 4), (5, 8)),
    "P": ((0, 3), (4, 10)),
    "P_2": ((0, 3), (4, 10)),
    "D": ((1, 3), (4, 6)),
    "G": ((1, 4), (5, 16)),
    "B": ((1, 16), (17, 1024)),
    "i": ((0, 12), (13, 1000)),
    "j": ((0, 12), (13, 1000)),
}
_POSITIVE = ((1, 12), (13, 1000))
_NONNEGATIVE = ((0, 3), (4, 100))
_SIZES = ("W", "H")
#: how many points each scale contributes: (scale, points)
SCALES = (("assignment", 16), ("small", 80), ("threshold", 48), ("large", 48), ("mixed", 48))
POINTS = sum(count for _, count in SCALES)
_TRIES = 25  # draws per point wanted, before a scale gives up
_EXPANDED = 24  # defined symbols beyond which a formula is not written out for a proof
_MISSES = 150  # inadmissible draws in a row after which a scale gives up
_FAILURES = 24  # counterexamples collected before the simplest is chosen
_SEARCH_TOP = 10**6  # the largest size tried when looking for the smallest admissible one


@dataclass(frozen=True)
class Comparison:
    """How a claimed formula relates to the true one.

    Attributes:
        equal: equal at every point tried (False: ``counterexample`` holds one).
        proved: shown equal for every value (:mod:`symcnn.formula.proof`).
        points: how many admissible points were tried (0: none could be found).
        counterexample: (point, claimed value, true value) where they differ.
        ranges: each symbol's smallest and largest value over the points tried.
    """

    equal: bool
    proved: bool
    points: int
    counterexample: tuple[dict[sp.Symbol, sp.Expr], sp.Expr, sp.Expr] | None = None
    ranges: dict[sp.Symbol, tuple[int, int]] = field(default_factory=dict)
    domain: Domain | None = field(default=None, repr=False, compare=False)
    sample: tuple[Full, ...] = field(default=(), repr=False, compare=False)


def expanded(expr: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with every defined symbol replaced by its definition, until none is left."""
    for _ in range(len(definitions) + 1):
        if not expr.free_symbols & set(definitions):
            return expr
        expr = expr.xreplace(dict(definitions))
    return expr


def _ranges(sym: sp.Symbol) -> tuple[tuple[int, int], tuple[int, int]]:
    if sym.name in ROLES:
        return ROLES[sym.name]
    return _NONNEGATIVE if sym.is_nonnegative and not sym.is_positive else _POSITIVE


def _draw(rng: random.Random, sym: sp.Symbol, large: bool) -> int:
    """One value of ``sym``: uniform in its small range, log-uniform in its large one."""
    low, high = _ranges(sym)[1 if large else 0]
    if not large:
        return rng.randint(low, high)
    value = int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))
    return min(high, max(low, value))


class Domain:
    """The admissible values of a layer's or a network's symbols, and formulas evaluated there.

    Args:
        definitions: defined symbols (``W_out``, ``W_3``), in order, with their expressions.
        assumptions: the conditions every admissible point meets.
        values: the assignment's own values (numbers only are used).
        seed: makes the points the same on every run.
    """

    def __init__(
        self,
        definitions: Mapping[sp.Symbol, sp.Expr],
        assumptions: Iterable[sp.Basic],
        values: Mapping[sp.Symbol, sp.Expr] | None = None,
        seed: str = "",
    ) -> None:
        self.definitions = dict(definitions)
        self.conditions = [a for a in assumptions if a not in (sp.true, True)]
        self.values = {s: int(v) for s, v in (values or {}).items() if getattr(v, "is_Integer", False)}
        self.seed = seed
        self._compiled: dict[sp.Basic, Compiled] = {}
        self._needs: dict[sp.Symbol, frozenset[sp.Symbol]] = {}
        self._plans: dict[int, tuple[Mapping[sp.Symbol, sp.Expr], list[Any]]] = {}
        self._least: dict[tuple[tuple[sp.Symbol, int], ...], dict[sp.Symbol, int] | None] = {}

    # --- evaluating ---------------------------------------------------------------

    def compiled(self, expr: sp.Basic) -> Compiled:
        if expr not in self._compiled:
            self._compiled[expr] = compile_exact(expr)
        return self._compiled[expr]

    def base_symbols(self, exprs: Iterable[sp.Basic]) -> set[sp.Symbol]:
        """The symbols a point must give values to, so that ``exprs`` have one."""
        found: set[sp.Symbol] = set()
        for expr in exprs:
            for sym in expr.free_symbols:
                found |= self._base_of(sym)
        return found

    def _base_of(self, sym: sp.Symbol) -> frozenset[sp.Symbol]:
        if sym not in self.definitions:
            return frozenset({sym})
        if sym not in self._needs:
            needs: set[sp.Symbol] = set()
            for inner in self.definitions[sym].free_symbols:
                needs |= self._base_of(inner)
            self._needs[sym] = frozenset(needs)
        return self._needs[sym]

    def completed(self, point: Mapping[sp.Symbol, int], definitions: Mapping[sp.Symbol, sp.Expr] | None = None) -> Full:
        """``point`` with every defined symbol it allows computed, in order (definitions may be wrong ones)."""
        full: dict[sp.Symbol, object] = dict(point)
        for sym, needs, function in self._steps(definitions or self.definitions):
            if needs <= full.keys():
                full[sym] = function(full)
        return full

    def _steps(
        self, definitions: Mapping[sp.Symbol, sp.Expr]
    ) -> list[tuple[sp.Symbol, frozenset[sp.Symbol], Compiled]]:
        """Each definition with the symbols it needs and its compiled form (computed once per mapping)."""
        key = id(definitions)
        if key not in self._plans:
            plan = [(sym, frozenset(expr.free_symbols), self.compiled(expr)) for sym, expr in definitions.items()]
            self._plans[key] = (definitions, plan)  # the mapping is kept so that its id stays its own
        return self._plans[key][1]

    def value(self, expr: sp.Basic, full: Mapping[sp.Symbol, object]) -> object:
        """``expr`` at a completed point, exactly (None where it is undefined)."""
        try:
            return self.compiled(expr)(full)
        except (Undefined, ZeroDivisionError, KeyError, StopIteration):
            return None

    def admissible(self, point: Mapping[sp.Symbol, int]) -> Full | None:
        """The completed point when every condition holds at it, else None."""
        try:
            full = self.completed(point)
            if all(self.compiled(condition)(full) is True for condition in self.conditions):
                return full
        except (Undefined, ZeroDivisionError, KeyError, StopIteration, TypeError):
            pass
        return None

    # --- sampling -----------------------------------------------------------------

    def points(self, exprs: Iterable[sp.Basic], count_scale: int = 1) -> list[tuple[str, Full]]:
        """Admissible points for ``exprs`` (and every condition): (scale, completed point) pairs."""
        symbols = sorted(self.base_symbols([*exprs, *self.conditions]), key=lambda s: s.name)
        rng = random.Random(self.seed)
        found: list[tuple[str, Full]] = []
        seen: set[tuple[int, ...]] = set()
        for scale, wanted in SCALES:
            if scale == "assignment" and not self.values.keys() & set(symbols):
                continue
            wanted *= count_scale
            got = misses = 0
            for _ in range(wanted * _TRIES):
                if misses >= _MISSES:  # this scale holds (almost) no admissible point: move on
                    break
                point = self._draw_point(rng, symbols, scale)
                full = self.admissible(point)
                if full is None and scale != "assignment":  # sizes too small for the layers: lift them to the least
                    if self._lift(point, symbols, rng):
                        full = self.admissible(point)
                    elif self._least.get(()) is None and () in self._least:
                        return found  # sizes alone rule every point out, and nothing else varies
                if full is None:
                    misses += 1
                    continue
                misses = 0
                key = tuple(point[s] for s in symbols)
                if key in seen:
                    continue
                seen.add(key)
                found.append((scale, full))
                got += 1
                if got == wanted:
                    break
        return found

    def _lift(self, point: dict[sp.Symbol, int], symbols: list[sp.Symbol], rng: random.Random) -> bool:
        """Each size just above its least admissible value, when large sizes make the point admissible.

        The least values depend only on the other (non-size) symbols, so they are found once for each
        of their values: a numeric network on a symbolic input searches once, not once per point.
        """
        sizes = [sym for sym in symbols if sym.name in _SIZES or sym.name not in ROLES]
        if not sizes:
            return False
        key = tuple((sym, point[sym]) for sym in symbols if sym not in sizes)
        if key not in self._least:
            top = {**point, **{sym: _SEARCH_TOP for sym in sizes}}
            if self.admissible(top) is None:
                self._least[key] = None  # something else than a size rules the point out
            else:
                self._least[key] = {sym: self._lowest(top, sym) for sym in sizes}
        least = self._least[key]
        if least is None:
            return False
        for sym in sizes:
            point[sym] = least[sym] + rng.randint(0, 8)
        return True

    def _draw_point(self, rng: random.Random, symbols: list[sp.Symbol], scale: str) -> dict[sp.Symbol, int]:
        fixed = set(self.values) & set(symbols) if scale == "assignment" else set()
        point: dict[sp.Symbol, int] = {}
        for sym in symbols:
            if sym in fixed:
                point[sym] = self.values[sym]
            else:
                large = scale == "large" or (scale == "mixed" and rng.random() < 0.5)
                point[sym] = _draw(rng, sym, large)
        self._repair(point, fixed, rng)
        if scale == "threshold":
            self._lift(point, symbols, rng)
        return point

    def _repair(self, point: dict[sp.Symbol, int], fixed: set[sp.Symbol], rng: random.Random) -> None:
        """Make divisibility and equality conditions hold by changing a free symbol they name."""
        for condition in self.conditions:
            if not isinstance(condition, sp.Eq):
                continue
            left, right = condition.args
            if isinstance(left, sp.Mod) and right == 0:
                count, groups = left.args
                self._divisible(point, fixed, count, groups, rng)
            else:
                for free, other in ((left, right), (right, left)):
                    if free.is_Symbol and free in point and free not in fixed:
                        value = self.value(other, self.completed(point))
                        if isinstance(value, int) and value >= 1:
                            point[free] = value
                        break

    def _divisible(
        self, point: dict[sp.Symbol, int], fixed: set[sp.Symbol], count: sp.Expr, groups: sp.Expr, rng: random.Random
    ) -> None:
        full = self.completed(point)
        total, parts = self.value(count, full), self.value(groups, full)
        if not isinstance(total, int) or not isinstance(parts, int) or parts < 1 or total % parts == 0:
            return
        if count.is_Symbol and count in point and count not in fixed:
            point[count] = parts * max(1, -(-total // parts))
        elif groups.is_Symbol and groups in point and groups not in fixed and total >= 1:
            divisors = [d for d in range(1, min(total, 64) + 1) if total % d == 0]
            point[groups] = rng.choice(divisors)

    def _lowest(self, point: dict[sp.Symbol, int], sym: sp.Symbol) -> int:
        """The smallest value of ``sym`` admissible with the others as in ``point`` (admissible itself).

        Admissibility grows with a size (a larger input fits every window), so it is found by halving.
        """
        trial = dict(point)
        low, high = (0 if sym.is_nonnegative and not sym.is_positive else 1), point[sym]
        while low < high:
            middle = (low + high) // 2
            trial[sym] = middle
            if self.admissible(trial) is None:
                low = middle + 1
            else:
                high = middle
        return low


def compare(
    claimed: sp.Expr,
    truth: sp.Expr,
    definitions: Mapping[sp.Symbol, sp.Expr],
    assumptions: Iterable[sp.Basic],
    seed: str,
    values: Mapping[sp.Symbol, sp.Expr] | None = None,
) -> Comparison:
    """Compare two formulas over every admissible value of their symbols."""
    domain = Domain(definitions, assumptions, values, seed)
    relevant = domain.base_symbols([claimed, truth])
    sample = domain.points([claimed, truth])
    ranges = _ranges_of(sample, relevant)
    failures = []
    for _, full in sample:
        mine, theirs = domain.value(claimed, full), domain.value(truth, full)
        if mine != theirs:
            failures.append((full, mine, theirs))
            if len(failures) == _FAILURES:
                break
    if failures:
        full, mine, theirs = min(failures, key=lambda f: sum(int(f[0][s]) for s in relevant))
        point = {s: sp.Integer(full[s]) for s in sorted(relevant, key=lambda s: s.name)}
        shown = sp.nan if mine is None else as_sympy(mine)
        found = (point, shown, as_sympy(theirs))
        return Comparison(False, False, len(sample), found, ranges, domain, tuple(f for _, f in sample))
    proved = bool(sample) and _proved(claimed, truth, definitions)
    return Comparison(True, proved, len(sample), None, ranges, domain, tuple(f for _, f in sample))


def _proved(claimed: sp.Expr, truth: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Proved equal as written (defined symbols kept), else with them expanded."""
    return proved_equal(claimed, truth) or proved_expanded(claimed, truth, definitions, definitions)


def proved_expanded(
    left: sp.Expr, right: sp.Expr, left_definitions: Mapping[sp.Symbol, sp.Expr],
    right_definitions: Mapping[sp.Symbol, sp.Expr],
) -> bool:
    """Proved equal with each side's defined symbols written out (not tried past a depth of nested sizes)."""
    if _depth(left, left_definitions) + _depth(right, right_definitions) > _EXPANDED:
        return False  # a deep network's nested sizes, written out, are too large to expand quickly
    return proved_equal(expanded(left, left_definitions), expanded(right, right_definitions))


def _depth(expr: sp.Expr, definitions: Mapping[sp.Symbol, sp.Expr]) -> int:
    """How many defined symbols ``expr`` reaches, through the definitions."""
    seen: set[sp.Symbol] = set()
    todo = [sym for sym in expr.free_symbols if sym in definitions]
    while todo:
        sym = todo.pop()
        if sym not in seen:
            seen.add(sym)
            todo += [inner for inner in definitions[sym].free_symbols if inner in definitions]
    return len(seen)


def _ranges_of(sample: list[tuple[str, Full]], symbols: set[sp.Symbol]) -> dict[sp.Symbol, tuple[int, int]]:
    ranges = {}
    for sym in sorted(symbols, key=lambda s: s.name):
        seen = [int(full[sym]) for _, full in sample if sym in full]
        if seen:
            ranges[sym] = (min(seen), max(seen))
    return ranges
