"""Window diagrams drawn as Dumoulin & Visin draw them: input grid, padding, windows, stride, output grid.

Reads a :class:`~symcnn.solutions.window_picture.WindowPicture` and draws exactly its
cells: padding grey, inserted zeros (transposed convolution) white, input
blue, cells the floor drops hatched red; the first window (blue) and the
last window of the first row (orange), their taps as dots (a dilated kernel
shows spread), an arrow from one window start to the next (the stride); the
output grid beside it. A long axis is drawn as its head and tail with the
elided middle marked; the caption says so. ``animate`` writes a GIF of every
drawn window in turn (matplotlib's Pillow writer), for notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from symcnn.cnn.window_geometry import AxisGeometry
from symcnn.render.figure_files import DPI, figure_key, new_figure, save_figure, style
from symcnn.solutions.window_picture import WindowPicture

if TYPE_CHECKING:  # matplotlib is imported where a figure is drawn: a copied figure costs no import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

INPUT, PAD, ZERO, DROPPED, OUTPUT = "#a8c8e8", "#cfcfcf", "#ffffff", "#c0392b", "#d5e8d4"
FIRST, LAST = "#1f4e9a", "#d35400"
CELL = 0.24  # inches per cell
GAP = 1.0  # cells of room for the elision mark

Placement = dict[int, float]


def _placement(cut: tuple[range, range] | None, length: int) -> tuple[Placement, float | None]:
    """Where each drawn cell goes (its left edge), and the centre of the elided gap if any."""
    if cut is None:
        return {c: float(c) for c in range(length)}, None
    head, tail = cut
    shift = head.stop + GAP - tail.start
    return {**{c: float(c) for c in head}, **{c: c + shift for c in tail}}, head.stop + GAP / 2


def _extent(place: Placement, gap: float | None) -> float:
    return max(place.values()) + 1


def _ticks(axes: Axes, which: str, place: Placement, labels: dict[int, int]) -> None:
    """Ticks under (or left of) the cells in ``labels`` with their index."""
    shown = sorted(c for c in labels if c in place)
    if len(shown) > 12:  # the ends and the cells around the gap
        keep = {shown[0], shown[-1]}
        keep |= {c for c in shown if c + 1 not in place or c - 1 not in place}
        shown = sorted(keep)
    positions = [place[c] + 0.5 for c in shown]
    text = [str(labels[c]) for c in shown]
    if which == "x":
        axes.set_xticks(positions, text, fontsize=6)
    else:
        axes.set_yticks(positions, text, fontsize=6)
    axes.tick_params(length=0, pad=1)


def _window(axes: Axes, rows: AxisGeometry, columns: AxisGeometry, where: tuple[Placement, Placement],
            index: tuple[int, int], colour: str, inset: float = 0.275) -> list[Rectangle]:
    """A window's outline and its taps; returns the patches (the animation moves them).

    ``inset``: where a tap's dot sits in its cell; the first and last windows use
    different corners, so that where they overlap both dots show.
    """
    from matplotlib.patches import Rectangle

    row_place, column_place = where
    top, left = rows.starts[index[0]], columns.starts[index[1]]
    outline = Rectangle((column_place[left], row_place[top]), columns.extent, rows.extent, fill=False,
                        edgecolor=colour, lw=2.0, zorder=4)
    patches = [outline]
    for r in rows.taps(index[0]):
        for c in columns.taps(index[1]):
            patches.append(Rectangle((column_place[c] + inset, row_place[r] + inset), 0.45, 0.45, facecolor=colour,
                                     alpha=0.8, lw=0, zorder=5))
    for patch in patches:
        axes.add_patch(patch)
    return patches


def _input_panel(axes: Axes, picture: WindowPicture) -> tuple[Placement, Placement]:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rows, columns = picture.geometry.rows, picture.geometry.columns
    row_place, row_gap = _placement(picture.excerpt(rows), rows.length)
    column_place, column_gap = _placement(picture.excerpt(columns), columns.length)
    padding = (set(rows.padding_cells), set(columns.padding_cells))
    inserted = (set(rows.inserted), set(columns.inserted))
    dropped = (set(rows.dropped), set(columns.dropped))
    outside = (set(rows.overhang), set(columns.overhang))
    cells: dict[str, list[Rectangle]] = {"outside": [], PAD: [], ZERO: [], INPUT: [], "dropped": []}
    for r, y in row_place.items():
        for c, x in column_place.items():
            if r in outside[0] or c in outside[1]:
                cells["outside"].append(Rectangle((x, y), 1, 1))
                continue
            colour = PAD if r in padding[0] or c in padding[1] else ZERO if r in inserted[0] or c in inserted[1] \
                else INPUT
            cells[colour].append(Rectangle((x, y), 1, 1))
            if r in dropped[0] or c in dropped[1]:
                cells["dropped"].append(Rectangle((x, y), 1, 1))
    for colour in (PAD, ZERO, INPUT):
        axes.add_collection(PatchCollection(cells[colour], facecolor=colour, edgecolor="#7f7f7f", lw=0.5))
    axes.add_collection(PatchCollection(cells["outside"], facecolor="none", edgecolor="#888888", lw=0.5,
                                        linestyle=":"))
    axes.add_collection(PatchCollection(cells["dropped"], facecolor="none", hatch="////", edgecolor=DROPPED,
                                        lw=0.8, zorder=3))
    height, width = _extent(row_place, row_gap), _extent(column_place, column_gap)
    if column_gap is not None:
        for y in row_place.values():
            axes.text(column_gap, y + 0.5, "…", ha="center", va="center", fontsize=8)
    if row_gap is not None:
        for x in column_place.values():
            axes.text(x + 0.5, row_gap, "⋮", ha="center", va="center", fontsize=8)
    where = (row_place, column_place)
    last = columns.windows - 1
    _window(axes, rows, columns, where, (0, 0), FIRST, 0.1 if last > 0 else 0.275)
    if last > 0:
        _window(axes, rows, columns, where, (0, last), LAST, 0.45)
        x0, x1 = column_place[columns.starts[0]], column_place[columns.starts[1]]
        axes.annotate("", xy=(x1, -0.6), xytext=(x0, -0.6), arrowprops=dict(arrowstyle="->", lw=1.2, color=FIRST),
                      annotation_clip=False)
        axes.text((x0 + x1) / 2, -1.0, f"stride {columns.step}", ha="center", va="bottom", fontsize=7,
                  color=FIRST)
    _ticks(axes, "x", column_place, {cell: j for j, cell in enumerate(columns.input_cells)})
    _ticks(axes, "y", row_place, {cell: j for j, cell in enumerate(rows.input_cells)})
    _frame(axes, width, height)
    title = f"input {rows.size} × {columns.size}"
    if (rows.padded, columns.padded) != (rows.size, columns.size):
        what = "stretched and padded" if picture.transposed else "padded"
        title += f"\n{what} to {rows.padded} × {columns.padded}"
    axes.set_title(title, fontsize=8, pad=14)
    return where


def _output_panel(axes: Axes, picture: WindowPicture) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rows, columns = picture.geometry.rows, picture.geometry.columns
    row_place, row_gap = _placement(rows.output_excerpt(16) if picture.excerpt(rows) else None, rows.windows)
    column_place, column_gap = _placement(columns.output_excerpt(16) if picture.excerpt(columns) else None,
                                          columns.windows)
    last = columns.windows - 1
    colours = [FIRST if (r, c) == (0, 0) else LAST if (r, c) == (0, last) else OUTPUT
               for r in row_place for c in column_place]
    axes.add_collection(PatchCollection([Rectangle((x, y), 1, 1) for y in row_place.values()
                                         for x in column_place.values()],
                                        facecolor=colours, edgecolor="#7f7f7f", lw=0.5))
    if column_gap is not None:
        for y in row_place.values():
            axes.text(column_gap, y + 0.5, "…", ha="center", va="center", fontsize=8)
    if row_gap is not None:
        for x in column_place.values():
            axes.text(x + 0.5, row_gap, "⋮", ha="center", va="center", fontsize=8)
    _ticks(axes, "x", column_place, {c: c for c in column_place})
    _ticks(axes, "y", row_place, {r: r for r in row_place})
    _frame(axes, _extent(column_place, column_gap), _extent(row_place, row_gap))
    axes.set_title(f"output {rows.windows} × {columns.windows}", fontsize=8, pad=14)


def _frame(axes: Axes, width: float, height: float) -> None:
    axes.set_xlim(-0.2, width + 0.2)
    axes.set_ylim(height + 0.2, -1.4)
    axes.set_aspect("equal")
    for spine in axes.spines.values():
        spine.set_visible(False)


def _drawn_size(picture: WindowPicture) -> tuple[float, float, float]:
    """(input width, output width, height) in cells, as drawn."""
    rows, columns = picture.geometry.rows, picture.geometry.columns
    def cells(one: AxisGeometry, output: bool) -> float:
        cut = (one.output_excerpt(16) if picture.excerpt(one) else None) if output else picture.excerpt(one)
        count = one.windows if output else one.length
        return count if cut is None else len(cut[0]) + len(cut[1]) + GAP
    return cells(columns, False), cells(columns, True), max(cells(rows, False), cells(rows, True))


def window_figure(picture: WindowPicture) -> Figure:
    """The diagram of ``picture``: its input grid with two windows, and its output grid."""
    width_in, width_out, height = _drawn_size(picture)
    figure = new_figure(max(3.0, (width_in + width_out) * CELL + 1.0), max(1.8, (height + 1.5) * CELL + 0.6))
    grid = figure.add_gridspec(1, 2, width_ratios=[width_in, max(width_out, 2.0)])
    _input_panel(figure.add_subplot(grid[0]), picture)
    _output_panel(figure.add_subplot(grid[1]), picture)
    return figure


def window_diagram(picture: WindowPicture, folder: Path, formats: Iterable[str] = ("png", "pdf"),
                   earlier: Path | None = None) -> list[Path]:
    """Write ``picture``'s diagram into ``folder`` as ``picture.stem`` in ``formats`` (png, pdf, svg)."""
    return save_figure(lambda: window_figure(picture), folder / picture.stem, formats,
                       figure_key("window", picture.geometry, picture.kind), earlier)


def animate(picture: WindowPicture, path: str | Path, fps: int = 2, frames_limit: int = 36) -> Path:
    """A GIF of every drawn window in turn, each with its output cell (matplotlib's Pillow writer)."""
    from matplotlib.animation import PillowWriter
    from matplotlib.patches import Rectangle

    path = Path(path)
    rows, columns = picture.geometry.rows, picture.geometry.columns
    with style():
        figure = window_figure(picture)
        inputs, outputs = figure.axes
        row_place, column_place = _shown(picture)
        visible = [(r, c) for r in range(rows.windows) for c in range(columns.windows)
                   if all(t in row_place for t in rows.taps(r)) and all(t in column_place for t in columns.taps(c))
                   and r in _output_shown(picture, rows) and c in _output_shown(picture, columns)][:frames_limit]
        moving: list[Rectangle] = []
        figure.canvas.draw()
        figure.set_layout_engine("none")  # laid out once: every frame keeps the first frame's layout

        out_rows, _ = _placement(rows.output_excerpt(16) if picture.excerpt(rows) else None, rows.windows)
        out_columns, _ = _placement(columns.output_excerpt(16) if picture.excerpt(columns) else None,
                                    columns.windows)
        writer = PillowWriter(fps=fps)
        with writer.saving(figure, str(path), dpi=DPI // 2):
            for r, c in visible:  # one draw a frame (FuncAnimation would draw each three times)
                for patch in moving:
                    patch.remove()
                moving.clear()
                moving.extend(_window(inputs, rows, columns, (row_place, column_place), (r, c), "#27ae60"))
                cell = Rectangle((out_columns[c], out_rows[r]), 1, 1, fill=False, edgecolor="#27ae60", lw=2.0,
                                 zorder=4)
                outputs.add_patch(cell)
                moving.append(cell)
                writer.grab_frame()
    return path


def _shown(picture: WindowPicture) -> tuple[Placement, Placement]:
    rows, columns = picture.geometry.rows, picture.geometry.columns
    return (_placement(picture.excerpt(rows), rows.length)[0], _placement(picture.excerpt(columns), columns.length)[0])


def _output_shown(picture: WindowPicture, one: AxisGeometry) -> set[int]:
    cut = one.output_excerpt(16) if picture.excerpt(one) else None
    return set(_placement(cut, one.windows)[0])
