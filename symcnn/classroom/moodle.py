"""A Moodle XML question bank of an assignment: one category per part, one question per variant.

Numbers are ``numerical`` questions with tolerance 0; shapes and receptive-field
regions are ``cloze`` questions (one NUMERICAL blank per entry). Each question's
general feedback is the worked derivation for its own numbers, as HTML with the
TeX inside ``\\( \\)`` (Moodle's MathJax filter renders it). The XML is built
with :mod:`xml.etree.ElementTree`, so every piece of text is escaped by the
library. Format: https://docs.moodle.org/en/Moodle_XML_format
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from fractions import Fraction
from typing import Any

from symcnn.classroom.answer_key import UNGRADED, KeyEntry, answer_key
from symcnn.classroom.grading_rules import GradingRules
from symcnn.classroom.sheet import layer_sentence
from symcnn.files.assignment import Assignment, LayerPart
from symcnn.files.claims import parse_region
from symcnn.formula.latex import latex
from symcnn.formula.prose import segments
from symcnn.render.documents import describe, words
from symcnn.solutions.solution import ActivationTable, Answer, BatchAnswer, ReceptiveFieldAnswer, Solution


def quiz(variants: list[tuple[str, Assignment, Solution]], rules: GradingRules) -> ET.Element:
    """The ``<quiz>`` element: for each part a category, then that part's questions for every variant."""
    root = ET.Element("quiz")
    first = variants[0][1]
    titles = words()["questions"]
    for number, part in enumerate(first.parts, start=1):
        category = ET.SubElement(root, "question", type="category")
        path = "/".join(_category_name(name) for name in (first.title, f"{number}. {part.title}"))
        _text(ET.SubElement(category, "category"), f"$course$/top/{path}")
        for label, assignment, solution in variants:
            items = {f"{s.number}.{k}": item for s in solution.sections for k, item in enumerate(s.items, 1)}
            for entry in answer_key(solution):
                if entry.part == number:
                    item = items[entry.number]
                    root.append(_question(entry, label, assignment, item, titles, rules))
    return root


def quiz_bytes(root: ET.Element) -> bytes:
    """The quiz as UTF-8 XML text with a declaration."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _category_name(name: str) -> str:
    return name.replace("/", "//")  # Moodle reads a single slash as a subcategory


def _text(parent: ET.Element, value: str) -> ET.Element:
    ET.SubElement(parent, "text").text = value
    return parent


def _html(parent: ET.Element, tag: str, value: str) -> None:
    _text(ET.SubElement(parent, tag, format="html"), value)


def _question(entry: KeyEntry, label: str, assignment: Assignment, item: Any, titles: dict[str, str],
              rules: GradingRules) -> ET.Element:
    kind = "numerical" if entry.kind == "number" else "cloze"
    question = ET.Element("question", type=kind)
    _text(ET.SubElement(question, "name"), f"{entry.number} {titles[entry.question]} (variant {label})")
    points = rules.points_for(entry.part, entry.question)
    stem = _stem(entry, assignment, titles)
    if kind == "numerical":
        _html(question, "questiontext", stem)
    else:
        _html(question, "questiontext", f"{stem}<p>{_blanks(entry, points)}</p>")
    _html(question, "generalfeedback", feedback(item))
    ET.SubElement(question, "defaultgrade").text = _decimal(points)
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    if kind == "numerical":
        answer = ET.SubElement(question, "answer", fraction="100", format="moodle_auto_format")
        _text(answer, str(entry.value))
        _html(answer, "feedback", "")
        ET.SubElement(answer, "tolerance").text = "0"
        ET.SubElement(question, "unitgradingtype").text = "0"
        ET.SubElement(question, "unitpenalty").text = "0.1000000"
        ET.SubElement(question, "showunits").text = "3"
        ET.SubElement(question, "unitsleft").text = "0"
    return question


def _decimal(value: Fraction) -> str:
    return f"{float(value):.7f}"


def _stem(entry: KeyEntry, assignment: Assignment, titles: dict[str, str]) -> str:
    """The question as HTML: the variant's values, the part's layer or network, and what is asked."""
    part = assignment.parts[entry.part - 1]
    values = ", ".join(f"\\({latex(sym)} = {latex(value)}\\)" for sym, value in assignment.values.items())
    lines = [f"<p>{html.escape(assignment.title)}, part {entry.part}: {html.escape(part.title)}.</p>",
             f"<p>Values: {values}.</p>"]
    if isinstance(part, LayerPart):
        lines.append(f"<p>The layer: {prose_html(layer_sentence(part))}.</p>")
    else:
        network = part.network
        dims = " \\times ".join(latex(size) for size in network.input_shape)
        rows = "".join(f"<tr><td>{k}</td><td>{html.escape(a.name)}</td><td>{html.escape(describe(a.layer))}</td></tr>"
                       for k, a in enumerate(network.layers, start=1))
        lines.append(f"<p>The network {html.escape(network.name)} takes one sample of shape \\({dims}\\):</p>"
                     f"<table><tr><th>#</th><th>Layer</th><th>Type</th></tr>{rows}</table>")
        if part.budget is not None:
            lines.append(f"<p>Memory: {html.escape(part.budget.text)}, {html.escape(part.dtype)}, "
                         f"optimizer {html.escape(part.optimizer)}.</p>")
        if entry.layer:
            lines.append(f"<p>The receptive field of neuron \\((i, j)\\) of {html.escape(entry.layer)}.</p>")
    lines.append(f"<p><strong>{entry.number}</strong> {html.escape(titles[entry.question])}</p>")
    return "".join(lines)


def prose_html(sentence: str) -> str:
    """A sentence in symcnn's prose markup as HTML: text escaped, math in \\( \\)."""
    return "".join(f"\\({piece.text}\\)" if piece.math else html.escape(piece.text) for piece in segments(sentence))


def _blanks(entry: KeyEntry, points: Fraction) -> str:
    """Cloze blanks: one NUMERICAL per shape entry or region end, tolerance 0."""
    weight = max(1, int(points))

    def blank(value: Any) -> str:
        return f"{{{weight}:NUMERICAL:={value}:0}}"

    if entry.kind == "shape":
        return "\\([C, H, W]\\) = [" + ", ".join(blank(v) for v in entry.value) + "]"
    region = parse_region(entry.value, "answer key")
    axes = []
    for axis, index in ((region.rows, "i"), (region.columns, "j")):
        axes.append(f"{blank(axis.jump)}\\({index}\\) + {blank(axis.first)} : "
                    f"{blank(axis.jump)}\\({index}\\) + {blank(axis.last)}")
    return "rows " + ", columns ".join(axes)


def feedback(item: Any) -> str:
    """The worked derivation of one answer as HTML, TeX in \\( \\)."""
    if isinstance(item, Answer):
        return "".join(f"<p>\\({d.latex()}\\)</p>" for d in item.derivations)
    if isinstance(item, BatchAnswer):
        return f"<p>\\({item.derivation.latex()}\\)</p>"
    if isinstance(item, ActivationTable):
        times = " \\times "
        rows = "".join(
            f"<tr><td>{html.escape(row.name)}</td><td>\\({times.join(latex(s) for s in row.shape)}\\)</td>"
            f"<td>\\({latex(row.elements)}\\)</td></tr>" for row in item.rows)
        names = html.escape(" and ".join(item.bottleneck))
        return (f"<table><tr><th>Layer</th><th>Output shape</th><th>Elements per sample</th></tr>{rows}</table>"
                f"<p>The largest activation is \\(B \\cdot {latex(item.largest)}\\), the output of {names}.</p>")
    if isinstance(item, ReceptiveFieldAnswer):
        rows = "".join(f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(_axis(r.rows, 'i'))}</td>"
                       f"<td>{html.escape(_axis(r.columns, 'j'))}</td></tr>" for r in item.rows)
        return ("<p>Neuron \\(i\\) of a layer with kernel \\(K\\), stride \\(S\\), padding \\(P\\) sees "
                "\\([S i - P, S i - P + K - 1]\\) of the layer below; composing multiplies each layer's "
                "offsets by the jump accumulated below it.</p>"
                f"<table><tr><th>Layer</th><th>Rows</th><th>Columns</th></tr>{rows}</table>")
    raise TypeError(f"no feedback for {type(item).__name__}")


def _axis(interval: Any, index: str) -> str:
    from symcnn.render.documents import interval_latex

    return f"\\({interval_latex(interval, index)}\\)"


__all__ = ["quiz", "quiz_bytes", "feedback", "UNGRADED"]
