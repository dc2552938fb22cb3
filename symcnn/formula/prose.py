"""symcnn's prose markup: sentences written once, typeset in LaTeX and natural in Markdown.

The wording of words.toml, and the readings and notes of an assignment, are
plain sentences with two additions:

* ``$...$`` holds math in a small, safe part of LaTeX: letters, digits, sub-
  and superscripts, operators, and the commands of :data:`MATH_COMMANDS`
  (``$2^{30}$``, ``$C_{in}$``, ``$W \\times H$``, also ``$W × H$``: ×, · and −
  stand for ``\\times``, ``\\cdot`` and -). Both formats show it as math;
  nothing else of TeX gets through, so user text stays inert.
* Straight quotes become typographic ones: ``'flops'`` reads ‘flops’, an
  apostrophe ’; ``"x"`` reads “x”. ``\\$`` is a dollar sign.

:func:`segments` splits a sentence into text and math, checking the math;
the renderer escapes the text for its format and keeps the math.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATH_COMMANDS = frozenset({
    "times", "cdot", "div", "pm", "lfloor", "rfloor", "lceil", "rceil", "frac", "sum", "prod", "theta",
    "leq", "geq", "neq", "approx", "ldots", "cdots", "mathrm", "quad", ",", ";", " ",
})
"""The only TeX commands allowed inside ``$...$``."""

_MATH_TOKEN = re.compile(r"\\([A-Za-z]+|[,; ])|[A-Za-z0-9\s_^{}()\[\]+\-=/,.:|<>'*!]")
_MATH_UNICODE = str.maketrans({"×": r" \times ", "·": r" \cdot ", "⋅": r" \cdot ", "−": "-"})
_OPENING_AFTER = " \t\n([{‘“—–/"


class MarkupError(ValueError):
    """Raised when a sentence's ``$...$`` math is unclosed or uses more than the allowed part of LaTeX."""


@dataclass(frozen=True)
class Segment:
    """A run of text, or of math (without its dollars)."""

    math: bool
    text: str


def segments(sentence: str) -> tuple[Segment, ...]:
    """``sentence`` split into text (quotes made typographic) and checked math.

    Raises:
        MarkupError: an unmatched ``$``, or math outside the allowed part of LaTeX.
    """
    pieces = re.split(r"(?<!\\)\$", sentence)
    if len(pieces) % 2 == 0:
        raise MarkupError(f"an unmatched $ in {sentence!r}; close the math with $, or write \\$ for a dollar sign")
    out: list[Segment] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(Segment(True, _checked_math(piece, sentence)))
        elif piece:
            out.append(Segment(False, _quoted(piece.replace(r"\$", "$"), after_math=index > 0)))
    return tuple(out)


def _checked_math(written: str, sentence: str) -> str:
    math = re.sub(r" +", " ", written.translate(_MATH_UNICODE)).strip()
    if not math:
        raise MarkupError(f"empty math $$ in {sentence!r}")
    if "^^" in math:  # TeX reads ^^5c as a backslash
        raise MarkupError(f"'^^' in the math ${math}$; write a superscript as ^{{...}}")
    depth, at = 0, 0
    while at < len(math):
        match = _MATH_TOKEN.match(math, at)
        if match is None:
            raise MarkupError(f"{math[at]!r} is not allowed in the math ${math}$ (only letters, digits, "
                              "_ ^ { } ( ) [ ] + - = / , . : | < > and a few commands such as \\times)")
        command = match.group(1)
        if command is not None and command not in MATH_COMMANDS:
            allowed = ", ".join(f"\\{c}" for c in sorted(MATH_COMMANDS) if c.isalpha())
            raise MarkupError(f"\\{command} is not allowed in the math ${math}$; the commands are {allowed}")
        depth += {"{": 1, "}": -1}.get(match.group(0), 0)
        if depth < 0:
            break
        at = match.end()
    if depth != 0:
        raise MarkupError(f"unbalanced braces in the math ${math}$")
    return math


def _quoted(text: str, after_math: bool) -> str:
    """Straight quotes made typographic: opening after a space or bracket, closing (or an apostrophe) elsewhere."""
    out: list[str] = []
    for char in text:
        before = out[-1] if out else ("x" if after_math else " ")
        opening = before in _OPENING_AFTER
        if char == "'":
            out.append("‘" if opening else "’")
        elif char == '"':
            out.append("“" if opening else "”")
        else:
            out.append(char)
    return "".join(out)
