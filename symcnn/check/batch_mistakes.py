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

import sympy as sp

from symcnn.check.verdicts import Finding
from symcnn.check.vocabulary import FindingCode
from symcnn.cnn.memory import (
    DTYPE_BYTES,
    Budget,
    MemoryPlan,
    budget_of,
    largest_batch_activation,
    largest_batch_training,
    unit_amount,
)
from symcnn.formula.symbols import b


def swapped_unit(budget: Budget) -> Budget | None:
    """The same amount in the other unit system (12 GiB -> 12 GB), exactly.

    None for plain bytes, and where the amount in the other unit is not a whole
    number of bytes (1.3 GB is, 1.3 GiB is not): that mistake gives no batch.
    """
    unit = budget.unit.upper()
    if unit == "B":
        return None
    other = unit[0] + ("B" if unit.endswith("IB") else "IB")
    return budget_of(unit_amount(budget), other)


def _largest(plan: MemoryPlan, training: bool, element_bytes: int | None = None) -> sp.Integer:
    if element_bytes is None:
        return plan.max_batch(training)
    quantity = largest_batch_training() if training else largest_batch_activation()
    return max(sp.Integer(0), quantity.value({**plan.values, b: sp.Integer(element_bytes)}))


def batch_variants(plan: MemoryPlan, training: bool) -> list[tuple[tuple[Finding, ...], sp.Integer]]:
    """Each wrong largest batch with the mistakes that give it, most likely first."""
    found: list[tuple[tuple[Finding, ...], sp.Integer]] = []
    swapped = swapped_unit(plan.budget)
    unit = Finding(FindingCode.UNIT_CONFUSED,
        {"given": plan.budget.unit, "meant": plan.budget.meaning, "used": swapped.meaning if swapped else ""},
    )
    model = Finding(FindingCode.ACTIVATION_FOR_TRAINING if training else FindingCode.TRAINING_FOR_ACTIVATION)
    if swapped is not None:
        found.append(((unit,), dataclasses.replace(plan, budget=swapped).max_batch(training)))
    found.append(((model,), plan.max_batch(not training)))
    if swapped is not None:
        found.append(((model, unit), dataclasses.replace(plan, budget=swapped).max_batch(not training)))
    for dtype_bytes in sorted({1, *DTYPE_BYTES.values()} - {plan.element_bytes}):
        used = {"used": dtype_bytes, "right": plan.element_bytes, "dtype": plan.dtype}
        finding = Finding(FindingCode.ELEMENT_BYTES, used)
        found.append(((finding,), _largest(plan, training, dtype_bytes)))
    return found
