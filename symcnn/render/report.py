"""The solution of an assignment as documents: md, tex, pdf and its figures, written as one set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from symcnn.errors import SymcnnError
from symcnn.formula.symbols import latex_name, meaning
from symcnn.render.documents import render
from symcnn.render.writer import FORMATS, write_set
from symcnn.solutions.solution import ActivationTable, ReceptiveFieldAnswer, Solution

FIGURES = ("activations", "receptive_field")
"""The stems of the network figures a solution may draw (each as .png and .pdf); window diagrams are window_<part>."""
WINDOW_STEM = "window_"


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


def figure_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The figure files the documents need: PNG for Markdown, PDF (vector) for LaTeX and its PDF."""
    return tuple(fmt for fmt, needed in (("png", "md" in formats), ("pdf", "tex" in formats or "pdf" in formats))
                 if needed)


def figures(solution: Solution, folder: Path, formats: Sequence[str] = FORMATS,
            earlier: Path | None = None) -> list[Path]:
    """Draw the solution's figures into ``folder``, only in the file formats ``formats`` need.

    ``earlier``: the folder of a previous run; a figure drawn there from the same data is copied, not redrawn.
    """
    kinds = figure_formats(formats)
    if not kinds:
        return []
    from symcnn.render.figures import activation_chart, receptive_field_picture
    from symcnn.render.window_diagram import window_diagram

    made: list[Path] = []
    for section in solution.sections:
        if section.diagram is not None:
            made += window_diagram(section.diagram, folder, kinds, earlier)
        for item in section.items:
            if isinstance(item, ActivationTable) and item.question == "activation_table":
                made += activation_chart(item, folder / FIGURES[0], kinds, earlier)
            elif isinstance(item, ReceptiveFieldAnswer):
                made += receptive_field_picture(item, folder / FIGURES[1], kinds, earlier)
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
    draw: Callable[[Solution, Path], list[Path]] | None = None,
) -> list[Path]:
    """Render ``solution`` into ``folder`` as one set of files; returns the files written.

    ``draw`` makes the figures into a folder (default :func:`figures`; a class
    build passes one that draws each distinct network once).

    Without a TeX engine the PDF is skipped, and an older one removed, with a
    one-line note on stderr.

    Raises:
        SymcnnError: a template problem, or an output path that cannot be written;
            TexError: the TeX run failed. Either way ``folder`` is left as it was.
    """
    members = [f"{stem}.{fmt}" for fmt in FORMATS] + [f"{name}.{fmt}" for name in FIGURES for fmt in ("png", "pdf")]
    target = Path(folder)
    if target.is_dir():
        members += sorted(path.name for path in target.glob(f"{WINDOW_STEM}*") if path.suffix in (".png", ".pdf"))
    draw_into = draw or (lambda solution, stage: figures(solution, stage, formats, target))
    return write_set(folder, stem, lambda fmt: render(f"solution.{fmt}.j2", fmt, template_dir, **context(solution)),
                     formats, members, lambda stage: draw_into(solution, stage))
