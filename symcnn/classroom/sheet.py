"""The question sheet of an assignment: what students get, without answers or steps.

The parts, their layers or networks and the questions, numbered as the solution
numbers them (part.question). Rendered by the templates ``sheet.md.j2`` and
``sheet.tex.j2`` (same machinery and escaping as the solution) and written as
one set of files at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from symcnn.files.assignment import Assignment, LayerPart, NetworkPart
from symcnn.formula.latex import latex
from symcnn.formula.symbols import latex_name, meaning
from symcnn.render.documents import dims, render
from symcnn.render.report import FORMATS, SymbolValue
from symcnn.render.writer import write_set


@dataclass(frozen=True)
class SheetPart:
    """One part as the sheet shows it: its number, the part, and its questions numbered."""

    number: int
    part: LayerPart | NetworkPart
    questions: tuple[tuple[str, str], ...]

    @property
    def is_network(self) -> bool:
        return isinstance(self.part, NetworkPart)


def layer_sentence(part: LayerPart) -> str:
    """The part's layer and input in symcnn's prose markup, sizes as math: "a $K_1 × K_2$ convolution ..."."""
    layer, kind = part.analysis.layer, type(part.analysis.layer).__name__
    shape = part.flattened or part.analysis.input_shape
    on = f"on an input of shape ${dims(shape)}$"
    if hasattr(layer, "windows"):
        height, width = layer.windows

        def pair(first: object, second: object) -> str:
            return latex(first) if first == second else f"{latex(first)} \\times {latex(second)}"

        name = {"Conv2d": "convolution", "MaxPool2d": "max pooling", "AvgPool2d": "average pooling"}.get(kind, kind)
        words = [f"a ${latex(width.kernel)} \\times {latex(height.kernel)}$ {name} (width × height)",
                 f"stride ${pair(width.stride, height.stride)}$", f"padding ${pair(width.padding, height.padding)}$"]
        if (height.dilation, width.dilation) != (1, 1):
            words.append(f"dilation ${pair(width.dilation, height.dilation)}$")
        if kind == "Conv2d":
            words.append(f"${latex(layer.arguments()['out_channels'])}$ output channels")
        return ", ".join(words) + f", {on}"
    if kind == "Linear":
        return f"a fully connected layer of ${latex(layer.arguments()['out_features'])}$ neurons, {on}"
    return f"a {kind} layer, {on}"


def sheet_parts(assignment: Assignment) -> tuple[SheetPart, ...]:
    """Every part with its questions numbered ``1.1``, ``1.2``, ... as in the solution."""
    return tuple(
        SheetPart(number, part, tuple((f"{number}.{k}", q) for k, q in enumerate(part.questions, start=1)))
        for number, part in enumerate(assignment.parts, start=1)
    )


def sheet_context(assignment: Assignment) -> dict[str, object]:
    """What the sheet templates see."""
    values = [(SymbolValue(latex_name(sym), meaning(sym)), value) for sym, value in assignment.values.items()]
    return {"assignment": assignment, "parts": sheet_parts(assignment), "values": values,
            "layer_sentence": layer_sentence}


def render_sheet(assignment: Assignment, fmt: str, template_dir: str | Path | None = None) -> str:
    """The sheet as Markdown (``md``) or LaTeX (``tex``)."""
    return render(f"sheet.{fmt}.j2", fmt, template_dir, **sheet_context(assignment))


def write_sheet(
    assignment: Assignment,
    folder: str | Path,
    formats: Sequence[str] = FORMATS,
    template_dir: str | Path | None = None,
    stem: str = "sheet",
    quiet: bool = False,
) -> list[Path]:
    """Write ``stem.md``, ``stem.tex``, ``stem.pdf`` (as asked) into ``folder`` as one set.

    Without a TeX engine the PDF is skipped with a one-line note on stderr.

    Raises:
        SymcnnError: a template problem or a path that cannot be written;
            TexError: the TeX run failed. Either way ``folder`` is left as it was.
    """
    return write_set(folder, stem, lambda fmt: render_sheet(assignment, fmt, template_dir), formats, quiet=quiet)
