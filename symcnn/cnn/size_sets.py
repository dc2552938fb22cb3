"""Sets of input sizes, exact: along each residue class of the period, one interval of steps.

A condition between quasi-affine sizes of one axis (:mod:`symcnn.formula.periodic`)
is, along each residue class X = h + kL of the lcm L of their periods, an
arithmetic progression in k: the k that satisfy it form an interval computed
from two numbers (:func:`interval`), and a set of sizes is one interval per
residue class (:class:`SizeSet`). :func:`solve` decides a list of conditions
this way; :func:`describe` writes a set in the notation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import whole
from symcnn.formula.periodic import NotPeriodic, Number, Periodic, added, constant, lcm
from symcnn.formula.sizes import Condition, Named, implied

_LARGEST_PERIOD = 1 << 16
_LISTED = 8

Span = tuple[int, int | None]
"""k from the first to the last (None: no end) along one residue class."""


@dataclass(frozen=True)
class SizeSet:
    """A set of positive integers X: ``spans[h - 1]`` holds the k with X = h + k·period."""

    variable: sp.Symbol
    period: int
    spans: tuple[Span | None, ...]

    def __contains__(self, size: int) -> bool:
        h = (size - 1) % self.period + 1
        span, k = self.spans[h - 1], (size - h) // self.period
        return span is not None and span[0] <= k and (span[1] is None or k <= span[1])

    @property
    def smallest(self) -> int | None:
        """The least X in the set (None: empty)."""
        firsts = [h + span[0] * self.period for h, span in enumerate(self.spans, start=1) if span]
        return min(firsts) if firsts else None

    @property
    def text(self) -> str:
        """The set in the notation: ``H ≥ 1``, ``H ≡ 0 (mod 16), H ≥ 16``, ``H ∈ {7, 9}``, ``no H``."""
        return describe(self)

    @classmethod
    def from_size(cls, variable: sp.Symbol, least: int) -> SizeSet:
        """Every size from ``least`` on."""
        return cls(variable, 1, ((least - 1, None),))

    @property
    def threshold(self) -> int | None:
        """m where the set is exactly the sizes X ≥ m (None: a set with a gap, an end, or nothing)."""
        least = self.smallest
        if least is None:
            return None
        for h, span in enumerate(self.spans, start=1):
            if span != (max(0, -((h - least) // self.period)), None):
                return None
        return least


def interval(start: Number, step: Number, operator: str) -> Span | None:
    """The k ≥ 0 with ``start + k·step ⋈ 0``, as an interval (None: none)."""
    if operator in ("<=", "<"):
        start, step, operator = -start, -step, ">=" if operator == "<=" else ">"
    if operator == "==":
        if step == 0:
            return (0, None) if start == 0 else None
        k = _floor_divided(-start, step)
        return (k, k) if k * step == -start and k >= 0 else None
    if operator == "!=":
        raise NotPeriodic("a != condition is not an interval")
    strict = operator == ">"
    if step == 0:
        return (0, None) if (start > 0 or (start == 0 and not strict)) else None
    floor = _floor_divided(-start, step)  # start + k·step crosses 0 at k = -start/step
    ceiling = -_floor_divided(start, step)
    if step > 0:
        return (max(0, floor + 1 if strict else ceiling), None)
    last = ceiling - 1 if strict else floor
    return (0, last) if last >= 0 else None


def _floor_divided(numerator: Number, denominator: Number) -> int:
    """⌊numerator / denominator⌋, exactly: in ints where both are (the usual case), else with a Fraction."""
    if type(numerator) is int and type(denominator) is int:
        return numerator // denominator
    return math.floor(Fraction(numerator) / denominator)


def meet(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None:
        return None
    low = max(a[0], b[0])
    high = b[1] if a[1] is None else a[1] if b[1] is None else min(a[1], b[1])
    return None if high is not None and high < low else (low, high)


@dataclass
class Axis:
    """One input variable (H or W) and the sizes derived from it, compiled."""

    variable: sp.Symbol
    sizes: dict[sp.Symbol, Periodic]
    order: list[sp.Symbol]

    def evaluate(self, size: int) -> dict[sp.Symbol, Number]:
        """Every derived size at input size ``size``, exactly, in definition order."""
        env: dict[sp.Symbol, Number] = {self.variable: size}
        for sym in self.order:
            env[sym] = self.sizes[sym].value(env)
        return env


Compiled = tuple[str, Any, Periodic, str]
"""A condition of one axis: the layer it comes from, the condition as stated, its compiled difference, its operator."""


def periodic_conditions(analyses: Iterable[Any], inputs: tuple[Named, ...]) -> tuple[dict[Named, Axis],
                                                                                 dict[Named, list[Compiled]]]:
    """Each input size with the sizes ``analyses`` (of the periodic reading) name from it, and the conditions
    on them that can fail: every named size at least 1, and what the layers state, less what holds for every
    size of at least 1 (:func:`~symcnn.formula.sizes.implied`: it leaves the sets as they are).

    Raises:
        NotPeriodic: a condition the sympy reading states in its own terms.
    """
    axes = {v: Axis(v, {v: v.definition}, []) for v in inputs}
    conditions: dict[Named, list[Compiled]] = {v: [] for v in inputs}
    for analysis in analyses:
        for named in analysis.definitions:
            axes[named.axis].sizes[named] = named.definition
            axes[named.axis].order.append(named)
            form = named.source.form if named.source else None
            if not (form and implied((form[0], form[1], form[2] - 1), ">=")):  # the size at least 1, if not sure
                conditions[named.axis].append((analysis.name, None, added([named.periodic, constant(-1)]), ">="))
        for stated in analysis.assumptions:
            if not isinstance(stated, Condition):
                raise NotPeriodic("a condition the sympy reading states in its own terms")
            if not stated.implied:
                conditions[stated.axis].append((analysis.name, stated, stated.difference, stated.operator))
    return axes, conditions


def solve(axis: Axis, compiled_conditions: list[Compiled]) -> tuple[SizeSet, SizeSet, list[tuple[str, Any, SizeSet]]]:
    """The valid sizes of one axis, those every layer admits (joins left out), and each condition's own set.

    Raises:
        NotPeriodic: a period too large.
    """
    period = lcm([axis.sizes[s].period for s in axis.order] + [c[2].period for c in compiled_conditions])
    if period > _LARGEST_PERIOD:
        raise NotPeriodic(f"the sizes repeat only every {period} values")
    envs = [axis.evaluate(h) for h in range(1, period + 1)]
    total: list[Span | None] = [(0, None)] * period
    layers, joined = total, False
    each = []
    for node, relation, difference, operator in compiled_conditions:
        step = whole(difference.slope * period)
        starts = [difference.value(env) for env in envs]
        if operator == ">=" and type(step) is int and step > 0 and all(type(start) is int for start in starts):
            spans: list[Span | None] = [(max(0, -(start // step)), None) for start in starts]  # the usual case
        else:
            spans = [interval(start, step, operator) for start in starts]
        each.append((node, relation, SizeSet(axis.variable, period, tuple(spans))))
        total = [meet(a, b) for a, b in zip(total, spans)]
        if operator == "==":
            joined = True
        else:
            layers = total if not joined else [meet(a, b) for a, b in zip(layers, spans)]  # the same, until a join
    return SizeSet(axis.variable, period, tuple(total)), SizeSet(axis.variable, period, tuple(layers)), each


def residues(sizes: SizeSet) -> tuple[int, list[int]]:
    """The least modulus d and residues R with: X in the set for all large X ⇔ X mod d ∈ R."""
    eventual = [span is not None and span[1] is None for span in sizes.spans]
    for d in sorted(k for k in range(1, sizes.period + 1) if sizes.period % k == 0):
        kept = {h % d for h, on in enumerate(eventual, start=1) if on}
        if all(on == (h % d in kept) for h, on in enumerate(eventual, start=1)):
            return d, sorted(kept)
    return sizes.period, []  # not reached: d = period always works


def describe(sizes: SizeSet) -> str:
    """The set as a condition in the notation, exact (exceptions listed)."""
    x = sizes.variable.name
    least = sizes.threshold
    if least is not None:
        return f"{x} ≥ {least}"  # every size from the least on: what the lines below write, without their walks
    smallest = sizes.smallest
    if smallest is None:
        return f"no {x}"
    modulus, kept = residues(sizes)
    ends = [h + span[1] * sizes.period for h, span in enumerate(sizes.spans, start=1) if span and span[1] is not None]
    if not kept:
        members = [n for n in range(1, max(ends) + 1) if n in sizes]
        return f"{x} ∈ {{{_listed(members)}}}"
    first = min(h + span[0] * sizes.period for h, span in enumerate(sizes.spans, start=1)
                if span and span[1] is None)
    residue = "" if modulus == 1 else (
        f"{x} ≡ {kept[0]} (mod {modulus}), " if len(kept) == 1 else f"{x} mod {modulus} ∈ {{{_listed(kept)}}}, ")
    text = f"{residue}{x} ≥ {first}"
    last = max([first + sizes.period * 2] + ends)
    extra = [n for n in range(1, first) if n in sizes]
    missing = [n for n in range(first, last + 1) if n % modulus in kept and n not in sizes]
    if missing:
        text += f", except {x} ∈ {{{_listed(missing)}}}"
    if extra:
        text = f"{text}; or {x} ∈ {{{_listed(extra)}}}"
    return text


def _listed(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_LISTED])
    return shown + (", …" if len(numbers) > _LISTED else "")
