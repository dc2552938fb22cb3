"""Saying the checker's findings: words.toml's wording with the findings' fields put in.

``plain`` is for the terminal and JSON; ``md`` and ``tex`` for documents,
where formulas become math and every other piece of text is escaped.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import sympy as sp
from markupsafe import Markup

from symcnn.check.verdicts import Finding
from symcnn.formula.plain import grouped, plain, region_text
from symcnn.formula.steps import latex
from symcnn.render.documents import escape_markdown, escape_tex

STYLES = ("plain", "md", "tex")


def explain(finding: Finding, words: Mapping[str, Any], style: str = "plain") -> str:
    """One finding in words (Markup for ``md`` and ``tex``)."""
    template = words["diagnoses"][finding.code]
    fields = dict(finding.fields)
    if finding.code == "equivalent":
        phrase = words["phrases"]["proved" if fields.get("proved") else "sampled"]
        fields["how"] = phrase.format(points=fields.get("points", 0))
    if "rule" in fields:
        fields["rule"] = words["rules"][fields["rule"]]
    pieces = []
    for literal, name, _, _ in string.Formatter().parse(template):
        pieces.append(_text(literal, style))
        if name is not None:
            pieces.append(_field(name, fields.get(name), words, style))
    text = "".join(pieces).strip()
    return Markup(text) if style != "plain" else text


def explain_all(
    findings: tuple[Finding, ...],
    alternatives: tuple[tuple[Finding, ...], ...],
    words: Mapping[str, Any],
    style: str = "plain",
) -> str:
    """A diagnosis: its findings in order, then each alternative explanation after "Or:"."""
    parts = [" ".join(explain(f, words, style) for f in findings)]
    for alternative in alternatives:
        parts.append(
            _text(words["phrases"]["alternative"], style)
            + " "
            + " ".join(explain(f, words, style) for f in alternative)
        )
    text = " ".join(part for part in parts if part)
    return Markup(text) if style != "plain" else text


def _text(text: str, style: str) -> str:
    if style == "tex":
        return escape_tex(text)
    if style == "md":
        return escape_markdown(text)
    return text


def _math(tree: sp.Basic, style: str) -> str:
    return plain(tree) if style == "plain" else f"${latex(tree)}$"


def _field(name: str, value: Any, words: Mapping[str, Any], style: str) -> str:
    if value is None or value == "":
        return ""
    if name == "meaning":
        return _text(f" ({value})", style)
    if name == "component" and isinstance(value, str):
        return _text(words["quantities"].get(value, value), style)
    if name == "quantity" and isinstance(value, str):
        return _text(f"{words['quantities'].get(value, value).lower()} ({value})", style)
    if isinstance(value, Finding):
        return explain(value, words, style)
    if isinstance(value, tuple) and all(isinstance(v, Finding) for v in value):
        return " ".join(explain(v, words, style) for v in value)
    if isinstance(value, tuple) and len(value) == 2 and all(hasattr(v, "jump") for v in value):
        text = region_text(value[0], value[1], 1 if value[0] == value[1] else 2)
        return text if style == "plain" else f"${text}$"
    if isinstance(value, dict):
        pairs = [(sym, value[sym]) for sym in sorted(value, key=lambda s: s.name)]
        if style == "plain":
            return ", ".join(f"{sym.name} = {grouped(v)}" for sym, v in pairs)
        return "$" + ", ".join(f"{latex(sym)} = {latex(v)}" for sym, v in pairs) + "$"
    if isinstance(value, list):
        return " and ".join(_field(name, v, words, style) for v in value)
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) or (isinstance(value, sp.Basic) and value.is_Integer):
        return grouped(value)
    if isinstance(value, sp.Basic):
        return _math(value, style)
    return _text(str(value), style)
