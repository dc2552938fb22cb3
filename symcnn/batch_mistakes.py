"""The known wrong ways to compute the largest batch, from symcnn's own memory plan.

GB and GiB confused (10^9 versus 2^30 bytes), the assignment's model (only
the largest activation must fit) used where training was asked (every
activation kept, plus weights, gradients and optimizer state) or the other
way round, and the bytes per element of another dtype (or none: elements
counted as bytes). Each variant is :class:`MemoryPlan`'s own formula with one
input changed.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import sympy as sp

from .diagnosis import Finding
from .memory import (
    DTYPE_BYTES,
    Budget,
    MemoryPlan,
    largest_batch_activation,
    largest_batch_training,
    parse_budget,
)
from .symbols import b

_SWAPPED = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "TB": "TiB"}
_SWAPPED.update({binary: si for si, binary in _SWAPPED.items()})
_BYTES = {"K": 1, "M": 2, "G": 3, "T": 4}


def _unit_bytes(unit: str) -> int:
    power = _BYTES[unit[0].upper()]
    return 2 ** (10 * power) if unit.upper().endswith("IB") else 10 ** (3 * power)


def swapped_unit(budget: Budget) -> Budget | None:
    """The same amount in the other unit system (12 GiB -> 12 GB), or None for plain bytes."""
    unit = next((u for u in _SWAPPED if u.upper() == budget.unit.upper()), None)
    if unit is None:
        return None
    amount = Fraction(budget.bytes, _unit_bytes(unit))
    text = str(amount.numerator) if amount.denominator == 1 else str(float(amount))
    return parse_budget(f"{text}{_SWAPPED[unit]}")


def _largest(plan: MemoryPlan, training: bool, element_bytes: int | None = None) -> sp.Integer:
    if element_bytes is None:
        return plan.max_batch(training)
    quantity = largest_batch_training() if training else largest_batch_activation()
    return max(sp.Integer(0), quantity.value({**plan.values, b: sp.Integer(element_bytes)}))


def batch_variants(plan: MemoryPlan, training: bool) -> list[tuple[tuple[Finding, ...], sp.Integer]]:
    """Each wrong largest batch with the mistakes that give it, most likely first."""
    found: list[tuple[tuple[Finding, ...], sp.Integer]] = []
    swapped = swapped_unit(plan.budget)
    unit = Finding(
        "unit_confused",
        {"given": plan.budget.unit, "meant": plan.budget.meaning, "used": swapped.meaning if swapped else ""},
    )
    model = Finding("activation_for_training" if training else "training_for_activation")
    if swapped is not None:
        found.append(((unit,), dataclasses.replace(plan, budget=swapped).max_batch(training)))
    found.append(((model,), plan.max_batch(not training)))
    if swapped is not None:
        found.append(((model, unit), dataclasses.replace(plan, budget=swapped).max_batch(not training)))
    for dtype_bytes in sorted({1, *DTYPE_BYTES.values()} - {plan.element_bytes}):
        finding = Finding(
            "element_bytes", {"used": dtype_bytes, "right": plan.element_bytes, "dtype": plan.dtype}
        )
        found.append(((finding,), _largest(plan, training, dtype_bytes)))
    return found
