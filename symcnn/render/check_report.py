"""Presenting a check: the terminal table, the JSON object, and the md/tex/pdf report.

Computing stays in :mod:`symcnn.check.checker`; here the outcomes are only written
out. Documents go through the same templates machinery as ``symcnn solve``
(``check.md.j2``, ``check.tex.j2``, words.toml), claims escaped as user text.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import sympy as sp
from markupsafe import Markup

from symcnn.check.checker import Checked, CheckReport
from symcnn.check.verdicts import Expected, Outcome
from symcnn.errors import SymcnnError
from symcnn.formula.latex import latex
from symcnn.formula.plain import grouped, plain, region_text, text_table
from symcnn.formula.symbols import B
from symcnn.render.documents import render
from symcnn.render.output import output_error
from symcnn.render.resources import words as load_words
from symcnn.render.wording import explain_all
from symcnn.render.writer import write_set

REPORT_SUFFIXES = (".md", ".tex", ".pdf")


def exact(expected: Expected) -> Any:
    """symcnn's answer as JSON: an int, a string (formula, region, B·n), a list (shape) or None."""
    if expected.kind == "number":
        return int(expected.value) if expected.value.is_Integer else plain(expected.value)
    if expected.kind == "per_batch":
        return plain(sp.Mul(B, expected.value, evaluate=False))
    if expected.kind == "formula":
        return plain(expected.formula if expected.formula is not None else expected.value)
    if expected.kind == "region":
        rows, columns = expected.value
        return region_text(rows, columns, expected.axes)
    if expected.kind == "shape":
        return [exact(entry) for entry in expected.value]
    return None


def claimed_json(checked: Checked) -> Any:
    """The claim as written; a number (also ``"73,856"``) as an int."""
    claimed = checked.claim.claimed
    if claimed.kind == "number" and claimed.written is not None and claimed.written.is_Integer:
        return int(claimed.value)
    return claimed.text


def diagnosis(outcome: Outcome, words: dict[str, Any], style: str = "plain") -> str | None:
    """The outcome's findings in words, or None when there are none."""
    if not outcome.findings:
        return None
    return explain_all(outcome.findings, outcome.alternatives, words, style)


def as_json(report: CheckReport) -> dict[str, Any]:
    """The schema of ``symcnn check --json``."""
    words = load_words()
    return {
        "claims": [
            {
                "index": c.claim.index,
                "part": c.claim.subject.number,
                "quantity": c.claim.quantity,
                "layer": c.layer,
                "claimed": claimed_json(c),
                "expected": exact(c.outcome.expected),
                "verdict": c.verdict,
                "diagnosis": diagnosis(c.outcome, words),
                **sampling(c.outcome),
            }
            for c in report.checked
        ]
    }


def sampling(outcome: Outcome) -> dict[str, Any]:
    """``{"sampling": {"points", "ranges"}}`` where a formula was compared point by point (else empty)."""
    found = [f for f in outcome.findings if f.code in ("equivalent", "agrees") and "ranges" in f.fields]
    for _, component in outcome.components:
        found += [f for f in component.findings if f.code in ("equivalent", "agrees") and "ranges" in f.fields]
    if not found:
        return {}
    ranges: dict[str, list[int]] = {}
    for finding in found:
        for sym, (low, high) in finding.fields["ranges"].items():
            old = ranges.get(sym.name, [low, high])
            ranges[sym.name] = [min(old[0], int(low)), max(old[1], int(high))]
    points = sum(int(f.fields["points"]) for f in found)
    return {"sampling": {"points": points, "proved": all(f.code == "equivalent" for f in found), "ranges": ranges}}


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return grouped(value)
    return "-" if value is None else str(value)


def as_table(report: CheckReport) -> str:
    """One row per claim, then the diagnoses by claim number and the counts."""
    words = load_words()
    header = ("#", "Part", "Layer", "Quantity", "Claimed", "Expected", "Verdict")
    rows = [
        (
            str(c.claim.index),
            _cell(c.claim.subject.number),
            _cell(c.layer),
            c.claim.quantity,
            _cell(claimed_json(c)),
            _cell(exact(c.outcome.expected)),
            words["verdicts"][c.verdict],
        )
        for c in report.checked
    ]
    title = report.claims.title or f"Claims of {report.claims.source}"
    table = text_table(header, rows, frozenset({0}))
    rule = table[0]
    lines = [f"{title} (checked against {report.claims.target})", *table]
    notes = [(c.claim.index, c.verdict, diagnosis(c.outcome, words)) for c in report.checked]
    notes = [note for note in notes if note[2]]
    if notes:
        lines.append("Diagnoses:")
        lines += [f"  {index}. [{words['verdicts'][verdict]}] {text}" for index, verdict, text in notes]
        lines.append(rule)
    counts = report.counts
    lines.append(", ".join(f"{counts[v]} {words['verdicts'][v]}" for v in counts))
    if counts["unverifiable"]:
        lines.append(f"{counts['unverifiable']} claim(s) could not be verified; see the reasons above.")
    return "\n".join(lines)


def context(report: CheckReport, fmt: str) -> dict[str, Any]:
    """What the check templates see: the report, and each claim's diagnosis already in words."""
    words = load_words()
    style = "tex" if fmt == "tex" else "md"
    said = {c.claim.index: diagnosis(c.outcome, words, style) for c in report.checked}
    parts = {}
    for c in report.checked:
        for key, outcome in c.outcome.components:
            parts[(c.claim.index, key)] = diagnosis(outcome, words, style)
    return {
        "report": report,
        "said": said,
        "component_said": parts,
        "expected_math": expected_math,
        "claimed_math": claimed_math,
        "claimed_text": lambda c: str(c.claim.claimed.text),
    }


def expected_math(expected: Expected) -> Markup:
    """symcnn's answer as LaTeX math (without the dollars)."""
    if expected.kind == "number":
        return Markup(latex(expected.value))
    if expected.kind == "per_batch":
        return Markup(rf"B \cdot {latex(expected.value)}")
    if expected.kind == "formula":
        return Markup(latex(expected.formula if expected.formula is not None else expected.value))
    if expected.kind == "region":
        rows, columns = expected.value
        return Markup(region_text(rows, columns, expected.axes))
    if expected.kind == "shape":
        return Markup(r" \times ".join(expected_math(e) for e in expected.value))
    return Markup("")


def claimed_math(checked: Checked) -> Markup:
    """The claim as LaTeX math, from the parsed tree (never the raw text)."""
    claimed = checked.claim.claimed
    if claimed.kind == "region":
        return Markup(region_text(claimed.value.rows, claimed.value.columns, claimed.value.axes))
    if claimed.kind == "shape":
        return Markup(r" \times ".join(latex(entry.written) for entry in claimed.value))
    return Markup(latex(claimed.written))


def write_check_report(
    report: CheckReport, target: str | Path, template_dir: str | Path | None = None
) -> list[Path]:
    """Render the check into ``target`` (``.md``, ``.tex`` or ``.pdf``, chosen by its suffix).

    Written as solutions are (:func:`~symcnn.render.writer.write_set`): at once, and
    without a TeX engine the PDF is skipped with the same note. Returns the files written.

    Raises:
        SymcnnError: another suffix, or a template problem; TexError: the TeX run failed.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise SymcnnError(f"-o {target}: the report must end in .md, .tex or .pdf")
    if any(folder.exists() and not folder.is_dir() for folder in target.parents):
        raise output_error(target, NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
    return write_set(target.parent, target.stem,
                     lambda fmt: render(f"check.{fmt}.j2", fmt, template_dir, **context(report, fmt)), (suffix[1:],))
