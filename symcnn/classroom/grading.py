"""Grading a class: each answer checked by symcnn's checker against the student's own variant.

The answers file is a CSV with a header naming the columns ``student``,
``part``, ``question`` and ``answer``: a number (``73856`` or ``73,856``), a
formula in the notation, a shape ``[C, H, W]`` (or ``C x H x W``) or a region
``16i - 62 : 16i + 77, 16j - 62 : 16j + 77``. ``question`` is a question name
(``params``) or its number (``1.3``). A row naming an unknown student or
question, a malformed answer or a repeated answer is reported on its own row
of the grades (verdict ``invalid``) and the run goes on; a question a student
left out is ``missing``. Verdicts come from :func:`symcnn.check.checker.check_claim`
and are treated generically (the ``[grading]`` table says what each earns).
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from symcnn.check.checker import check_claim
from symcnn.check.truth import Context
from symcnn.check.verdicts import Finding, Outcome
from symcnn.classroom.answer_key import KeyEntry, answer_key
from symcnn.classroom.class_build import read_manifest
from symcnn.classroom.grading_rules import SLIP_CODES, GradingRules, read_grading
from symcnn.classroom.variants import VariantSpace, read_variant_space, variant_assignment
from symcnn.errors import SpecError, SymcnnError
from symcnn.files.claims import Claim, Subject, claimed_answer
from symcnn.files.spec import read_toml
from symcnn.render.check_report import diagnosis
from symcnn.render.documents import words as load_words
from symcnn.solutions.solution import Solution, solve

COLUMNS = ("student", "part", "question", "answer")
INVALID, MISSING, MALFORMED = "invalid", "missing", "malformed"


@dataclass(frozen=True)
class Row:
    """One row of the answers file, as read (``line``: its line number)."""

    line: int
    student: str
    part: str
    question: str
    answer: str


@dataclass(frozen=True)
class Grade:
    """One graded answer (or a row that could not be graded: verdict ``invalid``, ``problem`` says why)."""

    student: str
    part: int | None
    number: str
    question: str
    answer: str
    expected: str
    verdict: str
    points: Fraction
    out_of: Fraction
    diagnosis: str = ""
    mistakes: tuple[str, ...] = ()
    problem: str = ""
    line: int | None = None


def read_answers(path: str | Path) -> list[Row]:
    """The rows of an answers CSV.

    Raises:
        SpecError: no such file, not text, or a header without the four columns.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        reason = error.__class__.__name__
        raise SpecError(f"{path}: cannot read the answers ({reason}); give a UTF-8 CSV file") from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise SpecError(f"{path}: line 1: the header lacks {', '.join(missing)}; it must name "
                        f"{', '.join(COLUMNS)}")
    at = [header.index(column) for column in COLUMNS]
    read = []
    for line, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            cells = [row[k].strip() if k < len(row) else "" for k in at]
            read.append(Row(line, *cells))
    return read


def grade_class(folder: str | Path, answers: str | Path, jobs: int | None = None,
                progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
                ) -> tuple[list[Grade], dict[str, Solution], GradingRules]:
    """Grade every student of a class build (``folder``: what ``symcnn variants`` wrote).

    Returns the grades (students in the manifest's order, then invalid rows), the
    solutions of the students who answered, and the grading rules.

    Raises:
        SpecError: a missing manifest or answers file, or a malformed header.
    """
    manifest = read_manifest(folder)
    space = read_variant_space(manifest["assignment"])
    rules = read_grading(read_toml(space.source).get("grading"), str(space.source))
    rows = read_answers(answers)
    students: dict[str, dict[str, int]] = manifest["students"]
    invalid = [_invalid(row, f"unknown student {row.student!r}; not in {Path(folder) / 'variants.json'}")
               for row in rows if row.student not in students]
    by_student: dict[str, list[Row]] = {}
    for row in rows:
        if row.student in students:
            by_student.setdefault(row.student, []).append(row)
    tasks = [(space, rules, student, students[student], by_student[student]) for student in students
             if student in by_student]
    jobs = max(1, jobs or os.cpu_count() or 1)
    grades: list[Grade] = []
    solutions: dict[str, Solution] = {}
    wrap = progress or (lambda results, total: results)
    if jobs == 1 or len(tasks) < 2:
        for student, graded, solution in wrap(map(_grade_student, tasks), len(tasks)):
            grades += graded
            solutions[student] = solution
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, len(tasks) // (4 * jobs))
            for student, graded, solution in wrap(pool.map(_grade_student, tasks, chunksize=chunk), len(tasks)):
                grades += graded
                solutions[student] = solution
    return grades + invalid, solutions, rules


def _invalid(row: Row, problem: str) -> Grade:
    return Grade(row.student, None, "", row.question, row.answer, "", INVALID, Fraction(0), Fraction(0),
                 problem=f"line {row.line}: {problem}", line=row.line)


def _grade_student(task: tuple[VariantSpace, GradingRules, str, dict[str, int], list[Row]],
                   ) -> tuple[str, list[Grade], Solution]:
    space, rules, student, values, rows = task
    try:
        assignment = variant_assignment(space, values)
        solution = solve(assignment)
    except SymcnnError as error:
        raise SpecError(f"student {student}: {error}") from None
    key = answer_key(solution)
    context = Context(assignment.values)
    answered: dict[str, Row] = {}
    grades: list[Grade] = []
    for row in rows:
        entry = _entry(row, key)
        if entry is None:
            grades.append(_invalid(row, f"unknown question {row.question!r} of part {row.part!r}; "
                                        f"the questions are {', '.join(e.number + ' ' + e.question for e in key)}"))
        elif entry.number in answered:
            grades.append(_invalid(row, f"a second answer to {entry.number} {entry.question} "
                                        f"(the first is on line {answered[entry.number].line}); only the first counts"))
        else:
            answered[entry.number] = row
    for entry in key:
        given = answered.get(entry.number)
        out_of = rules.points_for(entry.part, entry.question)
        if given is None:
            grades.append(Grade(student, entry.part, entry.number, entry.question, "", entry.text, MISSING,
                                Fraction(0), out_of))
            continue
        grades.append(_grade(student, given, entry, assignment.parts[entry.part - 1], context, rules, out_of))
    grades.sort(key=lambda g: (g.line is not None and g.verdict == INVALID, g.part or 0, g.number))
    return student, grades, solution


def _entry(row: Row, key: tuple[KeyEntry, ...]) -> KeyEntry | None:
    question = row.question
    for entry in key:
        if question == entry.number or (question == entry.question and row.part == str(entry.part)):
            return entry
    return None


_SHAPE_SPLIT = re.compile(r"\s*(?:[x×*])\s*")


def _claimed_value(entry: KeyEntry, text: str) -> Any:
    """The answer text as a claims file's ``claimed`` value (a shape becomes a list)."""
    if entry.kind != "shape":
        return text
    body = text.strip()
    if body[:1] in "[(" and body[-1:] in "])":
        return [cell.strip() for cell in body[1:-1].split(",")]
    return [cell for cell in _SHAPE_SPLIT.split(body)]


def _grade(student: str, row: Row, entry: KeyEntry, part: Any, context: Context, rules: GradingRules,
           out_of: Fraction) -> Grade:
    base = Grade(student, entry.part, entry.number, entry.question, row.answer, entry.text, INVALID,
                 Fraction(0), out_of, line=row.line)
    subject = Subject(part, entry.part, entry.layer)
    where = f"line {row.line} ({entry.number} {entry.question})"
    try:
        if not row.answer:
            raise SpecError(f"{where}: the answer is empty")
        claimed = claimed_answer(_claimed_value(entry, row.answer), entry.claim_quantity, subject, where)
    except SpecError as error:
        return replace(base, verdict=MALFORMED, problem=f"malformed answer: {error}")
    claim = Claim(row.line, entry.claim_quantity, subject, claimed)
    outcome = check_claim(claim, context, (claim,))
    slipped = _has(outcome, SLIP_CODES)
    words = _words()
    said = diagnosis(outcome, words) or ""
    return replace(base, verdict=outcome.verdict, points=out_of * rules.share(outcome.verdict, slipped),
                   diagnosis=said, mistakes=tuple(_labels(outcome, words)) if outcome.verdict == "wrong" else ())


@functools.lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return load_words()


def _findings(outcome: Outcome) -> list[Finding]:
    found = list(outcome.findings)
    for _, component in outcome.components:
        found += _findings(component)
    return [f for f in found if f.code != "component"]


def _has(outcome: Outcome, codes: tuple[str, ...]) -> bool:
    return any(f.code in codes for f in _findings(outcome))


_NOT_MISTAKES = ("counterexample", "proved_match", "sampled_match", "equivalent", "no_match")


def _labels(outcome: Outcome, words: dict[str, Any]) -> list[str]:
    """Short names of the mistakes diagnosed: the first clause of each finding's wording."""
    from symcnn.render.wording import explain

    labels = []
    for finding in _findings(outcome):
        if finding.code in _NOT_MISTAKES:
            continue
        text = explain(Finding(finding.code, {k: v for k, v in finding.fields.items() if k != "match"}),
                       words, "plain")
        label = re.split(r"[:;.]\s", text + " ", maxsplit=1)[0].strip().rstrip(".")
        labels.append(label if len(label) <= 70 else label.split(", ")[0])
    return labels or ["no known mistake matches"]
