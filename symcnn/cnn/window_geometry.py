"""Where a sliding window goes, as plain data: the cells of a window diagram.

One axis is computed from ``(i, k, s, p, d, transposed, output_padding)``
alone, with no layer class, as Dumoulin & Visin draw it (arXiv:1603.07285):

* a convolution or pooling slides a kernel of ``k`` taps, ``d`` cells apart,
  in steps of ``s`` over the input with ``p`` zeros on each side; the cells
  after the last window's end are never covered (the floor drops them);
* a transposed convolution is drawn as its equivalent direct convolution:
  ``s - 1`` zeros inserted between input cells, ``d(k - 1) - p`` zeros on each
  side (``output_padding`` more at the end), a unit-stride kernel over it.

Positions count cells of the drawn grid from 0 (padding included). Every
number is a Python ``int``; the drawing and the tests read the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


class GeometryError(ValueError):
    """The settings describe no window that can be drawn."""


@dataclass(frozen=True)
class AxisGeometry:
    """One axis of a sliding window: which grid cells each window's taps reach."""

    size: int
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    transposed: bool = False
    output_padding: int = 0
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        for name in ("size", "kernel", "stride", "dilation"):
            if getattr(self, name) < 1:
                raise GeometryError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.padding < 0 or self.output_padding < 0:
            raise GeometryError("padding and output_padding cannot be negative")
        if self.transposed and self.padding > self.dilation * (self.kernel - 1):
            raise GeometryError(f"padding {self.padding} is more than d(k - 1) = {self.dilation * (self.kernel - 1)}: "
                                "the equivalent convolution would crop its input")
        if self.transposed and self.output_padding >= max(self.stride, self.dilation):
            raise GeometryError("output_padding must be smaller than the stride or the dilation")
        if self.windows < 1:
            raise GeometryError(f"the kernel's extent {self.extent} is larger than the padded input {self.padded}")

    @property
    def extent(self) -> int:
        """The dilated kernel's span, d(k - 1) + 1 cells."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def before(self) -> int:
        """Zero cells before the first input cell."""
        return self.dilation * (self.kernel - 1) - self.padding if self.transposed else self.padding

    @property
    def after(self) -> int:
        """Zero cells after the last input cell (for a transposed convolution, a = output_padding included)."""
        return self.before + self.output_padding if self.transposed else self.padding

    @property
    def gap(self) -> int:
        """Zeros inserted between two input cells: s - 1 for a transposed convolution, else none."""
        return self.stride - 1 if self.transposed else 0

    @property
    def step(self) -> int:
        """How far one window starts from the previous: the stride (1 for a transposed convolution)."""
        return 1 if self.transposed else self.stride

    @property
    def stretched(self) -> int:
        """The input with its inserted zeros: (i - 1)(gap + 1) + 1 cells."""
        return (self.size - 1) * (self.gap + 1) + 1

    @property
    def padded(self) -> int:
        """Cells of the grid the windows slide over (zeros included)."""
        return self.before + self.stretched + self.after

    @cached_property
    def windows(self) -> int:
        """The number of window positions: the output size along this axis."""
        room = self.padded - self.extent
        if room < 0:
            return 0
        if not self.ceil_mode:
            return room // self.step + 1
        count = -(-room // self.step) + 1
        if (count - 1) * self.step >= self.size + self.padding:  # torch: no window starts in the right padding
            count -= 1
        return count

    @property
    def length(self) -> int:
        """Cells drawn: the padded grid, and with ceil_mode the cells a last window hangs past it."""
        return max(self.padded, self.starts[-1] + self.extent)

    @cached_property
    def starts(self) -> tuple[int, ...]:
        """The first cell of each window, in order."""
        return tuple(n * self.step for n in range(self.windows))

    def taps(self, window: int) -> tuple[int, ...]:
        """The cells window ``window`` multiplies (d apart)."""
        start = self.starts[window]
        return tuple(start + t * self.dilation for t in range(self.kernel))

    @cached_property
    def input_cells(self) -> tuple[int, ...]:
        """The grid cells holding the input's values, in input order."""
        return tuple(self.before + j * (self.gap + 1) for j in range(self.size))

    @cached_property
    def inserted(self) -> tuple[int, ...]:
        """The zeros inserted between input cells (transposed convolution)."""
        real = set(self.input_cells)
        return tuple(c for c in range(self.before, self.before + self.stretched) if c not in real)

    @property
    def padding_cells(self) -> tuple[int, ...]:
        """The zero padding around the (stretched) input."""
        return tuple(range(self.before)) + tuple(range(self.before + self.stretched, self.padded))

    @cached_property
    def reached(self) -> frozenset[int]:
        """Every cell some window's tap reaches."""
        return frozenset(c for w in range(self.windows) for c in self.taps(w))

    @property
    def dropped(self) -> tuple[int, ...]:
        """Cells after the last window's end, never covered: what the floor drops."""
        return tuple(range(self.starts[-1] + self.extent, self.padded))

    @property
    def overhang(self) -> tuple[int, ...]:
        """Cells past the padded grid that a ceil_mode window reaches (never real values)."""
        return tuple(range(self.padded, self.length))

    @property
    def dropped_inputs(self) -> tuple[int, ...]:
        """Input values (by index) that no window reaches."""
        return tuple(j for j, c in enumerate(self.input_cells) if c not in self.reached)

    def excerpt(self, limit: int = 16) -> tuple[range, range] | None:
        """The cells a faithful small drawing shows, (head, tail), or None when all ``length`` fit in ``limit``.

        The head holds the leading padding, the first window and the second
        window's start (the stride); the tail the last window and what follows it.
        """
        if self.length <= limit:
            return None
        second = self.starts[min(1, self.windows - 1)]
        head_end = min(self.length, max(second + self.extent, self.before + 1) + 1)
        tail_start = max(head_end, min(self.starts[-1] - 1, self.padded - self.after - 1))
        if tail_start - head_end < 2:
            return None
        return range(0, head_end), range(tail_start, self.length)

    def output_excerpt(self, limit: int = 16) -> tuple[range, range] | None:
        """The output cells a small drawing shows: the first two and the last, or None for all."""
        if self.excerpt(limit) is None or self.windows <= 4:
            return None
        return range(0, 2), range(self.windows - 1, self.windows)


@dataclass(frozen=True)
class WindowGeometry:
    """Both axes of a window: (rows, columns)."""

    rows: AxisGeometry
    columns: AxisGeometry

    @property
    def output_shape(self) -> tuple[int, int]:
        """(height, width) of the output: the window positions on each axis."""
        return self.rows.windows, self.columns.windows

    def windows(self) -> list[tuple[int, int]]:
        """The top-left cell of every window, row by row (unfold's column order)."""
        return [(r, c) for r in self.rows.starts for c in self.columns.starts]

    def taps(self, row: int, column: int) -> list[tuple[int, int]]:
        """The (row, column) cells of window (row, column) of the output."""
        return [(r, c) for r in self.rows.taps(row) for c in self.columns.taps(column)]


def axis(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
         transposed: bool = False, output_padding: int = 0, ceil_mode: bool = False) -> AxisGeometry:
    """One axis from the guide's (i, k, s, p, d) and a transposed convolution's output padding."""
    return AxisGeometry(size, kernel, stride, padding, dilation, transposed, output_padding, ceil_mode)
