"""The known wrong variants of a formula, built from symcnn's own formula tree.

Each variant is symcnn's unevaluated tree with one typical mistake made in
it: one factor of a product left out (``C_in`` in a convolution's
multiplications, a kernel dimension), a term left out, the bias forgotten or
counted twice, the ``+1`` of an output size dropped, the padding counted once,
floor taken as ceiling. Nothing is re-derived: a mistake is a change to the
tree the layer built. A claim that equals a variant is diagnosed by it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from symcnn.check.verdicts import Finding
from symcnn.check.vocabulary import FindingCode
from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.arguments import as_expr
from symcnn.errors import SymcnnError
from symcnn.formula import trees as f
from symcnn.formula.evaluation import evaluated
from symcnn.formula.quantity import Quantity
from symcnn.formula.symbols import H_out, W_out, meaning

BIAS_KEYS = ("params", "adds")
SIZE_KEYS = ("output_width", "output_height")


@dataclass(frozen=True)
class Variant:
    """A wrong formula and the mistakes that make it."""

    findings: tuple[Finding, ...]
    tree: sp.Expr

    @property
    def expr(self) -> sp.Expr:
        return evaluated(self.tree)


def _without(node: sp.Basic, index: int) -> sp.Basic:
    rest = [arg for k, arg in enumerate(node.args) if k != index]
    return rest[0] if len(rest) == 1 else f.rebuilt(node, rest)


def _paddings(analysis: LayerAnalysis | None) -> list[sp.Expr]:
    windows = analysis.layer.sliding_windows if analysis is not None else ()
    return [w.padding for w in windows]


def _is_doubled_padding(node: sp.Basic, paddings: list[sp.Expr]) -> bool:
    """``2·P``: the padding of both sides."""
    return node.is_Mul and len(node.args) == 2 and node.args[0] == 2 and node.args[1] in paddings


def _simple(term: sp.Basic) -> bool:
    """A number, a symbol or a multiple of one (``2·P``, ``-K_1``): a term one may forget."""
    return term.is_Atom or (
        term.is_Mul and len(term.args) == 2 and term.args[0].is_Number and term.args[1].is_Atom
    )


def _groups(analysis: LayerAnalysis | None) -> sp.Expr | None:
    """The layer's group count, or None for an ungrouped layer."""
    groups = getattr(analysis.layer, "groups", 1) if analysis is not None else 1
    return None if groups == 1 else as_expr(groups, analysis.name, "groups")  # type: ignore[union-attr]


def _factor_finding(
    factor: sp.Expr, node: sp.Basic, paddings: list[sp.Expr], groups: sp.Expr | None = None
) -> Finding:
    if _is_doubled_padding(node, paddings) and factor == 2:
        return Finding(FindingCode.PADDING_ONCE, {"padding": node.args[1]})
    if f.is_reciprocal(factor) and groups is not None and f.inverted(factor) == groups:
        return Finding(FindingCode.GROUPS_IGNORED, {"groups": groups})
    if f.is_reciprocal(factor):
        return Finding(FindingCode.DIVISION_DROPPED, {"divisor": f.inverted(factor)})
    about = meaning(factor) if factor.is_Symbol else ""
    return Finding(FindingCode.MISSING_FACTOR, {"factor": factor, "meaning": about})


def _term_finding(term: sp.Expr, key: str, paddings: list[sp.Expr]) -> list[tuple[Finding, sp.Expr | None]]:
    """The findings for leaving out ``term`` (and for doubling it, for a bias)."""
    if term == 1 and key in BIAS_KEYS:
        return [(Finding(FindingCode.BIAS_FORGOTTEN), None), (Finding(FindingCode.BIAS_TWICE), sp.Integer(2))]
    if term == 1 and key in SIZE_KEYS:
        return [(Finding(FindingCode.NO_PLUS_ONE), None)]
    if _is_doubled_padding(term, paddings):
        return [(Finding(FindingCode.PADDING_IGNORED, {"padding": term.args[1]}), None)]
    return [(Finding(FindingCode.MISSING_TERM, {"term": term}), None)]


def formula_variants(quantity: Quantity, analysis: LayerAnalysis | None = None) -> list[Variant]:
    """Every single-mistake variant of ``quantity``'s formula, distinct and wrong.

    ``analysis`` (the layer the quantity belongs to) tells which ``2·x`` is a padding.
    """
    tree, key, paddings = quantity.formula, quantity.key, _paddings(analysis)
    groups = _groups(analysis)
    found: list[Variant] = _convention_variants(quantity, analysis)
    for path, node in f.nodes(tree):
        if _in_condition(tree, path):
            continue  # a condition (ceil_mode's last-window rule) is no formula to make a mistake in
        if isinstance(node, sp.floor):
            found.append(Variant((Finding(FindingCode.CEIL_FOR_FLOOR),), f.replaced(tree, path, f.ceil(node.args[0]))))
            found.append(Variant((Finding(FindingCode.FLOOR_MISSING),), f.replaced(tree, path, node.args[0])))
        if node.is_Add:
            for index, term in enumerate(node.args):
                if not _simple(term):
                    continue
                for finding, instead in _term_finding(term, key, paddings):
                    new = (
                        _without(node, index)
                        if instead is None
                        else f.rebuilt(
                            node, [instead if k == index else arg for k, arg in enumerate(node.args)]
                        )
                    )
                    found.append(Variant((finding,), f.replaced(tree, path, new)))
        if node.is_Mul:
            for index, factor in enumerate(node.args):
                if factor in (-1, 0, 1) or not (factor.is_Atom or f.is_reciprocal(factor)):
                    continue
                finding = _factor_finding(factor, node, paddings, groups)
                if finding.code == "missing_factor" and key in SIZE_KEYS:
                    continue  # a size is no product: leaving out a factor of 2P or D(K - 1) is no mistake one makes
                found.append(Variant((finding,), f.replaced(tree, path, _without(node, index))))
    return _distinct(found, quantity.expr)


def _in_condition(tree: sp.Basic, path: tuple[int, ...]) -> bool:
    """Whether the node at ``path`` lies inside a relational (a Piecewise condition)."""
    node = tree
    for index in path:
        if isinstance(node, sp.Rel):
            return True
        node = node.args[index]
    return isinstance(node, sp.Rel)


def _convention_variants(quantity: Quantity, analysis: LayerAnalysis | None) -> list[Variant]:
    """Mistakes of convention, not of a term: FLOPs for MACs, the bias as a multiplication, dilation ignored."""
    found: list[Variant] = []
    if analysis is None:
        return found
    layer, tree = analysis.layer, quantity.formula
    outputs = analysis.get("output_elements")
    if quantity.key == "mults":
        found.append(Variant((Finding(FindingCode.FLOPS_FOR_MACS),), f.mul(2, tree)))
        if getattr(layer, "bias", False) and outputs is not None:
            found.append(Variant((Finding(FindingCode.BIAS_MULTIPLIED),), f.add(tree, outputs.formula)))
    if quantity.key in SIZE_KEYS and isinstance(tree, sp.Piecewise):  # ceil_mode: the last window always kept
        found.append(Variant((Finding(FindingCode.LAST_WINDOW_KEPT),), tree.args[-1].expr))
    windows = getattr(layer, "windows", ())
    if quantity.key in SIZE_KEYS and any(w.dilation != 1 for w in windows):
        undilated = _undilated(analysis, quantity)
        if undilated is not None:
            dilation = next(w.dilation for w in windows if w.dilation != 1)
            found.append(Variant((Finding(FindingCode.DILATION_IGNORED, {"dilation": dilation}),), undilated))
    return found


def _undilated(analysis: LayerAnalysis, quantity: Quantity) -> sp.Expr | None:
    """``quantity``'s formula in the same layer with dilation 1 (None when that layer cannot exist)."""
    height, width = analysis.get("output_height"), analysis.get("output_width")
    symbols = tuple(q.symbol if q is not None and q.symbol is not None else fallback
                    for q, fallback in ((height, H_out), (width, W_out)))
    try:
        undilated = replace(analysis.layer, dilation=1)  # type: ignore[type-var]
        same = undilated.analyze(analysis.input_shape, name=analysis.name, out_symbols=symbols)  # type: ignore[arg-type]
    except (SymcnnError, TypeError, ValueError):
        return None
    twin = same.get(quantity.key)
    return None if twin is None else twin.formula


def _distinct(variants: list[Variant], truth: sp.Expr) -> list[Variant]:
    """Drop variants equal to the truth, or to an earlier one with the same mistake."""
    seen: set[tuple[str, sp.Expr]] = set()
    kept = []
    ordered = sorted(variants, key=lambda v: _PRIORITY.get(v.findings[0].code, len(_PRIORITY)))
    for variant in ordered:
        try:
            expr = variant.expr
        except (ZeroDivisionError, TypeError, ValueError):
            continue
        code = variant.findings[0].code
        if expr == truth or (code, expr) in seen or expr.has(sp.zoo, sp.nan):
            continue
        seen.add((code, expr))
        kept.append(variant)
    return kept


_PRIORITY = {
    code: k
    for k, code in enumerate(
        (
            "flops_for_macs",
            "bias_multiplied",
            "groups_ignored",
            "dilation_ignored",
            "last_window_kept",
            "no_plus_one",
            "padding_once",
            "floor_missing",
            "ceil_for_floor",
            "bias_forgotten",
            "bias_twice",
            "padding_ignored",
            "missing_factor",
            "division_dropped",
            "missing_term",
        )
    )
}


def size_variants(analysis: LayerAnalysis) -> list[tuple[Finding, dict[sp.Symbol, sp.Expr]]]:
    """The output-size mistakes made in every size the layer defines (``W_out`` and ``H_out`` alike).

    Returns each mistake with the wrong definitions, e.g. ``{W_out: ⌊(W + 2P - K_1)/S⌋, ...}``.
    """
    defined = [q for q in analysis if q.symbol is not None]
    by_code: dict[str, dict[sp.Symbol, sp.Expr]] = {}
    findings: dict[str, Finding] = {}
    for quantity in defined:
        for variant in formula_variants(quantity, analysis):
            finding = variant.findings[0]
            if finding.code in ("missing_factor", "missing_term"):
                continue
            by_code.setdefault(finding.code, {})[quantity.symbol] = variant.expr
            findings.setdefault(finding.code, finding)
    symbols = [q.symbol for q in defined]
    return [
        (Finding(FindingCode.IN_OUTPUT_SIZE, {"inner": findings[code], "symbols": symbols}), wrong)
        for code, wrong in by_code.items()
        if len(wrong) == len(symbols)
    ]
