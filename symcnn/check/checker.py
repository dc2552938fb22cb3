"""Checking claims: a verdict for each, and a diagnosis of each mistake.

Verdicts: ``correct`` (the same value, or the same formula as symcnn's after
evaluation), ``equivalent`` (a formula equal for every admissible value but
written differently), ``wrong`` (with symcnn's value or formula, its
derivation, and the known mistake the claim matches), ``unverifiable`` (the
target has no such value, or no numbers for it; the reason is given).

A formula is checked as a formula: one that gives the right number at the
assignment's values but differs elsewhere is wrong, with the point where it
differs. Numbers are diagnosed at the values, formulas symbolically (with a
spot check over random admissible values).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symcnn.check.diagnosis import formula_variants, size_variants
from symcnn.check.region_check import check_region
from symcnn.check.slips import digit_slip, find_slip, same_numbers, step_findings
from symcnn.check.truth import Context, Truth, Unverifiable, scalar_truth
from symcnn.check.verdicts import VERDICTS, Expected, Finding, Outcome, distinct
from symcnn.check.vocabulary import ExpectedKind, FindingCode, Verdict
from symcnn.files.assignment import LayerPart
from symcnn.files.claims import Claim, Claimed, ClaimsFile
from symcnn.formula.equality import POINTS, Comparison, compare, proved_expanded
from symcnn.formula.evaluation import value_of
from symcnn.formula.symbols import B
from symcnn.formula.trees import substituted

SHAPE_KEYS = {3: ("output_channels", "output_height", "output_width"), 1: ("output_features",)}
_FINGERPRINT_POINTS = 24


@dataclass(frozen=True)
class Checked:
    """A claim and its outcome."""

    claim: Claim
    outcome: Outcome

    @property
    def verdict(self) -> str:
        return self.outcome.verdict

    @property
    def layer(self) -> str | None:
        """The layer the claim is about: a network layer's name, a single layer's type, or None."""
        subject = self.claim.subject
        if subject.layer is not None:
            return subject.layer
        return subject.part.analysis.name if isinstance(subject.part, LayerPart) else None


@dataclass(frozen=True)
class CheckReport:
    """Every claim of a claims file, checked."""

    claims: ClaimsFile
    checked: tuple[Checked, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many claims got each verdict (every verdict listed, zeros included)."""
        counter = Counter(c.verdict for c in self.checked)
        return {verdict: counter[verdict] for verdict in VERDICTS}

    @property
    def exit_code(self) -> int:
        """1 when any claim is wrong, else 0 (unverifiable claims alone do not fail)."""
        return 1 if self.counts["wrong"] else 0


def check_claims(claims: ClaimsFile) -> CheckReport:
    """Check every claim of ``claims`` against what symcnn derives."""
    context = Context(claims.values)
    return CheckReport(
        claims, tuple(Checked(c, check_claim(c, context, claims.claims)) for c in claims.claims)
    )


def check_claim(claim: Claim, context: Context, siblings: tuple[Claim, ...] = ()) -> Outcome:
    """The outcome of one claim (``siblings``: the file's other claims, for receptive-field steps)."""
    try:
        if claim.quantity == "receptive_field":
            return check_region(claim, context, siblings)
        if claim.quantity == "output_shape":
            return _check_shape(claim, context)
        truth = scalar_truth(claim.subject, claim.quantity, context)
        return _check_scalar(claim.claimed, truth, _seed(claim), claim.intermediate)
    except Unverifiable as reason:
        return Outcome(Verdict.UNVERIFIABLE, Expected(ExpectedKind.NONE), (reason.finding,))


def _seed(claim: Claim) -> str:
    return f"{claim.index}:{claim.quantity}:{claim.claimed.text}"


# --- scalars -------------------------------------------------------------------


def _check_scalar(
    claimed: Claimed, truth: Truth, seed: str, steps: tuple[tuple[str, sp.Basic], ...] = ()
) -> Outcome:
    value, per_batch = claimed.value, False
    if claimed.kind == "formula" and truth.per_batch and B in value.free_symbols:
        per_sample = _per_sample(value)
        if per_sample is None:
            expected = Expected(ExpectedKind.PER_BATCH, truth.value, _formula_of(truth))
            return Outcome(
                Verdict.WRONG, expected, (Finding(FindingCode.NOT_PER_BATCH, {"batch": B}),), derivation=truth.derived()
            )
        value, per_batch = per_sample, True
    if claimed.kind == "formula" and value.free_symbols:  # B·n with n a number: checked as a number
        if truth.expr.free_symbols:
            return _check_formula(value, truth, seed, per_batch)
        value = value_of(value, truth.bound)
        if not value.is_Number:
            names = ", ".join(sorted(s.name for s in value.free_symbols))
            raise Unverifiable("claim_symbols", symbols=names)
    if claimed.kind == "number" and claimed.written is not None and not claimed.written.is_Atom:
        steps = (*steps, (str(claimed.text), claimed.written))
    return _check_number(value, truth, steps, per_batch)


def _per_sample(value: sp.Expr) -> sp.Expr | None:
    """``value`` divided by the batch B, or None when it is not B times something without B."""
    per_sample = value / B
    if B in per_sample.free_symbols:
        per_sample = sp.expand(per_sample)
    return None if B in per_sample.free_symbols else per_sample


def _formula_of(truth: Truth) -> sp.Basic | None:
    return truth.quantity.formula if truth.quantity is not None else None


def _check_number(
    claimed: sp.Expr, truth: Truth, steps: tuple[tuple[str, sp.Basic], ...], per_batch: bool
) -> Outcome:
    right = truth.value
    if not right.is_Number:
        names = ", ".join(sorted(s.name for s in right.free_symbols))
        raise Unverifiable("no_values", symbols=names)
    expected = Expected(ExpectedKind.PER_BATCH if per_batch else ExpectedKind.NUMBER, right, _formula_of(truth))
    derivation = truth.derived()
    variants = _number_variants(truth)

    def explain(value: sp.Expr, step: sp.Basic | None = None) -> tuple[Finding, ...]:
        """The first known mistake giving ``value`` and, for a written step, written as that step is."""
        for findings, v, trees in variants:
            if v == value and (step is None or not trees or any(same_numbers(step, t) for t in trees)):
                return findings
        return ()

    if claimed == right:
        notes = step_findings(steps, truth.bound, right, claimed, explain) if steps else []
        return Outcome(Verdict.CORRECT, expected, tuple(notes), derivation=derivation)
    if steps:
        found = step_findings(steps, truth.bound, right, claimed, explain)
        if found:
            return Outcome(Verdict.WRONG, expected, tuple(found), derivation=derivation)
    matches = [findings for findings, value, _ in variants if value == claimed]
    if matches:
        return Outcome(Verdict.WRONG, expected, matches[0], tuple(distinct(matches[1:]))[:2], derivation)
    return Outcome(Verdict.WRONG, expected, _slips(claimed, right, truth), derivation=derivation)


def _slips(claimed: sp.Expr, right: sp.Expr, truth: Truth) -> tuple[Finding, ...]:
    """A slip in the arithmetic of the right formula, or of a known wrong one; else no match."""
    kind = digit_slip(right, claimed)
    if kind is not None:
        return (Finding(FindingCode.DIGIT_SLIP, {"right": right, "used": claimed, "kind": kind}),)
    if truth.quantity is None:
        return (Finding(FindingCode.NO_MATCH),)
    trees: list[tuple[tuple[Finding, ...], sp.Basic]] = [((), truth.quantity.formula)]
    trees += [(v.findings, v.tree) for v in formula_variants(truth.quantity, truth.analysis)]
    for findings, tree in trees:
        numeric = substituted(substituted(tree, truth.formulas), truth.bound)
        slip = find_slip(numeric, claimed)
        if slip is not None:
            return (*findings, Finding(FindingCode.SLIP, {"node": slip.node, "right": slip.right, "used": slip.used}))
    return (Finding(FindingCode.NO_MATCH),)


Variant = tuple[tuple[Finding, ...], sp.Expr, tuple[sp.Basic, ...]]


def _number_variants(truth: Truth) -> list[Variant]:
    """Known wrong numbers: one formula mistake, one output-size mistake, the truth's own, then pairs.

    Each comes with its arithmetic as a student would write it (output sizes as
    formulas or as numbers), to tell which mistake a written step shows.
    """
    found: list[Variant] = []
    bound, formulas = truth.bound, truth.formulas
    if truth.quantity is not None:
        singles = formula_variants(truth.quantity, truth.analysis)
        found += [
            (
                v.findings,
                value_of(v.expr, bound),
                (substituted(substituted(v.tree, formulas), bound), substituted(v.tree, bound)),
            )
            for v in singles
        ]
        sizes = _size_bindings(truth)
        found += [
            ((finding,), value_of(truth.expr, wrong), (substituted(truth.quantity.formula, wrong),))
            for finding, wrong in sizes
        ]
        found += [(findings, value, ()) for findings, value in truth.variants]
        found += [
            ((*v.findings, finding), value_of(v.expr, wrong), (substituted(v.tree, wrong),))
            for v in singles
            for finding, wrong in sizes
        ]
    else:
        found += [(findings, value, ()) for findings, value in truth.variants]
    return [variant for variant in found if variant[1].is_Number]


def _size_bindings(truth: Truth) -> list[tuple[Finding, dict[sp.Symbol, sp.Expr]]]:
    """The values with the layer's output sizes computed by a known wrong rule."""
    if truth.analysis is None or not truth.expr.free_symbols & set(truth.analysis.definitions):
        return []
    bindings = []
    for finding, wrong in size_variants(truth.analysis):
        bound = dict(truth.bound)
        bound.update({sym: value_of(expr, truth.bound) for sym, expr in wrong.items()})
        bindings.append((finding, bound))
    return bindings


def _check_formula(claimed: sp.Expr, truth: Truth, seed: str, per_batch: bool = False) -> Outcome:
    """``claimed`` (per sample when ``per_batch``: the claim was written B times it) against the truth."""
    expected = Expected(ExpectedKind.PER_BATCH if per_batch else ExpectedKind.FORMULA, truth.expr, _formula_of(truth))
    own = truth.quantity.symbol if truth.quantity is not None else None
    if own is not None and own in claimed.free_symbols:
        return Outcome(Verdict.UNVERIFIABLE, expected, (Finding(FindingCode.CIRCULAR, {"symbol": own}),))
    if claimed == truth.expr:
        return Outcome(Verdict.CORRECT, expected)
    comparison = compare(claimed, truth.expr, truth.definitions, truth.assumptions, seed, truth.values)
    counterexample = comparison.counterexample
    if comparison.points == 0:
        return Outcome(Verdict.UNVERIFIABLE, expected, (Finding(FindingCode.NO_ADMISSIBLE_POINT),))
    if counterexample is None:  # compare gives a counterexample whenever not equal
        fields = {"points": comparison.points, "ranges": comparison.ranges}
        if comparison.proved:
            return Outcome(Verdict.EQUIVALENT, expected, (Finding(FindingCode.EQUIVALENT, fields),))
        return Outcome(Verdict.AGREES, expected, (Finding(FindingCode.AGREES, fields),))
    point, mine, theirs = counterexample
    right_value = truth.value
    if per_batch:  # the claim is B times ``claimed``: shown for one sample
        point, right_value = {B: sp.Integer(1), **point}, sp.Mul(B, truth.value, evaluate=False)
    at_values = value_of(claimed, truth.bound)
    if truth.value.is_Number and at_values == truth.value:
        fields = {"point": point, "used": mine, "right": theirs, "value": right_value}
        where = Finding(FindingCode.RIGHT_AT_VALUES_ONLY, fields)
    else:
        where = Finding(FindingCode.COUNTEREXAMPLE, {"point": point, "used": mine, "right": theirs})
    matches = _formula_matches(claimed, truth, comparison)
    if not matches:
        return Outcome(Verdict.WRONG, expected, (where,))
    return Outcome(Verdict.WRONG, expected, (*matches[0], where), tuple(distinct(matches[1:]))[:2])


def _formula_matches(claimed: sp.Expr, truth: Truth, comparison: Comparison) -> list[tuple[Finding, ...]]:
    """The known wrong formulas equal to ``claimed`` at sample points.

    The last finding of each says how sure the match is (``proved``, and ``match``
    to word it): shown symbolically, or only equal at every point tried.
    """
    if truth.quantity is None:
        return []
    definitions = truth.definitions
    domain = comparison.domain
    if domain is None:
        return []
    points = list(comparison.sample[:: max(1, POINTS // _FINGERPRINT_POINTS)])
    mine = tuple(domain.value(claimed, full) for full in points)
    singles = formula_variants(truth.quantity, truth.analysis)
    candidates = [(v.findings, v.expr, definitions) for v in singles]
    if truth.analysis is not None and truth.expr.free_symbols & set(truth.analysis.definitions):
        for finding, wrong in size_variants(truth.analysis):
            redefined = {**definitions, **wrong}
            candidates.append(((finding,), truth.expr, redefined))
            candidates += [((*v.findings, finding), v.expr, redefined) for v in singles]
    matches = []
    for findings, expr, defs in candidates:
        if tuple(domain.value(expr, domain.completed(full, defs)) for full in points) == mine:
            proved = proved_expanded(claimed, expr, definitions, defs)
            how = Finding(FindingCode.PROVED_MATCH if proved else FindingCode.SAMPLED_MATCH, {"points": len(points)})
            matches.append((*findings[:-1], _with(findings[-1], proved=proved, match=how)))
    return matches


def _with(finding: Finding, **fields: Any) -> Finding:
    return Finding(finding.code, {**finding.fields, **fields})


# --- output shapes -------------------------------------------------------------


def _check_shape(claim: Claim, context: Context) -> Outcome:
    subject = claim.subject
    part = subject.part
    if isinstance(part, LayerPart):
        analysis = part.analysis
    elif subject.layer is None or subject.layer == "input":
        raise Unverifiable("needs_layer", quantity="output_shape")
    else:
        analysis = part.network.layer(subject.layer)
    keys = SHAPE_KEYS[len(analysis.output_shape)]
    entries = claim.claimed.value
    if len(entries) != len(keys):
        finding = Finding(FindingCode.SHAPE_RANK, {"claimed": len(entries), "right": len(keys)})
        return Outcome(Verdict.WRONG, Expected(ExpectedKind.NONE), (finding,))
    components = []
    for key, entry in zip(keys, entries, strict=False):
        try:
            outcome = _check_scalar(entry, scalar_truth(subject, key, context), f"{_seed(claim)}:{key}")
        except Unverifiable as reason:
            outcome = Outcome(Verdict.UNVERIFIABLE, Expected(ExpectedKind.NONE), (reason.finding,))
        components.append((key, outcome))
    verdicts = {outcome.verdict for _, outcome in components}
    verdict = next(
        v for v in ("wrong", "unverifiable", "agrees", "equivalent", "correct") if v in verdicts or v == "correct"
    )
    findings = tuple(
        Finding(FindingCode.COMPONENT, {"component": key, "findings": outcome.findings})
        for key, outcome in components
        if outcome.verdict != "correct"
    )
    expected = Expected(ExpectedKind.SHAPE, tuple(outcome.expected for _, outcome in components))
    return Outcome(Verdict(verdict), expected, findings, components=tuple(components))
