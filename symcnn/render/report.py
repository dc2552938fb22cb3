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
    return write_set(folder, stem, lambda fmt: render(f"solution.{fmt}.j2", fmt, template_dir, **context(solution)),
                     formats, members, lambda stage: (draw or figures)(solution, stage))
