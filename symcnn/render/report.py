"""Writing documents to a folder: the solution of an assignment in md, tex, pdf.

A run writes one consistent set: the files are made in a temporary folder and
moved into place together, so a failure leaves the folder as it was, and a
file of an earlier set that the run did not make is removed, never left
beside the new ones.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from symcnn.errors import SymcnnError
from symcnn.formula.symbols import latex_name, meaning
from symcnn.render.documents import render
from symcnn.render.output import staged, write_atomic
from symcnn.render.tex import build_pdf, no_tex_message, tex_engine
from symcnn.solutions.solution import ActivationTable, ReceptiveFieldAnswer, Solution

FORMATS = ("md", "tex", "pdf")
FIGURES = ("activations", "receptive_field")
"""The stems of the figures a solution may draw (each as .png and .pdf)."""


@dataclass(frozen=True)
class SymbolValue:
    """A symbol as the values table shows it."""

    latex: str
    meaning: str


def parse_formats(text: str) -> tuple[str, ...]:
    """``"md,tex"`` -> ("md", "tex").

    Raises:
        SymcnnError: an unknown format.
    """
    formats = tuple(part.strip() for part in text.split(",") if part.strip())
    for fmt in formats:
        if fmt not in FORMATS:
            raise SymcnnError(f"--format {fmt!r} is unknown; use md, tex, pdf or a list like md,tex")
    if not formats:
        raise SymcnnError("--format is empty; use md, tex, pdf or a list like md,tex")
    return formats


def figures(solution: Solution, folder: Path) -> list[Path]:
    """Draw the solution's figures into ``folder`` (PNG and PDF of each)."""
    from symcnn.render.figures import activation_chart, receptive_field_picture

    made: list[Path] = []
    for section in solution.sections:
        for item in section.items:
            if isinstance(item, ActivationTable) and item.question == "activation_table":
                made += activation_chart(item, folder / FIGURES[0])
            elif isinstance(item, ReceptiveFieldAnswer):
                made += receptive_field_picture(item, folder / FIGURES[1])
    return made


def context(solution: Solution) -> dict[str, object]:
    """What the solution templates see."""
    values = [(SymbolValue(latex_name(sym), meaning(sym)), value) for sym, value in solution.assignment.values.items()]
    return {"solution": solution, "values": values}


def write_solution(
    solution: Solution,
    folder: str | Path,
    formats: Sequence[str] = FORMATS,
    template_dir: str | Path | None = None,
    stem: str = "solution",
) -> list[Path]:
    """Render ``solution`` into ``folder`` as one set of files; returns the files written.

    Without a TeX engine the PDF is skipped, and an older one removed, with a
    one-line note on stderr.

    Raises:
        SymcnnError: a template problem, or an output path that cannot be written;
            TexError: the TeX run failed. Either way ``folder`` is left as it was.
    """
    texts = {fmt: render(f"solution.{fmt}.j2", fmt, template_dir, **context(solution))
             for fmt in ("md", "tex") if fmt in formats or (fmt == "tex" and "pdf" in formats)}
    skipped = ""
    members = [f"{stem}.{fmt}" for fmt in FORMATS] + [f"{name}.{fmt}" for name in FIGURES for fmt in ("png", "pdf")]
    with staged(folder, members) as stage:
        made = figures(solution, stage.folder)
        for fmt in ("md", "tex"):
            if fmt in formats:
                write_atomic(stage.folder / f"{stem}.{fmt}", texts[fmt])
        if "pdf" in formats and tex_engine() is None:
            skipped = no_tex_message()
        elif "pdf" in formats:
            print(f"symcnn: compiling {stem}.pdf with latexmk ...", file=sys.stderr)
            build_pdf(texts["tex"], [p for p in made if p.suffix == ".pdf"], stage.folder / f"{stem}.pdf")
    if skipped or stage.removed:
        removed = ", ".join(path.name for path in stage.removed)
        note = f"removed the older {removed}, which this run did not make" if removed else ""
        print(f"symcnn: {'; '.join(filter(None, (skipped, note)))}", file=sys.stderr)
    return stage.moved
