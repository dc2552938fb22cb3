"""Checking a claimed receptive field: the composition rule the region follows.

A wrong region is matched, in order, against the whole chain composed by a
known wrong rule (:mod:`symcnn.region_mistakes`), against one step from the
student's own region for the layer below (right, so the error is carried
over, or by a wrong rule), against another layer's region, and finally
against one end right and the other off (a slip).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from .claims import Claim, Region
from .diagnosis import Finding
from .network import Network
from .plain import region_text
from .receptive_field import Interval
from .region_mistakes import RULES, Pair, chain, step_pair
from .truth import Context, Unverifiable, region_truth
from .verdicts import Expected, Outcome, distinct


def check_region(claim: Claim, context: Context, siblings: tuple[Claim, ...]) -> Outcome:
    truth = region_truth(claim.subject, context)
    region: Region = claim.claimed.value
    expected = Expected("region", truth, axes=region.axes)
    if (region.rows, region.columns) == truth:
        return Outcome("correct", expected)
    network, layer = claim.subject.network, claim.subject.layer
    if network is None or layer is None:  # region_truth has already refused such a subject
        raise Unverifiable("needs_layer", quantity="receptive_field")
    matches = _region_matches(claim, network, layer, truth, context, siblings)
    if matches:
        return Outcome("wrong", expected, matches[0], tuple(distinct(matches[1:]))[:2])
    return Outcome("wrong", expected, _region_slip(claim, network, layer, truth, context, siblings))


def _bound(claim: Claim, context: Context) -> dict[sp.Symbol, sp.Expr]:
    return context.bound(claim.subject.part)


def _region_matches(
    claim: Claim, network: Network, layer: str, truth: Pair, context: Context, siblings: tuple[Claim, ...]
) -> list[tuple[Finding, ...]]:
    claimed = (claim.claimed.value.rows, claim.claimed.value.columns)
    bound = _bound(claim, context)
    matches: list[tuple[Finding, ...]] = []
    for rule in RULES[1:]:
        if chain(network, layer, rule, bound) == claimed:
            matches.append((Finding(f"rf_chain_{rule}", {"layer": layer}),))
    previous = _previous_claim(claim, network, layer, siblings)
    if previous is not None and not matches:
        name, pair = previous
        steps = {rule: _compose(network, name, layer, pair, rule, bound) for rule in RULES}
        fields = {"previous": name, "region": pair, "jump": pair[0].jump}
        if steps["right"] == claimed:
            matches.append((Finding("rf_carried", fields),))
        if steps["no_jump"] == claimed and steps["reversed"] == claimed:
            matches.append((Finding("rf_step_stride_one", fields),))
        else:
            matches += [(Finding(f"rf_step_{rule}", fields),) for rule in RULES[1:] if steps[rule] == claimed]
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
                    Finding(
                        "rf_other_claimed",
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
                matches.append((Finding("rf_other_true", {"other": analysis.name, "layer": layer}),))
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


def _compose(
    network: Network, start: str, end: str, pair: Pair, rule: str, bound: Mapping[sp.Symbol, sp.Expr]
) -> Pair:
    """``pair`` (the region of layer ``start``) composed up to layer ``end`` by ``rule``."""
    names = [a.name for a in network.layers]
    for analysis in network.layers[names.index(start) + 1 : names.index(end) + 1]:
        pair = step_pair(pair, getattr(analysis.layer, "windows", None), rule, bound)
    return pair


def _end(interval: Interval, end: str, index: str) -> str:
    """One end of an interval as text, e.g. ``2i - 4``."""
    return region_text(interval, interval, 1).split(" : ")[0 if end == "first" else 1].replace("i", index)


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
                used = tuple(_end(c, end, index) for c, index in zip(claimed, ("i", "j"), strict=False))
                fields = {
                    "end": "start" if end == "first" else "end",
                    "rule": rule,
                    "previous": origin,
                    "region": previous[1] if previous else None,
                    "right": reference,
                    "used": used[0] if claimed[0] == claimed[1] else ", ".join(used),
                }
                return (Finding("rf_end_off" if origin is None else "rf_end_slip", fields),)
    return (Finding("no_match"),)
