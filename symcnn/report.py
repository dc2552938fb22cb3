"""Writing documents to a folder: the solution of an assignment in md, tex, pdf.

Each file is written whole or not at all; the PDF is compiled in a temporary
folder and only the finished file is moved into place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import SymcnnError
from .render import TEX_PACKAGES, build_pdf, render, tex_engine, write_atomic
from .solution import ActivationTable, ReceptiveFieldAnswer, Solution
from .symbols import latex_name, meaning

FORMATS = ("md", "tex", "pdf")


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
    from .figures import activation_chart, receptive_field_picture

    made: list[Path] = []
    for section in solution.sections:
        for item in section.items:
            if isinstance(item, ActivationTable) and item.question == "activation_table":
                made += activation_chart(item, folder / "activations")
            elif isinstance(item, ReceptiveFieldAnswer):
                made += receptive_field_picture(item, folder / "receptive_field")
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
    """Render ``solution`` into ``folder``; returns the files written.

    A missing TeX engine skips the PDF with a one-line note on stderr.

    Raises:
        SymcnnError: a template problem; TexError: the TeX run failed.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SymcnnError(f"-o {folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = figures(solution, folder)
    texts = {fmt: render(f"solution.{fmt}.j2", fmt, template_dir, **context(solution))
             for fmt in ("md", "tex") if fmt in formats or (fmt == "tex" and "pdf" in formats)}
    for fmt in ("md", "tex"):
        if fmt in formats:
            write_atomic(folder / f"{stem}.{fmt}", texts[fmt])
            written.append(folder / f"{stem}.{fmt}")
    if "pdf" in formats:
        if tex_engine() is None:
            print(f"symcnn: no TeX engine, so no PDF: install {TEX_PACKAGES} (Debian)", file=sys.stderr)
        else:
            print(f"symcnn: compiling {stem}.pdf with latexmk ...", file=sys.stderr)
            pdf_figures = [p for p in written if p.suffix == ".pdf"]
            build_pdf(texts["tex"], pdf_figures, folder / f"{stem}.pdf")
            written.append(folder / f"{stem}.pdf")
    return written


