"""What a notebook shows for each of symcnn's objects: a short repr, typeset math, Markdown.

Each view is dispatched on the object's type (``functools.singledispatch``);
where an object has nothing to typeset the view returns None, which Jupyter
skips. The objects reach these views through :class:`symcnn.formula.display.Displayable`.
"""

from __future__ import annotations

from functools import singledispatch

import sympy as sp

from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.layer import Layer
from symcnn.cnn.network import Network
from symcnn.cnn.receptive_field import ReceptiveFields
from symcnn.cnn.summary import Summary, summarize
from symcnn.files.assignment import Assignment
from symcnn.formula.latex import latex as math
from symcnn.formula.plain import grouped, plain, shape_text
from symcnn.formula.quantity import Quantity
from symcnn.formula.steps import Derivation
from symcnn.formula.symbols import latex_name
from symcnn.render.documents import aligned, dims, escape_markdown, escape_tex
from symcnn.solutions.solution import Solution
from symcnn.solutions.window_picture import WindowPicture

_COLUMNS = ("Layer", "Output shape", "Params", "Mult-adds", "Activation / sample")


# --- repr: one short line -----------------------------------------------------


@singledispatch
def short(obj: object) -> str:
    """A one-line ``repr``."""
    return object.__repr__(obj)


@short.register
def _(quantity: Quantity) -> str:
    return f"Quantity({quantity.key} = {plain(quantity.formula)})"


@short.register
def _(derivation: Derivation) -> str:
    first = plain(derivation.steps[0].tree)
    shown = first if derivation.steps[0].tree == derivation.result else f"{first} = ... = {plain(derivation.result)}"
    return f"Derivation({derivation.title or derivation.lhs!r}: {shown}, {len(derivation.steps)} steps)"


@short.register
def _(analysis: LayerAnalysis) -> str:
    return (f"LayerAnalysis({analysis.name}: {shape_text(analysis.input_shape)} -> "
            f"{shape_text(analysis.output_shape)}, {len(analysis.quantities)} quantities)")


@short.register
def _(network: Network) -> str:
    names = [a.name for a in network.layers]
    listed = ", ".join(names) if len(names) <= 4 else f"{names[0]}, {names[1]}, ..., {names[-1]}"
    return f"Network({network.name!r}: input {shape_text(network.input_shape)}, {len(names)} layers: {listed})"


@short.register
def _(summary: Summary) -> str:
    return f"Summary({summary.name!r}: {len(summary.rows)} layers, {grouped(summary.totals['params'])} parameters)"


@short.register
def _(fields: ReceptiveFields) -> str:
    return f"ReceptiveFields({sum(f is not None for f in fields.fields)} spatial layers of {len(fields.fields)})"


@short.register
def _(assignment: Assignment) -> str:
    return f"Assignment({assignment.title!r}: {len(assignment.parts)} parts)"


@short.register
def _(solution: Solution) -> str:
    answers = sum(len(section.items) for section in solution.sections)
    return f"Solution({solution.assignment.title!r}: {len(solution.sections)} parts, {answers} answers)"


# --- LaTeX: typeset math --------------------------------------------------------


@singledispatch
def latex(obj: object) -> str | None:
    """Typeset math for Jupyter's ``text/latex``, or None."""
    return None


@latex.register
def _(quantity: Quantity) -> str:
    return f"$\\displaystyle {quantity.lhs} = {math(quantity.formula)}$"


@latex.register
def _(derivation: Derivation) -> str:
    return f"$\\displaystyle {aligned(derivation)}$"


@latex.register
def _(analysis: LayerAnalysis) -> str:
    rows = r" \\ ".join(f"{lhs} &= {formula}" for lhs, formula in _formulas(analysis))
    return rf"$\begin{{aligned}} {rows} \end{{aligned}}$"


@latex.register
def _(layer: Layer) -> str | None:
    return latex(layer.analyze())


@latex.register
def _(network: Network) -> str | None:
    return latex(summarize(network))


@latex.register
def _(summary: Summary) -> str:
    def text(cell: str) -> str:
        return rf"\text{{{escape_tex(cell)}}}"

    lines = [" & ".join(text(c) for c in _COLUMNS) + r" \\ \hline"]
    lines += [" & ".join([text(name), *cells]) + r" \\" for name, *cells in _rows(summary)]
    lines.append(r"\hline " + " & ".join([text("Total"), "", *_totals(summary)]) + r" \\")
    return "$\\begin{array}{llrrr}\n" + "\n".join(lines) + "\n\\end{array}$"


def _formulas(analysis: LayerAnalysis) -> list[tuple[str, str]]:
    """(lhs, formula) of each quantity, less the tautologies (``C_{out} = C_{out}``)."""
    pairs = [(q.lhs, math(q.formula)) for q in analysis.quantities]
    return [(lhs, formula) for lhs, formula in pairs if lhs != formula]


def _rows(summary: Summary) -> list[tuple[str, str, str, str, str]]:
    """Each layer's name and its numbers (or expressions) as LaTeX."""
    return [
        (f"{row.name} ({row.type})", dims(row.output_shape), math(row.params), math(row.mults),
         math(row.activation_elements))
        for row in summary.rows
    ]


def _totals(summary: Summary) -> tuple[str, str, str]:
    totals = summary.totals
    return math(totals["params"]), math(totals["mults"]), math(totals["activation_elements"])


# --- Markdown: tables with math ---------------------------------------------------


@singledispatch
def markdown(obj: object) -> str | None:
    """Markdown (with ``$math$``) for Jupyter's ``text/markdown``, or None."""
    return None


@markdown.register
def _(quantity: Quantity) -> str:
    return f"**{quantity.title}**: {latex(quantity)}"


@markdown.register
def _(derivation: Derivation) -> str:
    title = f"**{derivation.title}**\n\n" if derivation.title else ""
    return f"{title}$$\n{aligned(derivation)}\n$$"


@markdown.register
def _(analysis: LayerAnalysis) -> str:
    head = f"**{escape_markdown(analysis.name)}**: ${dims(analysis.input_shape)}$ → ${dims(analysis.output_shape)}$"
    titles = {q.lhs: q.title for q in analysis.quantities}
    rows = [f"| {titles[lhs]} | ${_in_cell(lhs)} = {_in_cell(formula)}$ |" for lhs, formula in _formulas(analysis)]
    return "\n".join([head, "", "| Quantity | Formula |", "|---|---|", *rows])


@markdown.register
def _(layer: Layer) -> str | None:
    return markdown(layer.analyze())


@markdown.register
def _(network: Network) -> str:
    summary = summarize(network)
    formulas = {q.symbol: q.formula for a in network.layers for q in a.quantities if q.symbol in summary.definitions}
    return _table(summary, formulas)


@markdown.register
def _(summary: Summary) -> str:
    return _table(summary, summary.definitions)


def _table(summary: Summary, definitions: dict[sp.Symbol, sp.Expr]) -> str:
    """The summary as a Markdown table, and the per-layer symbols its entries use."""
    lines = [f"**{escape_markdown(summary.name)}**: input ${dims(summary.input_shape)}$", "",
             "| " + " | ".join(_COLUMNS) + " |", "|---|---|---:|---:|---:|"]
    for name, *cells in _rows(summary):
        lines.append(f"| {escape_markdown(name)} | " + " | ".join(f"${_in_cell(c)}$" for c in cells) + " |")
    lines.append("| **Total** | | " + " | ".join(f"${_in_cell(c)}$" for c in _totals(summary)) + " |")
    if definitions:
        defined = ", ".join(f"${latex_name(sym)} = {_in_cell(math(value))}$" for sym, value in definitions.items())
        lines += ["", f"where {defined}"]
    return "\n".join(lines)


@markdown.register
def _(fields: ReceptiveFields) -> str:
    from symcnn.formula.symbols import i, j

    lines = ["| Layer | Rows seen by neuron $(i, j)$ | Columns |", "|---|---|---|"]
    for field in fields.fields:
        if field is not None:
            rows, columns = (" : ".join(math(end) for end in axis.ends(index))
                             for axis, index in ((field.rows, i), (field.columns, j)))
            lines.append(f"| {escape_markdown(field.layer)} | ${rows}$ | ${columns}$ |")
    return "\n".join(lines)


def _in_cell(tex: str) -> str:
    """Math made safe inside a Markdown table cell: a bar would end the cell."""
    return tex.replace("|", r"\vert ")


# --- png: a window diagram ------------------------------------------------------


def png(picture: WindowPicture) -> bytes:
    """A window diagram as PNG bytes (matplotlib is imported only when one is shown)."""
    from symcnn.render.figure_files import figure_bytes
    from symcnn.render.window_diagram import window_figure

    return figure_bytes(window_figure(picture), "png", picture.stem)
