"""Figures drawn with matplotlib: the activation sizes, a receptive field.

Each figure is written as PNG (for Markdown) and PDF (for LaTeX) with their
timestamps stripped, so regenerating an unchanged solution changes no byte.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from symcnn.render.output import write_atomic  # noqa: E402
from symcnn.solutions.solution import ActivationTable, ReceptiveFieldAnswer  # noqa: E402

_METADATA = {"png": {"Software": None}, "pdf": {"CreationDate": None, "ModDate": None, "Producer": None}}
plt.rcParams.update({"font.size": 9, "svg.hashsalt": "symcnn", "pdf.compression": 9})


def _save(figure: plt.Figure, stem: Path) -> list[Path]:
    paths = []
    for fmt in ("png", "pdf"):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=150, metadata=_METADATA[fmt], bbox_inches="tight")
        path = stem.with_suffix(f".{fmt}")
        write_atomic(path, buffer.getvalue())
        paths.append(path)
    plt.close(figure)
    return paths


def activation_chart(table: ActivationTable, stem: Path) -> list[Path]:
    """Bars of each layer's activation elements per sample, the bottleneck highlighted."""
    return _save(activation_figure(table), stem)


def activation_figure(table: ActivationTable) -> plt.Figure:
    """The activation chart: plain numbers with thousands separators on the axis, on a log scale
    when the sizes span more than two orders of magnitude, so that the small layers' bars show too."""
    names = [row.name for row in table.rows]
    sizes = [int(row.elements) for row in table.rows]
    colours = ["#c0392b" if row.largest else "#5d7fa3" for row in table.rows]
    figure, axes = plt.subplots(figsize=(7.0, 3.0))
    axes.bar(range(len(sizes)), sizes, color=colours)
    axes.set_xticks(range(len(sizes)), names, rotation=60, ha="right")
    axes.set_title("Activation size per layer (bottleneck in red)")
    positive = [size for size in sizes if size > 0]
    if positive and max(positive) > 100 * min(positive):
        axes.set_yscale("log")
        axes.set_ylim(bottom=min(positive) / 4)  # the smallest bar spans a visible part of a decade
        axes.yaxis.set_minor_formatter(NullFormatter())
        axes.set_ylabel("elements per sample (log scale)")
    else:
        axes.set_ylabel("elements per sample")
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _thousands(value: float, _position: int | None = None) -> str:
    """An axis label: a whole number with thousands separators (a fraction as it is)."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"


def receptive_field_picture(answer: ReceptiveFieldAnswer, stem: Path) -> list[Path]:
    """The input grid with the receptive fields of a central and a corner neuron."""
    height, width = (int(v) for v in answer.input_size)
    out_h, out_w = (int(v) for v in answer.output_size)
    rows, columns = answer.chosen.rows, answer.chosen.columns
    figure, axes = plt.subplots(figsize=(4.6, 4.6))
    axes.add_patch(Rectangle((0, 0), width, height, facecolor="#eeeeee", edgecolor="black", lw=1))
    for (i, j), colour, style in (((out_h // 2, out_w // 2), "#c0392b", "-"), ((0, 0), "#2471a3", "--")):
        top, left = int(rows.jump * i + rows.first), int(columns.jump * j + columns.first)
        size_h, size_w = int(rows.size), int(columns.size)
        axes.add_patch(Rectangle((left, top), size_w, size_h, fill=False, edgecolor=colour, lw=1.8, ls=style,
                                 label=f"neuron ({i}, {j}): rows {top}..{top + size_h - 1}"))
    margin = max(int(rows.size), int(columns.size)) // 2 + 4
    axes.set_xlim(-margin, width + margin)
    axes.set_ylim(height + margin, -margin)
    axes.set_aspect("equal")
    axes.set_xlabel("input column")
    axes.set_ylabel("input row")
    axes.set_title(f"Receptive field of {answer.chosen.name} on the {height} × {width} input")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, -0.32), fontsize=8, frameon=False)
    return _save(figure, stem)
