"""Figures of a network drawn with matplotlib: the activation sizes, a receptive field.

Each is written through :func:`symcnn.render.figure_files.save_figure`: on the Agg
canvas (no pyplot), only in the formats asked for (PNG for Markdown, PDF for
LaTeX), byte-reproducibly, and copied from an earlier run where its data has
not changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from symcnn.render.figure_files import figure_key, new_figure, save_figure, style
from symcnn.solutions.solution import ActivationTable, ReceptiveFieldAnswer

if TYPE_CHECKING:  # matplotlib is imported where a figure is drawn: a copied figure costs no import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def activation_chart(table: ActivationTable, stem: Path, formats: Iterable[str] = ("png", "pdf"),
                     earlier: Path | None = None) -> list[Path]:
    """Bars of each layer's activation elements per sample, the bottleneck highlighted."""
    return save_figure(lambda: activation_figure(table), stem, formats, figure_key("activations", table), earlier)


_FLOAT_DIGITS = 300


def activation_figure(table: ActivationTable) -> Figure:
    """The activation chart: plain numbers with thousands separators on the axis, on a log scale
    when the sizes span more than two orders of magnitude, so that the small layers' bars show too."""
    names = [row.name for row in table.rows]
    sizes = [int(row.elements) for row in table.rows]
    largest = max(sizes, default=0)
    shift = max(0, (largest.bit_length() * 30103) // 100000 + 1 - _FLOAT_DIGITS)  # past ~1e308 a float overflows
    heights = [float(size // 10**shift) for size in sizes]  # drawing only: numpy takes no big integers
    colours = ["#c0392b" if row.largest else "#5d7fa3" for row in table.rows]
    with style():
        figure = new_figure(7.0, 3.0)
        axes = figure.add_subplot()
        _activation_bars(axes, names, heights, colours, shift)
    return figure


def _activation_bars(axes: Axes, names: list[str], heights: list[float], colours: list[str], shift: int) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axes.bar(range(len(heights)), heights, color=colours)
    axes.set_xticks(range(len(heights)), names, rotation=60, ha="right")
    axes.set_title("Activation size per layer (bottleneck in red)")
    unit = f", in units of 10^{shift}" if shift else ""
    positive = [size for size in heights if size > 0]
    if positive and max(positive) > 100 * min(positive):
        axes.set_yscale("log")
        axes.set_ylim(bottom=min(positive) / 4)  # the smallest bar spans a visible part of a decade
        axes.yaxis.set_minor_formatter(NullFormatter())
        axes.set_ylabel("elements per sample (log scale)" + unit)
    else:
        axes.set_ylabel("elements per sample" + unit)
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.spines[["top", "right"]].set_visible(False)


def _thousands(value: float, _position: int | None = None) -> str:
    """An axis label: a whole number with thousands separators (a fraction as it is)."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"


def receptive_field_picture(answer: ReceptiveFieldAnswer, stem: Path, formats: Iterable[str] = ("png", "pdf"),
                            earlier: Path | None = None) -> list[Path]:
    """The input grid with the receptive fields of a central and a corner neuron."""
    key = figure_key("receptive_field", answer.chosen, answer.input_size, answer.output_size)
    return save_figure(lambda: receptive_field_figure(answer), stem, formats, key, earlier)


def receptive_field_figure(answer: ReceptiveFieldAnswer) -> Figure:
    """The receptive-field figure."""
    from matplotlib.patches import Rectangle

    height, width = (int(v) for v in answer.input_size)
    out_h, out_w = (int(v) for v in answer.output_size)
    rows, columns = answer.chosen.rows, answer.chosen.columns
    figure = new_figure(4.6, 4.6)
    axes = figure.add_subplot()
    axes.add_patch(Rectangle((0, 0), width, height, facecolor="#eeeeee", edgecolor="black", lw=1))
    for (i, j), colour, dashes in (((out_h // 2, out_w // 2), "#c0392b", "-"), ((0, 0), "#2471a3", "--")):
        top, left = int(rows.jump * i + rows.first), int(columns.jump * j + columns.first)
        size_h, size_w = int(rows.size), int(columns.size)
        axes.add_patch(Rectangle((left, top), size_w, size_h, fill=False, edgecolor=colour, lw=1.8, ls=dashes,
                                 label=f"neuron ({i}, {j}): rows {top}..{top + size_h - 1}"))
    margin = max(int(rows.size), int(columns.size)) // 2 + 4
    axes.set_xlim(-margin, width + margin)
    axes.set_ylim(height + margin, -margin)
    axes.set_aspect("equal")
    axes.set_xlabel("input column")
    axes.set_ylabel("input row")
    axes.set_title(f"Receptive field of {answer.chosen.name} on the {height} × {width} input")
    figure.legend(loc="outside lower center", fontsize=8, frameon=False)
    return figure
