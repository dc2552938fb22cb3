"""Step-by-step derivations: formula, numbers put in, arithmetic, result.

``StepPrinter`` prints the unevaluated trees of :mod:`symcnn.formula.quantity` in their
own term order, as a textbook writes them; ``derive`` turns a quantity and its
values into the chain ``lhs = formula = substituted = ... = result``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symcnn.errors import MissingValueError
from symcnn.formula.display import Displayable
from symcnn.formula.expr import to_sympy
from symcnn.formula.quantity import Quantity, bind, evaluated, substituted, value_of
from symcnn.formula.symbols import latex_name, symbol
from symcnn.formula.trees import inverted, is_letter, is_reciprocal, negated, rebuilt, split_product, terms

if TYPE_CHECKING:
    from symcnn.cnn.analysis import LayerAnalysis

_RELATIONS = {">=": r"\geq", "<=": r"\leq", "==": "=", "!=": r"\neq", ">": ">", "<": "<"}
_ROUNDINGS = (sp.floor, sp.ceiling)


class StepPrinter(LatexPrinter):
    """LaTeX for unevaluated trees, in their args order, as a textbook writes them."""

    _default_settings = {**LatexPrinter._default_settings, "thousands": "{,}"}
    """``thousands``: what separates groups of three digits (``{,}``; ``\\,`` inside a shape)."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        return latex_name(expr)

    def _print_Integer(self, expr: sp.Integer) -> str:
        n = int(expr)
        if abs(n) < 10_000:
            return str(n)
        return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", self._settings["thousands"])

    def _print_Rational(self, expr: sp.Rational) -> str:
        if expr.q == 1:
            return self._print_Integer(sp.Integer(expr.p))
        sign = "-" if expr.p < 0 else ""
        return rf"{sign}\frac{{{self._print(sp.Integer(abs(expr.p)))}}}{{{self._print(sp.Integer(expr.q))}}}"

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        out = ""
        for index, term in enumerate(terms(expr)):
            positive = negated(term)
            if index == 0:
                out = self._wrapped(term, sp.Mod, sp.Piecewise)
            elif positive is not None:
                out += " - " + self._wrapped(positive, sp.Add, sp.Mod, sp.Piecewise, negative=True)
            else:
                out += " + " + self._wrapped(term, sp.Mod, sp.Piecewise)
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        negative, above, below = split_product(expr)
        sign = "-" if negative else ""
        if below:
            return rf"{sign}\frac{{{self._product(above, bare=True)}}}{{{self._product(below, bare=True)}}}"
        return sign + self._product(above, bare=not sign)

    def _product(self, factors: list[sp.Expr], bare: bool) -> str:
        """Factors joined by ``\\cdot``; ``2P`` juxtaposed; a lone factor bare if asked."""
        if not factors:
            return "1"
        if len(factors) == 1 and bare:
            return self._print(factors[0])
        texts = [self._print(f) if i == 0 and bare and f.is_Number
                 else self._wrapped(f, sp.Add, sp.Mod, sp.Piecewise, negative=True)
                 for i, f in enumerate(factors)]
        if len(factors) > 1 and factors[0].is_Integer and is_letter(factors[1]) and texts[0][0] != "\\":
            texts[:2] = [texts[0] + texts[1]]  # a leading coefficient: 2P
        return r" \cdot ".join(texts)

    def _wrapped(self, expr: sp.Expr, *kinds: type, negative: bool = False) -> str:
        """``expr`` printed, in parentheses when it is one of ``kinds`` (or negative)."""
        text = self._print(expr)
        if isinstance(expr, kinds) or (negative and (expr.is_Number and expr < 0 or text.startswith("-"))):
            return rf"\left({text}\right)"
        return text

    def _print_Pow(self, expr: sp.Pow) -> str:
        if is_reciprocal(expr):
            return rf"\frac{{1}}{{{self._print(inverted(expr))}}}"
        base = self._wrapped(expr.base, sp.Add, sp.Mul, sp.Pow, sp.Mod, sp.Piecewise, negative=True)
        if expr.base.is_Rational and not expr.base.is_Integer:
            base = rf"\left({base}\right)"
        return f"{base}^{{{self._print(expr.exp)}}}"

    def _print_floor(self, expr: sp.Expr, exp: Any = None) -> str:
        return rf"\left\lfloor {self._print(expr.args[0])} \right\rfloor"

    def _print_ceiling(self, expr: sp.Expr, exp: Any = None) -> str:
        return rf"\left\lceil {self._print(expr.args[0])} \right\rceil"

    def _print_Mod(self, expr: sp.Mod, exp: Any = None) -> str:
        x, m = (self._wrapped(arg, sp.Add, sp.Mul, sp.Pow, sp.Mod, sp.Piecewise, negative=True)
                for arg in expr.args)
        return rf"{x} \bmod {m}"

    def _print_Relational(self, expr: sp.core.relational.Relational) -> str:
        return f"{self._print(expr.lhs)} {_RELATIONS[expr.rel_op]} {self._print(expr.rhs)}"


def latex(tree: sp.Basic, thousands: str = "{,}") -> str:
    """LaTeX of an unevaluated tree, in its own term order; ``thousands`` separates digit groups."""
    return StepPrinter({"thousands": thousands}).doprint(tree)


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


@dataclass(frozen=True)
class Step:
    """One member of a derivation: ``kind`` is formula, substituted, arithmetic or result."""

    kind: str
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
    candidates = [Step("formula", formula), Step("substituted", arithmetic[0])]
    candidates += [Step("arithmetic", tree) for tree in arithmetic[1:]] + [Step("result", result)]
    steps: list[Step] = []
    for step in candidates:
        previous = steps[-1].latex if steps else lhs
        if step.latex != previous:
            steps.append(step)
        elif step.kind == "result" and steps:
            steps[-1] = step
    if not steps:  # the result is the lhs itself
        steps.append(candidates[-1])
    return Derivation(title, lhs or "", tuple(steps), result)


def derive_all(analysis: LayerAnalysis, values: Mapping[sp.Symbol | str, Any]) -> list[Derivation]:
    """Derive every quantity of ``analysis``, first binding its ``definitions`` (W_out, H_out)."""
    bound = bind(analysis.definitions, _bound(values))
    return [derive(quantity, bound) for quantity in analysis]
