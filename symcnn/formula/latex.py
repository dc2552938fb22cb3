"""LaTeX of unevaluated formula trees, in their own term order, as a textbook writes them.

``StepPrinter`` keeps the order a formula was written in (no sympy reordering), prints
``floor``/``ceil`` as brackets, ``Mod`` as ``\\bmod`` and digit groups with a separator.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symcnn.formula.symbols import latex_name
from symcnn.formula.trees import inverted, is_letter, is_reciprocal, negated, split_product, terms

_RELATIONS = {">=": r"\geq", "<=": r"\leq", "==": "=", "!=": r"\neq", ">": ">", "<": "<"}


class StepPrinter(LatexPrinter):  # type: ignore[misc]  # sympy is untyped
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
            return str(self._print(factors[0]))
        texts = [self._print(f) if i == 0 and bare and f.is_Number
                 else self._wrapped(f, sp.Add, sp.Mod, sp.Piecewise, negative=True)
                 for i, f in enumerate(factors)]
        if len(factors) > 1 and factors[0].is_Integer and is_letter(factors[1]) and texts[0][0] != "\\":
            texts[:2] = [texts[0] + texts[1]]  # a leading coefficient: 2P
        return r" \cdot ".join(texts)

    def _wrapped(self, expr: sp.Expr, *kinds: type, negative: bool = False) -> str:
        """``expr`` printed, in parentheses when it is one of ``kinds`` (or negative)."""
        text = str(self._print(expr))
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
    return str(StepPrinter({"thousands": thousands}).doprint(tree))
