"""Figures as files: drawn on matplotlib's Agg canvas (no pyplot), saved byte-reproducibly, redrawn only when changed.

Each saved file carries a key, the hash of what it was drawn from (the
drawing code, matplotlib's version and the figure's data), in its own
metadata (PNG text chunk, PDF Keywords, SVG description). A figure whose
earlier file holds the same key is copied instead of drawn again. Timestamps
and producer strings are left out, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symcnn.render.output import write_atomic

if TYPE_CHECKING:  # matplotlib is imported only to draw: a figure copied from an earlier run needs none
    from matplotlib.figure import Figure

STYLE: dict[str, Any] = {"font.size": 9, "svg.hashsalt": "symcnn", "pdf.compression": 9, "svg.fonttype": "path"}
DPI = 150
_MARK = b"symcnn-figure:"


@contextmanager
def style() -> Iterator[None]:
    """symcnn's figure settings, for drawing and saving only (the user's rcParams stay as they are)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def new_figure(width: float, height: float) -> Figure:
    """An empty figure on the Agg canvas with a constrained layout (no tight bounding box at save time)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_key(*parts: object) -> str:
    """The key of a figure drawn from ``parts`` (their reprs), matplotlib's version and the drawing modules."""
    digest = hashlib.sha256(version("matplotlib").encode())
    for module in ("figure_files.py", "figures.py", "window_diagram.py"):
        path = Path(__file__).with_name(module)
        digest.update(path.read_bytes() if path.is_file() else b"")
    for part in parts:
        digest.update(repr(part).encode())
    return digest.hexdigest()[:32]


def _metadata(fmt: str, key: str) -> dict[str, str | None]:
    marked = (_MARK + key.encode()).decode()
    return {
        "png": {"Software": None, "Description": marked},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Keywords": marked},
        "svg": {"Date": None, "Description": marked},
        "gif": {},
    }[fmt]


def figure_bytes(figure: Figure, fmt: str, key: str) -> bytes:
    """``figure`` saved as ``fmt`` (png, pdf or svg) with ``key`` in its metadata."""
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=_metadata(fmt, key))
    return buffer.getvalue()


def _earlier(path: Path, key: str) -> bytes | None:
    """The bytes of an earlier ``path`` drawn from the same key, or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if _MARK + key.encode() in data else None


def save_figure(
    draw: Callable[[], Figure],
    stem: Path,
    formats: Iterable[str],
    key: str,
    earlier: Path | None = None,
) -> list[Path]:
    """Write ``stem``.png/.pdf/.svg for ``formats``; returns the files written.

    ``earlier``: a folder holding the files of an earlier run; a file there with
    the same ``key`` is copied, and ``draw`` runs only if some format is missing.
    """
    paths, figure = [], None
    for fmt in dict.fromkeys(formats):
        path = stem.with_suffix(f".{fmt}")
        data = _earlier(earlier / path.name, key) if earlier is not None else None
        if data is None:
            if figure is None:
                with style():
                    figure = draw()
            data = figure_bytes(figure, fmt, key)
        write_atomic(path, data)
        paths.append(path)
    return paths
