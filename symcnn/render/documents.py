"""Rendering a solution (or a check report) with jinja2: Markdown, LaTeX, PDF.

Templates own all wording. User text (titles, names) is escaped for the
target format by the environment's ``finalize``; math comes from the printer
as ``Markup`` and is left alone. ``.tex`` templates use ``<< >>``, ``<% %>``
and ``<# #>`` delimiters, since jinja's ``{#`` breaks on LaTeX's ``#1``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from symcnn.errors import SymcnnError
from symcnn.formula.expr import to_sympy
from symcnn.formula.plain import grouped
from symcnn.formula.prose import MarkupError, segments
from symcnn.formula.steps import Derivation, latex
from symcnn.render.output import write_atomic  # noqa: F401  (re-exported: check_report writes through it)
from symcnn.render.tex import build_pdf, tex_engine  # noqa: F401  (re-exported: check_report builds through them)

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    "×": r"\texttimes{}", "·": r"\textperiodcentered{}", "⋅": r"\textperiodcentered{}", "−": r"\textminus{}",
    "‘": "`", "’": "'", "“": "``", "”": "''", "–": "--", "—": "---",
}
_MD_LINE_START = re.compile(r"^(\s*\d*)([#+\-=.])")  # a heading, list item or rule where a line starts
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def escape_tex(text: str) -> str:
    """User text made safe inside a LaTeX document."""
    return "".join(_TEX_SPECIAL.get(char, char) for char in text)


def escape_markdown(text: str) -> str:
    """User text made inert inside a Markdown line (no emphasis, links, HTML, entities or math)."""
    inert = _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return re.sub(r"&(?=#?\w+;)", "&amp;", inert)


def escape_markdown_block(text: str) -> str:
    """User text that starts a line or list item: also no heading, list or rule markup."""
    return _MD_LINE_START.sub(r"\1\\\2", escape_markdown(text))


def prose(sentence: str, fmt: str, block: bool = False) -> Markup:
    """A sentence in symcnn's prose markup (:mod:`symcnn.formula.prose`) for ``fmt``: text escaped, math kept.

    ``block``: the sentence starts a Markdown line (a list item), where heading
    and list markup are escaped too.

    Raises:
        MarkupError: the sentence's math is unclosed or not allowed.
    """
    pieces = []
    for index, segment in enumerate(segments(sentence)):
        if segment.math:
            pieces.append(f"${segment.text}$")
        elif fmt == "tex":
            pieces.append(escape_tex(segment.text))
        elif block and index == 0:
            pieces.append(escape_markdown_block(segment.text))
        else:
            pieces.append(escape_markdown(segment.text))
    return Markup("".join(pieces))


def template_dirs(extra: str | Path | None = None) -> list[Path]:
    """Where templates are looked up: the user's folder first, then symcnn's own."""
    here = Path(__file__).resolve().parents[1]
    builtin = [d for d in (here / "templates", here.parent / "templates") if d.is_dir()]
    if extra is not None:
        extra = Path(extra)
        if not extra.is_dir():
            raise SymcnnError(f"--template-dir {extra}: no such folder")
        return [extra, *builtin]
    return builtin


def environment(fmt: str, template_dir: str | Path | None = None) -> jinja2.Environment:
    """A jinja2 environment for ``fmt`` ("md" or "tex") with symcnn's filters."""
    escape: Callable[[str], str] = escape_tex if fmt == "tex" else escape_markdown
    delimiters: dict[str, Any] = {}
    if fmt == "tex":
        delimiters = dict(
            block_start_string="<%", block_end_string="%>", variable_start_string="<<",
            variable_end_string=">>", comment_start_string="<#", comment_end_string="#>",
        )

    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return str(value)
        if isinstance(value, str):
            return escape(value)
        return value

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(template_dir)]),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, finalize=finalize, autoescape=False, **delimiters,
    )
    env.filters.update(
        math=lambda tree: Markup(latex(tree)),
        aligned=lambda d: Markup(aligned(d)),
        number=lambda value: Markup(number(value)),
        plain=grouped,
        raw=Markup,
        layer_label=describe,  # plain text: finalize escapes it
        prose=lambda text: prose(text, fmt),
        block=lambda text: prose(text, fmt, block=True),
        interval=lambda interval, index: Markup(interval_latex(interval, index)),
        dims=lambda shape: Markup(dims(shape)),
    )
    env.globals.update(type_name=lambda obj: type(obj).__name__, words=words(template_dir))
    return env


def words(template_dir: str | Path | None = None) -> dict[str, Any]:
    """The shared wording (``words.toml``): symcnn's, with the user's folder's entries over it."""
    merged: dict[str, Any] = {}
    for folder in reversed(template_dirs(template_dir)):  # symcnn's first, the user's last
        path = folder / "words.toml"
        if path.is_file():
            with open(path, "rb") as handle:
                try:
                    table = tomllib.load(handle)
                except tomllib.TOMLDecodeError as error:
                    raise SymcnnError(f"{path}: not valid TOML: {error}") from None
            for section, entries in table.items():
                merged[section] = {**merged.get(section, {}), **entries} if isinstance(entries, dict) else entries
    if not merged:
        raise SymcnnError("words.toml is missing from the templates")
    return merged


def aligned(derivation: Derivation) -> str:
    """A derivation one step a line: ``lhs &= formula \\\\ &= ... \\\\ &= result``."""
    lines = [f"{derivation.lhs} &= {derivation.steps[0].latex}"]
    lines += [f"&= {step.latex}" for step in derivation.steps[1:]]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def describe(layer: Any) -> str:
    """A short label in the assignment's style: ``Conv 3 × 3, s=1, p=1, 64 ch``; dilation and groups where not 1."""
    kind = type(layer).__name__
    arguments = layer.arguments()
    windows = getattr(layer, "windows", None) or getattr(layer, "transposed_windows", None)
    if windows is not None:  # one window per axis: (height, width); (length,); (depth, height, width)
        def joined(values: list[Any]) -> str:
            return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))

        settings = [f"s={joined([w.stride for w in windows])}", f"p={joined([w.padding for w in windows])}"]
        if any(w.dilation != 1 for w in windows):
            settings.append(f"d={joined([w.dilation for w in windows])}")
        if arguments.get("groups", 1) != 1:
            settings.append(f"g={arguments['groups']}")
        name = {"Conv2d": "Conv", "ConvTranspose2d": "ConvT"}.get(kind, kind.removesuffix("2d"))
        label = f"{name} {' × '.join(str(w.kernel) for w in windows)}, {', '.join(settings)}"
        return f"{label}, {arguments['out_channels']} ch" if "out_channels" in arguments else label
    if kind == "Linear":
        return f"FC {arguments['out_features']}"
    return kind


def interval_latex(interval: Any, index: str) -> str:
    """``16i - 62 : 16i + 77`` for neuron ``index`` of an interval."""
    from symcnn.formula.symbols import symbol

    first, last = interval.ends(symbol(index))
    return f"{latex(first)} : {latex(last)}"


def dims(shape: Any) -> str:
    """A shape as LaTeX, ``64 \\times 256 \\times 256``: thin spaces group digits, a comma would read as a new entry."""
    return r" \times ".join(latex(size, thousands=r"\,") for size in shape)


def number(value: Any) -> str:
    """An exact value as LaTeX, thousands grouped."""
    return latex(to_sympy(value))


def render(template: str, fmt: str, template_dir: str | Path | None = None, **context: Any) -> str:
    """Render ``template`` (e.g. ``solution.md.j2``) with ``context``.

    Raises:
        SymcnnError: a template is missing or broken.
    """
    try:
        return environment(fmt, template_dir).get_template(template).render(**context)
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(map(str, template_dirs(template_dir)))
        raise SymcnnError(f"template {error.name} not found in {folders}") from None
    except jinja2.TemplateError as error:
        where = getattr(error, "filename", None) or template
        raise SymcnnError(f"template {where}, line {getattr(error, 'lineno', '?')}: {error.message}") from None
    except MarkupError as error:
        raise SymcnnError(f"template {template} or its words.toml: {error}") from None
