"""Arithmetic slips: which one step of a calculation went wrong.

A calculation is an unevaluated tree of numbers (a derivation's substituted
formula, or a step the student wrote). If the claimed result is what the tree
gives when one of its sub-expressions takes a slightly different value, that
sub-expression is where the slip happened: ``(256 + 2 - 3)/1 + 1`` is 256,
and ``3·3·x·x·128 = 74,908,800`` needs ``x = 255``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import sympy as sp

from symcnn.check.verdicts import Finding
from symcnn.check.vocabulary import FindingCode
from symcnn.formula.evaluation import evaluated, value_of
from symcnn.formula.exact import Undefined, compile_exact
from symcnn.formula.trees import nodes, replaced, substituted

_X = sp.Dummy("x", integer=True)
_SEARCH = 50
_GROUPING = 7  # sums and products up to this many terms are regrouped freely


@dataclass(frozen=True)
class Slip:
    """``node`` evaluates to ``right``; the claim follows when it is ``used`` instead."""

    node: sp.Basic
    right: sp.Integer
    used: sp.Integer


def _size(node: sp.Basic) -> int:
    return sum(1 for _ in sp.preorder_traversal(node))


def _close(used: sp.Integer, right: sp.Integer) -> bool:
    """Slightly different: within 10 % (and at least 2) of the right value."""
    return used != right and abs(used - right) <= max(2, abs(right) / 10)


def _solutions(expr: sp.Expr, target: sp.Integer, right: sp.Integer) -> list[sp.Integer]:
    """Integers x near ``right`` with ``expr(x) = target``, found exactly (no floating point).

    The integers within ``_SEARCH`` of ``right`` are tried, then the one an
    affine ``expr`` would need (checked by evaluating it).
    """
    try:
        at = compile_exact(expr)
    except TypeError:
        return []
    wanted, centre = int(target), int(right)

    def value(x: int) -> object:
        try:
            return at({_X: x})
        except (Undefined, ZeroDivisionError):
            return None

    reach = int(min(_SEARCH, max(2, abs(centre) // 10)))
    found = {x for x in range(centre - reach, centre + reach + 1) if value(x) == wanted}
    low, high = value(centre), value(centre + 1)
    if isinstance(low, (int, Fraction)) and isinstance(high, (int, Fraction)) and high != low:
        guess = centre + Fraction(wanted - low) / (high - low)
        if guess.denominator == 1 and value(int(guess)) == wanted:
            found.add(int(guess))
    return [sp.Integer(x) for x in sorted(found)]


def find_slip(tree: sp.Basic, target: sp.Expr) -> Slip | None:
    """The one sub-expression of ``tree`` whose slightly different value gives ``target``.

    Among several, the smallest change wins, then the largest sub-expression
    (the step as the student wrote it, not a part of it).
    """
    target = sp.Integer(target)
    if evaluated(tree) == target:
        return None
    best: tuple[tuple[int, int], Slip] | None = None
    counts: dict[sp.Basic, int] = {}
    for _, node in nodes(tree):
        counts[node] = counts.get(node, 0) + 1
    trials = [(node, substituted(tree, {node: _X})) for node, count in counts.items() if count > 1]
    trials += [(node, replaced(tree, path, _X)) for path, node in nodes(tree)]
    for node, with_x in trials:
        if node is tree or node == -1 or node.is_Atom and not node.is_Integer:
            continue
        right = evaluated(node)
        if not right.is_Integer:
            continue
        for used in _solutions(evaluated(with_x), target, right):
            if _close(used, right):
                rank = (int(abs(used - right)), -_size(node))
                if best is None or rank < best[0]:
                    best = (rank, Slip(node, right, used))
    return best[1] if best else None


def same_numbers(step: sp.Basic, tree: sp.Basic) -> bool:
    """Whether a written step is a calculation of ``tree``: each intermediate result of the step
    (a sum, a product, a quotient, a floor) is one that ``tree`` computes too, in any grouping."""
    try:
        return _results(step) <= _results(tree)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _results(tree: sp.Basic) -> set[sp.Expr]:
    """The values of every compound part of a numeric tree; for a sum or product, of every sub-sum or sub-product."""
    found: set[sp.Expr] = set()
    for node in sp.preorder_traversal(tree):
        if node.is_Atom or node.free_symbols:
            continue
        if (node.is_Add or node.is_Mul) and len(node.args) <= _GROUPING:
            values = [evaluated(arg) for arg in node.args]
            for size in range(2, len(values) + 1):
                for chosen in combinations(values, size):
                    found.add(sp.Add(*chosen) if node.is_Add else sp.Mul(*chosen))
        else:
            found.add(evaluated(node))
    return found


def digit_slip(right: sp.Expr, used: sp.Expr) -> str | None:
    """``"one digit"`` or ``"two digits swapped"`` when two integers differ so; else None."""
    a, b = str(abs(int(right))), str(abs(int(used)))
    if len(a) != len(b) or a == b or (int(right) < 0) != (int(used) < 0) or len(a) < 3:
        return None
    differ = [k for k in range(len(a)) if a[k] != b[k]]
    if len(differ) == 1:
        return "one digit"
    if (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    ):
        return "two digits swapped"
    return None


def step_findings(
    steps: Sequence[tuple[str, sp.Basic]],
    values: Mapping[sp.Symbol, sp.Expr],
    right: sp.Expr,
    claimed: sp.Expr,
    explain: Callable[[sp.Expr, sp.Basic], tuple[Finding, ...]],
) -> list[Finding]:
    """What the student's written steps show: where they leave the right value, and any slip between two.

    ``explain(value, step)`` names the known mistake that gives ``value``, written as ``step`` is (or
    nothing). A step whose value is not a whole number, followed by its floor or ceiling, was rounded
    there (no slip).
    """
    numbers: list[sp.Expr] = []
    for text, tree in steps:
        number = value_of(evaluated(tree), values)
        if not number.is_Number:
            return [Finding(FindingCode.STEP_UNREADABLE, {"step": len(numbers) + 1, "text": text})]
        numbers.append(number)
    findings: list[Finding] = []
    for k, ((text, _), number) in enumerate(zip(steps, numbers, strict=False), start=1):
        if number != right:
            findings.append(
                Finding(FindingCode.STEP_DIVERGES,
                    {"step": k, "text": text, "used": number, "right": right, "why": explain(number, steps[k - 1][1])},
                )
            )
            break
    chain = [*numbers, claimed]
    for k in range(len(numbers)):
        if chain[k] != chain[k + 1]:
            nxt = f"step {k + 2}" if k + 1 < len(numbers) else "the result"
            if not chain[k].is_Integer and chain[k + 1] in (sp.floor(chain[k]), sp.ceiling(chain[k])):
                direction = "down" if chain[k + 1] == sp.floor(chain[k]) else "up"
                fields = {"step": k + 1, "text": steps[k][0], "next": nxt, "right": chain[k], "used": chain[k + 1]}
                findings.append(Finding(FindingCode.STEP_ROUNDED, {**fields, "direction": direction}))
                break
            numeric = substituted(steps[k][1], dict(values))
            slip = find_slip(numeric, chain[k + 1])
            close = slip is None and chain[k].is_Integer and chain[k + 1].is_Integer and _close(chain[k + 1], chain[k])
            if slip is None and not close:
                findings.append(
                    Finding(FindingCode.STEP_JUMPS,
                        {"step": k + 1, "text": steps[k][0], "next": nxt, "right": chain[k], "used": chain[k + 1]},
                    )
                )
            elif slip is None:
                findings.append(
                    Finding(FindingCode.STEP_CHANGES,
                        {
                            "step": k + 1,
                            "text": steps[k][0],
                            "next": nxt,
                            "right": chain[k],
                            "used": chain[k + 1],
                        },
                    )
                )
            else:
                findings.append(
                    Finding(FindingCode.STEP_SLIP,
                        {
                            "step": k + 1,
                            "text": steps[k][0],
                            "next": nxt,
                            "node": slip.node,
                            "right": slip.right,
                            "used": slip.used,
                        },
                    )
                )
            break
    return findings
