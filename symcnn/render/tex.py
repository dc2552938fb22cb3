"""Compiling LaTeX to PDF: which TeX to install, the engine, reproducible output, the first error.

The same input gives the same PDF bytes: pdfTeX is told to leave out the
dates, the document ID and its own banner, and SOURCE_DATE_EPOCH pins any
date it would still take from the clock.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from symcnn.errors import SymcnnError, TexError
from symcnn.render.output import output_error, write_atomic

TEX_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "texlive-fonts-recommended", "lmodern", "latexmk")
"""The Debian packages that build symcnn's PDFs, installed with ``--no-install-recommends``
(lmodern is only a recommended package of TeX Live there). The README and .ci/run
list the same; tests/render/test_tex_packages.py holds them to it."""

REPRODUCIBLE = r"\pdftrailerid{}\pdfinfoomitdate=1 \pdfsuppressptexinfo=-1 "
"""pdfTeX switches put before ``\\documentclass``: no document ID, no dates, no banner."""


def install_hint() -> str:
    """The command that installs the TeX packages, as the README gives it."""
    return f"apt-get install --no-install-recommends {' '.join(TEX_PACKAGES)}"


def no_tex_message() -> str:
    """What symcnn says when there is no TeX to build a PDF with."""
    return f"no TeX engine (latexmk, pdflatex), so no PDF; on Debian: {install_hint()}"


def tex_engine() -> list[str] | None:
    """The command that compiles a .tex to PDF (shell escape off), or None without TeX."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                "-pdflatex=pdflatex -no-shell-escape %O %S"]
    return None


def build_pdf(tex: str, figures: list[Path], target: Path, timeout: int = 300) -> None:
    """Compile ``tex`` in a temporary folder and move only the finished PDF to ``target``.

    Raises:
        SymcnnError: no TeX engine (the message names the packages to install),
            or ``target`` cannot be written.
        TexError: the compile failed (the message quotes the log's first error).
    """
    command = tex_engine()
    if command is None:
        raise SymcnnError(no_tex_message())
    if target.is_dir():  # say so before a compile that could not be kept
        raise output_error(target, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    with tempfile.TemporaryDirectory(prefix="symcnn-tex-") as folder:
        work = Path(folder)
        source = work / target.with_suffix(".tex").name
        source.write_text(REPRODUCIBLE + tex)  # on the first line: the log's line numbers stay the template's
        for figure in figures:
            shutil.copy(figure, work / figure.name)
        env = {**os.environ, "openout_any": "p", "shell_escape": "f",
               "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
        try:
            subprocess.run([*command, source.name], cwd=work, env=env, capture_output=True,
                           timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise TexError(f"{target.name}: the TeX run took longer than {timeout} s") from None
        pdf = source.with_suffix(".pdf")
        log = source.with_suffix(".log")
        if not pdf.is_file():
            raise TexError(f"{source.name}: TeX failed: {first_tex_error(log)}")
        write_atomic(target, pdf.read_bytes())


def first_tex_error(log: Path) -> str:
    """The first error line of a TeX log (lines starting with '!')."""
    if not log.is_file():
        return "no log was written"
    lines = log.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("!"):
            context = next((ln for ln in lines[index + 1: index + 4] if ln.startswith("l.")), "")
            return f"{line[1:].strip()} {context}".strip()
    return "see the .log (no '!' error line)"
