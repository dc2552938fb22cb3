"""The verdict on a claimed value and what explains it, as data (no computing, no wording)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symcnn.check.vocabulary import ExpectedKind, FindingCode, Verdict
from symcnn.formula.steps import Derivation

VERDICTS = tuple(Verdict)


@dataclass(frozen=True)
class Finding:
    """One thing the checker found; ``code`` picks the wording in words.toml [diagnoses].

    ``fields`` fill the wording's placeholders: sympy trees (printed as
    formulas), integers, strings.
    """

    code: FindingCode
    fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", FindingCode(self.code))  # a code without wording is a bug: ValueError


@dataclass(frozen=True)
class Expected:
    """symcnn's answer: ``kind`` is number, per_batch (B·n), formula, region, shape or none."""

    kind: ExpectedKind
    value: Any = None
    formula: sp.Basic | None = None
    axes: int = 2


@dataclass(frozen=True)
class Outcome:
    """The verdict on one claimed value, with what explains it.

    ``findings`` is the diagnosis (for ``equivalent`` and ``unverifiable``: why);
    ``alternatives`` are other explanations that fit as well; ``components``
    the entries of an output shape, each with its own outcome.
    """

    verdict: Verdict
    expected: Expected
    findings: tuple[Finding, ...] = ()
    alternatives: tuple[tuple[Finding, ...], ...] = ()
    derivation: Derivation | None = None
    components: tuple[tuple[str, Outcome], ...] = ()


def distinct(explanations: list[tuple[Finding, ...]]) -> list[tuple[Finding, ...]]:
    """``explanations`` without repeats, in order."""
    kept: list[tuple[Finding, ...]] = []
    for explanation in explanations:
        if explanation not in kept:
            kept.append(explanation)
    return kept
