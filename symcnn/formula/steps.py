"""Step-by-step derivations: formula, numbers put in, arithmetic, result.

``derive`` turns a quantity and its values into the chain
``lhs = formula = substituted = ... = result``; each step is printed by
:func:`symcnn.formula.latex.latex` in the formula's own term order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sympy as sp

from symcnn.errors import MissingValueError
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import bind, evaluated, value_of
from symcnn.formula.expr import to_sympy
from symcnn.formula.latex import latex
from symcnn.formula.quantity import Quantity
from symcnn.formula.symbols import symbol
from symcnn.formula.trees import is_reciprocal, rebuilt, substituted

if TYPE_CHECKING:
    from symcnn.cnn.analysis import LayerAnalysis

_ROUNDINGS = (sp.floor, sp.ceiling)


# --- the stage rule --------------------------------------------------------


def _is_group(node: sp.Basic, parent: sp.Basic) -> bool:
    """Floors, ceilings, fractions, moduli, cases and parenthesised sums."""
    if isinstance(node, (*_ROUNDINGS, sp.Mod, sp.Piecewise)):
        return True
    if _is_fraction(node):
        return True
    return node.is_Add and isinstance(parent, (sp.Mul, sp.Pow, sp.Mod))


def _pending(node: sp.Basic, parent: sp.Basic) -> bool:
    """``node`` is, or holds, a group not yet reduced to a number."""
    if node.is_Atom:
        return False
    return _is_group(node, parent) or any(_pending(arg, node) for arg in node.args)


def _plain_fraction(node: sp.Basic) -> bool:
    """``a/b`` of plain numbers, which a floor or ceiling reduces with itself."""
    return node.is_Mul and all(f.is_Number or (is_reciprocal(f) and f.base.is_Number) for f in node.args)


def _ready(node: sp.Basic) -> bool:
    """All leaves numbers, and no unreduced group inside: reducible in one stage."""
    if isinstance(node, sp.Piecewise) or not all(a.is_Number for a in node.atoms()):
        return False
    if isinstance(node, _ROUNDINGS) and _plain_fraction(node.args[0]):
        return True
    if _is_fraction(node):  # a numerator or denominator that is still a product waits for its own stage
        return _plain_fraction(node)
    return not any(_pending(arg, node) for arg in node.args)


def _is_fraction(node: sp.Basic) -> bool:
    """A product with a factor below the bar (its own args, not a nested product's)."""
    return node.is_Mul and any(is_reciprocal(f) for f in node.args)


def _chosen(cases: sp.Piecewise) -> sp.Expr | None:
    """The branch whose condition holds, once the conditions are all numbers."""
    for branch, condition in cases.args:
        verdict = evaluated(condition)
        if verdict not in (sp.true, sp.false):
            return None
        if verdict == sp.true:
            return branch
    return None


def _stage(node: sp.Basic, whole: bool = True) -> sp.Basic:
    """Reduce every maximal ready node of ``node`` (``whole``: ``node`` may reduce as one)."""
    if node.is_Atom:
        return node
    if whole and _ready(node):
        return evaluated(node)
    if isinstance(node, sp.Piecewise):
        branch = _chosen(node)
        if branch is not None:
            return branch
    if _is_fraction(node):  # reduce the numerator as one product, and each denominator
        numerator = [arg for arg in node.args if not is_reciprocal(arg)]
        staged = _stage(numerator[0] if len(numerator) == 1 else rebuilt(node, numerator))
        below = [sp.Pow(_stage(arg.base), arg.exp, evaluate=False) for arg in node.args if is_reciprocal(arg)]
        return rebuilt(node, [staged, *below])
    args = []
    for arg in node.args:
        if node.is_Mul and is_reciprocal(arg):  # reduce below the bar, keep the bar
            args.append(sp.Pow(_stage(arg.base), arg.exp, evaluate=False))
        else:  # in a sum or product only groups reduce alone; the rest waits for the chain
            args.append(_stage(arg, whole=not (node.is_Add or node.is_Mul) or _is_group(arg, node)))
    return rebuilt(node, args)


def stages(tree: sp.Basic, limit: int = 100) -> list[sp.Basic]:
    """``tree`` and each stage of its arithmetic, down to a number (or no change)."""
    out = [tree]
    while not tree.is_Number and len(out) < limit:
        tree = _stage(tree)
        if tree == out[-1]:
            break
        out.append(tree)
    return out


# --- derivations -----------------------------------------------------------


class StepKind(StrEnum):
    """What a member of a derivation is."""

    FORMULA = "formula"
    SUBSTITUTED = "substituted"
    ARITHMETIC = "arithmetic"
    RESULT = "result"


@dataclass(frozen=True)
class Step:
    """One member of a derivation: the general formula, the numbers put in, arithmetic or the result."""

    kind: StepKind
    tree: sp.Basic

    @property
    def latex(self) -> str:
        return latex(self.tree)


@dataclass(frozen=True, repr=False)
class Derivation(Displayable):
    """``lhs = formula = substituted = ... = result``; ``result`` from the evaluated expression."""

    title: str
    lhs: str
    steps: tuple[Step, ...]
    result: sp.Expr

    def latex(self) -> str:
        return " = ".join(([self.lhs] if self.lhs else []) + [step.latex for step in self.steps])


def _bound(values: Mapping[sp.Symbol | str, Any]) -> dict[sp.Symbol, sp.Expr]:
    return {symbol(k) if isinstance(k, str) else k: to_sympy(v) for k, v in values.items()}


def derive(
    quantity_or_tree: Quantity | sp.Basic, values: Mapping[sp.Symbol | str, Any], lhs: str | None = None
) -> Derivation:
    """The derivation of a quantity (or unevaluated tree) at ``values``.

    Raises:
        MissingValueError: ``values`` leave a symbol of the formula unbound.
    """
    values = _bound(values)
    if isinstance(quantity_or_tree, Quantity):
        title, formula, expr = quantity_or_tree.title, quantity_or_tree.formula, quantity_or_tree.expr
        lhs = quantity_or_tree.lhs if lhs is None else lhs
    else:
        title, formula, expr = "", quantity_or_tree, evaluated(quantity_or_tree)
    result = value_of(expr, values)
    missing = sorted(s.name for s in formula.free_symbols if s not in values)
    if missing or not result.is_Number:
        needed = f" ({title.lower()})" if title else ""
        raise MissingValueError(f"no value for {', '.join(missing) or 'some symbol'}{needed}")
    arithmetic = stages(substituted(formula, values))
    candidates = [Step(StepKind.FORMULA, formula), Step(StepKind.SUBSTITUTED, arithmetic[0])]
    candidates += [Step(StepKind.ARITHMETIC, tree) for tree in arithmetic[1:]] + [Step(StepKind.RESULT, result)]
    steps: list[Step] = []
    for step in candidates:
        previous = steps[-1].latex if steps else lhs
        if step.latex != previous:
            steps.append(step)
        elif step.kind is StepKind.RESULT and steps:
            steps[-1] = step
    if not steps:  # the result is the lhs itself
        steps.append(candidates[-1])
    return Derivation(title, lhs or "", tuple(steps), result)


def derive_all(analysis: LayerAnalysis, values: Mapping[sp.Symbol | str, Any]) -> list[Derivation]:
    """Derive every quantity of ``analysis``, first binding its ``definitions`` (W_out, H_out)."""
    bound = bind(analysis.definitions, _bound(values))
    return [derive(quantity, bound) for quantity in analysis]
