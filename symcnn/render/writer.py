"""One document writer for every command: a set of files in md, tex and pdf, written at once.

The files are made in a temporary folder and moved into place together, so a
failure leaves the folder as it was, and a file of an earlier set that the run
did not make is removed, never left beside the new ones. Without a TeX engine
the PDF is skipped with a one-line note, the same for every command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from symcnn.render.output import staged, write_atomic
from symcnn.render.tex import build_pdf, no_tex_message, tex_engine

FORMATS = ("md", "tex", "pdf")


def write_set(
    folder: str | Path,
    stem: str,
    render: Callable[[str], str],
    formats: Sequence[str],
    members: Sequence[str] = (),
    draw: Callable[[Path], list[Path]] | None = None,
    quiet: bool = False,
) -> list[Path]:
    """Write ``stem.md``/``.tex``/``.pdf`` (those in ``formats``) into ``folder`` as one set.

    ``render(fmt)`` gives the text of "md" or "tex" (the PDF is built from the tex);
    ``draw(folder)`` makes the figures the documents use; ``members`` names the other
    files an earlier set may hold (removed when this run did not make them);
    ``quiet`` keeps stderr silent (a class build runs many sets in parallel).
    Returns the files written.

    Raises:
        SymcnnError: a template problem, or an output path that cannot be written;
            TexError: the TeX run failed. Either way ``folder`` is left as it was.
    """
    needed = [fmt for fmt in ("md", "tex") if fmt in formats or (fmt == "tex" and "pdf" in formats)]
    texts: Mapping[str, str] = {fmt: render(fmt) for fmt in needed}
    skipped = ""
    with staged(folder, [f"{stem}.{fmt}" for fmt in formats if fmt in FORMATS] + list(members)) as stage:
        made = draw(stage.folder) if draw is not None else []
        for fmt in ("md", "tex"):
            if fmt in formats:
                write_atomic(stage.folder / f"{stem}.{fmt}", texts[fmt])
        if "pdf" in formats and tex_engine() is None:
            skipped = no_tex_message()
        elif "pdf" in formats:
            if not quiet:
                print(f"symcnn: compiling {stem}.pdf with latexmk ...", file=sys.stderr)
            build_pdf(texts["tex"], [p for p in made if p.suffix == ".pdf"], stage.folder / f"{stem}.pdf")
    if (skipped or stage.removed) and not quiet:
        removed = ", ".join(path.name for path in stage.removed)
        note = f"removed the older {removed}, which this run did not make" if removed else ""
        print(f"symcnn: {'; '.join(filter(None, (skipped, note)))}", file=sys.stderr)
    return stage.moved
