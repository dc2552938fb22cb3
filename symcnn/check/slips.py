"""Arithmetic slips: which one step of a calculation went wrong.

A calculation is an unevaluated tree of numbers (a derivation's substituted
formula, or a step the student wrote). If the claimed result is what the tree
gives when one of its sub-expressions takes a slightly different value, that
sub-expression is where the slip happened: ``(256 + 2 - 3)/1 + 1`` is 256,
and ``3·3·x·x·128 = 74,908,800`` needs ``x = 255``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from symcnn.check.verdicts import Finding
from symcnn.formula.quantity import evaluated, value_of
from symcnn.formula.trees import nodes, replaced, substituted

_X = sp.Dummy("x", integer=True)
_SEARCH = 50


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
    """Integers x near ``right`` with ``expr(x) = target``."""
    reach = int(min(_SEARCH, max(2, abs(right) // 10)))
    guesses: Iterable[int | sp.Expr]
    if any(
        isinstance(node, (sp.floor, sp.ceiling, sp.Mod)) and node.has(_X)
        for node in sp.preorder_traversal(expr)
    ):
        guesses = range(int(right) - reach, int(right) + reach + 1)
    else:
        try:
            poly = sp.Poly(expr - target, _X)
        except sp.PolynomialError:
            try:
                poly = sp.Poly(sp.fraction(sp.together(expr - target))[0], _X)
            except sp.PolynomialError:
                return []
        if poly.degree() < 1:
            return []
        if poly.degree() == 1:
            low, high = poly.all_coeffs()[1], poly.all_coeffs()[0]
            guesses = [-low / high] if (-low / high).is_Integer else []
        else:
            guesses = {
                round(complex(root).real)
                for root in poly.nroots(n=20, maxsteps=200)
                if abs(complex(root).imag) < 1e-6
            }
    return [sp.Integer(x) for x in guesses if value_of(expr, {_X: sp.Integer(x)}) == target]


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
    explain: Callable[[sp.Expr], tuple[Finding, ...]],
) -> list[Finding]:
    """What the student's written steps show: where they leave the right value, and any slip between two.

    ``explain(value)`` names the known mistake that gives ``value`` (or nothing).
    """
    numbers: list[sp.Expr] = []
    for text, tree in steps:
        number = value_of(evaluated(tree), values)
        if not number.is_Number:
            return [Finding("step_unreadable", {"step": len(numbers) + 1, "text": text})]
        numbers.append(number)
    findings: list[Finding] = []
    for k, ((text, _), number) in enumerate(zip(steps, numbers, strict=False), start=1):
        if number != right:
            findings.append(
                Finding(
                    "step_diverges",
                    {"step": k, "text": text, "used": number, "right": right, "why": explain(number)},
                )
            )
            break
    chain = [*numbers, claimed]
    for k in range(len(numbers)):
        if chain[k] != chain[k + 1]:
            nxt = f"step {k + 2}" if k + 1 < len(numbers) else "the result"
            numeric = substituted(steps[k][1], dict(values))
            slip = find_slip(numeric, chain[k + 1])
            if slip is None:
                findings.append(
                    Finding(
                        "step_changes",
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
                    Finding(
                        "step_slip",
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
