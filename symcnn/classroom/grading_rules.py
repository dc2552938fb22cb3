"""The ``[grading]`` table of an assignment: points per question and partial credit.

::

    [grading]
    points = 1                 # every question's points unless named below
    slip = 0.5                 # share of the points for a wrong answer whose only mistake is arithmetic
    [grading.questions]
    max_batch = 2              # by question name, or "4.max_batch" for one part's
    [grading.credit]
    equivalent = 1             # share per verdict; correct 1, wrong and unverifiable 0 unless set

Points are exact fractions. A verdict the table does not name (a newer checker's)
earns full points unless it is ``wrong`` or ``unverifiable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from symcnn.errors import SpecError

NO_CREDIT = ("wrong", "unverifiable")
SLIP_CODES = ("slip", "digit_slip", "step_slip", "step_changes", "rf_end_slip")
"""Diagnoses that say the method was right and the arithmetic slipped."""


@dataclass(frozen=True)
class GradingRules:
    """Points per question, the share a verdict earns, and the share for an arithmetic slip."""

    points: Fraction = Fraction(1)
    questions: dict[str, Fraction] = field(default_factory=dict)
    credit: dict[str, Fraction] = field(default_factory=dict)
    slip: Fraction = Fraction(0)

    def points_for(self, part: int, question: str) -> Fraction:
        """The points ``question`` of ``part`` is worth."""
        return self.questions.get(f"{part}.{question}", self.questions.get(question, self.points))

    def share(self, verdict: str, slipped: bool) -> Fraction:
        """The share of the points a verdict earns (``slipped``: a wrong answer diagnosed as a slip)."""
        if verdict in self.credit:
            return self.credit[verdict]
        if verdict == "wrong" and slipped:
            return self.slip
        return Fraction(0) if verdict in NO_CREDIT else Fraction(1)


def read_grading(table: Any, where: str) -> GradingRules:
    """The ``[grading]`` table (missing: one point a question, no partial credit).

    Raises:
        SpecError: a key or value outside the format, naming it.
    """
    if table is None:
        return GradingRules()
    if not isinstance(table, dict):
        raise SpecError(f"{where}: grading must be a table")
    unknown = set(table) - {"points", "slip", "questions", "credit"}
    if unknown:
        raise SpecError(f"{where}: grading: unknown key {sorted(unknown)[0]!r}; valid: points, slip, questions, credit")
    questions = table.get("questions", {})
    credit = table.get("credit", {})
    if not isinstance(questions, dict) or not isinstance(credit, dict):
        raise SpecError(f"{where}: grading.questions and grading.credit must be tables")
    return GradingRules(
        _number(table.get("points", 1), f"{where}: grading.points"),
        {str(k): _number(v, f"{where}: grading.questions.{k}") for k, v in questions.items()},
        {str(k): _share(v, f"{where}: grading.credit.{k}") for k, v in credit.items()},
        _share(table.get("slip", 0), f"{where}: grading.slip"),
    )


def _number(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SpecError(f"{where} must be a number >= 0, got {value!r}")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _share(value: Any, where: str) -> Fraction:
    share = _number(value, where)
    if share > 1:
        raise SpecError(f"{where} must be a share between 0 and 1, got {value!r}")
    return share
