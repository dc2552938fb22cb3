"""Checking a claimed receptive field: the composition rule the region follows.

A wrong region is matched, in order, against the whole chain composed by a
known wrong rule, against one step from the student's own region for the
layer below (right, so the error is carried over, or by a wrong rule),
against another layer's region, and finally against one end right and the
other off (a slip).

Per axis a region is ``(a·i + b_0 : a·i + b_1)``. One layer further up
(kernel K, stride S, padding P, extent K_e) the right composition is
:meth:`Interval.through`: ``a' = a·S``, ``b_0' = b_0 - a·P``,
``b_1' = b_1 + a·(K_e - 1 - P)``. Two mistakes are common:

* ``no_jump``: the offsets added without multiplying them by the jump ``a``
  accumulated below (``b_0' = b_0 - P``, ``b_1' = b_1 + K_e - 1 - P``), the
  jump itself right;
* ``reversed``: the layer's window ``(S·i - P : S·i - P + K_e - 1)`` applied to
  the region found so far, as if the layers came in the opposite order
  (``b_0' = S·b_0 - P``, ``b_1' = S·b_1 - P + K_e - 1``).

For a stride-1 layer the two give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sympy as sp

from symcnn.check.truth import Context, Unverifiable, region_truth
from symcnn.check.verdicts import Expected, Finding, Outcome, distinct
from symcnn.check.vocabulary import ExpectedKind, FindingCode, Verdict
from symcnn.cnn.analysis import Window
from symcnn.cnn.network import Network
from symcnn.cnn.receptive_field import Interval
from symcnn.files.claims import Claim, Region
from symcnn.formula.plain import plain
from symcnn.formula.symbols import i, j

RULES = ("right", "no_jump", "reversed")
CHAIN_RULES = (*RULES, "no_stride", "no_dilation")
"""Rules a whole chain may be composed by: also every stride taken as 1, every dilation as 1."""
Pair = tuple[Interval, Interval]
_UNIT = Interval(sp.Integer(1), sp.Integer(0), sp.Integer(0))  # neuron i sees pixel i: the input's own region


def check_region(claim: Claim, context: Context, siblings: tuple[Claim, ...]) -> Outcome:
    truth = region_truth(claim.subject, context)
    region: Region = claim.claimed.value
    expected = Expected(ExpectedKind.REGION, truth, axes=region.axes)
    if (region.rows, region.columns) == truth:
        return Outcome(Verdict.CORRECT, expected)
    network, layer = claim.subject.network, claim.subject.layer
    if network is None or layer is None:  # region_truth has already refused such a subject
        raise Unverifiable("needs_layer", quantity="receptive_field")
    matches = _region_matches(claim, network, layer, truth, context, siblings)
    if matches:
        return Outcome(Verdict.WRONG, expected, matches[0], tuple(distinct(matches[1:]))[:2])
    return Outcome(Verdict.WRONG, expected, _region_slip(claim, network, layer, truth, context, siblings))


def _bound(claim: Claim, context: Context) -> dict[sp.Symbol, sp.Expr]:
    return context.bound(claim.subject.part)


def _region_matches(
    claim: Claim, network: Network, layer: str, truth: Pair, context: Context, siblings: tuple[Claim, ...]
) -> list[tuple[Finding, ...]]:
    claimed = (claim.claimed.value.rows, claim.claimed.value.columns)
    bound = _bound(claim, context)
    matches: list[tuple[Finding, ...]] = []
    for rule in CHAIN_RULES[1:]:
        if chain(network, layer, rule, bound) == claimed:
            matches.append((Finding(FindingCode(f"rf_chain_{rule}"), {"layer": layer}),))
    previous = _previous_claim(claim, network, layer, siblings)
    if previous is not None and not matches:
        name, pair = previous
        steps = {rule: _compose(network, name, layer, pair, rule, bound) for rule in RULES}
        fields = {"previous": name, "region": pair, "jump": pair[0].jump}
        if steps["right"] == claimed:
            matches.append((Finding(FindingCode.RF_CARRIED, fields),))
        if steps["no_jump"] == claimed and steps["reversed"] == claimed:
            matches.append((Finding(FindingCode.RF_STEP_STRIDE_ONE, fields),))
        else:
            matches += [(Finding(FindingCode(f"rf_step_{rule}"), fields),)
                        for rule in RULES[1:] if steps[rule] == claimed]
    names = [a.name for a in network.layers]
    below = set(names[: names.index(layer)])
    for other in siblings if not matches else ():
        if (
            other.quantity == "receptive_field"
            and other.subject.part is claim.subject.part
            and other.subject.layer in below
            and (other.claimed.value.rows, other.claimed.value.columns) == claimed
        ):
            matches.append(
                (
                    Finding(FindingCode.RF_OTHER_CLAIMED,
                        {"other": other.subject.layer, "index": other.index, "layer": layer},
                    ),
                )
            )
            break
    receptive = context.fields(network)
    values = receptive.values(bound)
    for analysis, field_ in zip(network.layers, receptive.fields, strict=False) if not matches else ():
        if field_ is not None and analysis.name != layer:
            rf = field_.bound(values)
            if (rf.rows, rf.columns) == claimed:
                matches.append((Finding(FindingCode.RF_OTHER_TRUE, {"other": analysis.name, "layer": layer}),))
                break
    return matches


def _previous_claim(
    claim: Claim, network: Network, layer: str, siblings: tuple[Claim, ...]
) -> tuple[str, Pair] | None:
    """The student's own region for the nearest layer below ``layer``, if they gave one."""
    names = [a.name for a in network.layers]
    here = names.index(layer)
    for name in reversed(names[:here]):
        for other in siblings:
            if (
                other.quantity == "receptive_field"
                and other.subject.part is claim.subject.part
                and other.subject.layer == name
            ):
                return name, (other.claimed.value.rows, other.claimed.value.columns)
    return None


def _region_slip(
    claim: Claim, network: Network, layer: str, truth: Pair, context: Context, siblings: tuple[Claim, ...]
) -> tuple[Finding, ...]:
    """One end right (by symcnn's rule, or a known one from the student's previous row), the other off."""
    claimed = (claim.claimed.value.rows, claim.claimed.value.columns)
    references: list[tuple[str, str | None, Pair]] = []
    previous = _previous_claim(claim, network, layer, siblings)
    if previous is not None:
        name, pair = previous
        for rule in RULES:
            composed = _compose(network, name, layer, pair, rule, _bound(claim, context))
            references.append((rule, name, composed))
    references.append(("right", None, truth))
    for rule, origin, reference in references:
        for end, other in (("first", "last"), ("last", "first")):
            same = all(
                getattr(c, other) == getattr(r, other) and c.jump == r.jump
                for c, r in zip(claimed, reference, strict=True)
            )
            differs = any(getattr(c, end) != getattr(r, end) for c, r in zip(claimed, reference, strict=True))
            if same and differs:
                side = 0 if end == "first" else 1
                used = tuple(plain(c.ends(n)[side], juxtapose=True) for c, n in zip(claimed, (i, j), strict=True))
                fields = {
                    "end": "start" if end == "first" else "end",
                    "rule": rule,
                    "previous": origin,
                    "region": previous[1] if previous else None,
                    "right": reference,
                    "used": used[0] if claimed[0] == claimed[1] else ", ".join(used),
                }
                return (Finding(FindingCode.RF_END_OFF if origin is None else FindingCode.RF_END_SLIP, fields),)
    return (Finding(FindingCode.NO_MATCH),)


# --- composing by a rule ------------------------------------------------------


def _step(interval: Interval, window: Window, rule: str, values: Mapping[sp.Symbol, sp.Expr]) -> Interval:
    """``interval`` one layer further up, composed by ``rule``, numbers bound."""
    if rule == "right":
        moved = interval.through(window)
    elif rule == "no_jump":  # the offsets composed as if the jump below were 1
        offsets = Interval(sp.Integer(1), interval.first, interval.last).through(window)
        moved = Interval(interval.jump * offsets.jump, offsets.first, offsets.last)
    elif rule == "reversed":  # the window's own interval (the input's, one layer up) applied to the region so far
        own = _UNIT.through(window)
        moved = Interval(
            own.jump * interval.jump, own.jump * interval.first + own.first, own.jump * interval.last + own.last
        )
    elif rule == "no_stride":
        moved = interval.through(replace(window, stride=sp.Integer(1)))
    elif rule == "no_dilation":
        moved = interval.through(replace(window, dilation=sp.Integer(1)))
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return moved.bound(dict(values))


def _step_pair(
    pair: Pair, windows: tuple[Window, ...] | None, rule: str, values: Mapping[sp.Symbol, sp.Expr]
) -> Pair:
    """Both axes one layer further up (a layer without a window keeps the region)."""
    if windows is None:
        return pair
    return _step(pair[0], windows[0], rule, values), _step(pair[1], windows[1], rule, values)


def chain(network: Network, upto: str, rule: str, values: Mapping[sp.Symbol, sp.Expr]) -> Pair | None:
    """The region of layer ``upto`` when every layer from the input up is composed by ``rule``.

    None past a Flatten (those neurons see the whole input).
    """
    names = [a.name for a in network.layers]
    if upto not in names or any(len(a.output_shape) == 1 for a in network.layers[: names.index(upto) + 1]):
        return None
    return _compose(network, None, upto, (_UNIT, _UNIT), rule, values)


def _compose(
    network: Network, start: str | None, end: str, pair: Pair, rule: str, bound: Mapping[sp.Symbol, sp.Expr]
) -> Pair:
    """``pair`` (the region of layer ``start``; None: of the input) composed up to layer ``end`` by ``rule``."""
    names = [a.name for a in network.layers]
    first = 0 if start is None else names.index(start) + 1
    for analysis in network.layers[first : names.index(end) + 1]:
        pair = _step_pair(pair, analysis.layer.sliding_windows or None, rule, bound)
    return pair
