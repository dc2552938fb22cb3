"""The window diagrams' own data against torch: unfold's windows, conv_transpose2d's equivalent convolution."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.window_geometry import AxisGeometry, GeometryError, WindowGeometry, axis
from tests.helpers import reproducible


def grid_of(rows: AxisGeometry, columns: AxisGeometry) -> torch.Tensor:
    """The drawn grid with every cell numbered 1, 2, ... (row by row), as one image."""
    return torch.arange(1, rows.length * columns.length + 1, dtype=torch.float64).reshape(
        1, 1, rows.length, columns.length)


def unfolded_cells(rows: AxisGeometry, columns: AxisGeometry) -> list[list[tuple[int, int]]]:
    """Each window's cells as torch's unfold reads them from the numbered grid."""
    grid = grid_of(rows, columns)
    kernel, dilation = (rows.kernel, columns.kernel), (rows.dilation, columns.dilation)
    stride = (rows.step, columns.step)
    patches = F.unfold(grid, kernel, dilation=dilation, stride=stride)[0]
    return [[divmod(int(v) - 1, columns.length) for v in patches[:, n]] for n in range(patches.shape[1])]


def check_against_unfold(rows: AxisGeometry, columns: AxisGeometry) -> None:
    geometry = WindowGeometry(rows, columns)
    windows = unfolded_cells(rows, columns)
    assert len(windows) == rows.windows * columns.windows
    expected = [geometry.taps(r, c) for r in range(rows.windows) for c in range(columns.windows)]
    assert windows == expected
    assert [w[0] for w in windows] == geometry.windows()
    touched_rows = {r for window in windows for r, _ in window}
    touched_columns = {c for window in windows for _, c in window}
    assert touched_rows == rows.reached and touched_columns == columns.reached
    for one in (rows, columns):  # the floor's cells: after the last reached one, and none reached
        last = max(one.reached)
        assert one.dropped == tuple(range(last + 1, one.padded))


@pytest.mark.parametrize("i, k, s, p, d", [
    (4, 3, 1, 0, 1), (5, 4, 1, 2, 1), (5, 3, 1, 1, 1), (5, 3, 1, 2, 1), (5, 3, 2, 0, 1), (5, 3, 2, 1, 1),
    (6, 3, 2, 1, 1), (7, 3, 1, 0, 2), (10, 3, 3, 0, 1), (256, 3, 1, 1, 1), (256, 2, 2, 0, 1), (13, 3, 4, 2, 2),
])
def test_direct_windows_are_unfolds(i: int, k: int, s: int, p: int, d: int) -> None:
    one = axis(i, k, s, p, d)
    check_against_unfold(one, one)
    expected = F.conv2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
    assert one.windows == expected
    assert one.dropped == tuple(range(one.padded - (i + 2 * p - d * (k - 1) - 1) % s, one.padded))


@reproducible(max_examples=60)
@given(i=st.integers(1, 20), j=st.integers(1, 20), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_any_direct_window_is_unfold(i: int, j: int, k: int, s: int, p: int, d: int) -> None:
    try:
        rows, columns = axis(i, k, s, p, d), axis(j, k, s, p, d)
    except GeometryError:
        assert i + 2 * p < d * (k - 1) + 1 or j + 2 * p < d * (k - 1) + 1
        return
    check_against_unfold(rows, columns)


def equivalent_input(rows: AxisGeometry, columns: AxisGeometry, x: torch.Tensor) -> torch.Tensor:
    """``x`` placed on the drawn grid: its values at the input cells, zeros inserted and around."""
    grid = torch.zeros(x.shape[0], x.shape[1], rows.length, columns.length, dtype=x.dtype)
    r, c = torch.tensor(rows.input_cells), torch.tensor(columns.input_cells)
    grid[:, :, r[:, None], c[None, :]] = x
    return grid


@pytest.mark.parametrize("i, k, s, p, d, a", [
    (2, 3, 1, 0, 1, 0), (6, 4, 1, 1, 1, 0), (5, 3, 1, 1, 1, 0), (7, 3, 1, 2, 1, 0), (2, 3, 2, 0, 1, 0),
    (3, 3, 2, 1, 1, 0), (3, 3, 2, 1, 1, 1), (4, 3, 3, 1, 1, 2), (3, 3, 2, 2, 2, 1), (5, 2, 2, 0, 1, 0),
])
def test_transposed_is_the_drawn_direct_convolution(i: int, k: int, s: int, p: int, d: int, a: int) -> None:
    """conv_transpose2d equals a unit-stride convolution over the drawn grid with the flipped kernel."""
    one = axis(i, k, s, p, d, transposed=True, output_padding=a)
    torch.manual_seed(0)
    x, w = torch.randn(1, 2, i, i, dtype=torch.float64), torch.randn(2, 3, k, k, dtype=torch.float64)
    expected = F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
    grid = equivalent_input(one, one, x)
    drawn = F.conv2d(grid, w.flip(-1, -2).transpose(0, 1), dilation=d)
    assert expected.shape[-1] == one.windows == drawn.shape[-1]
    assert torch.allclose(drawn, expected)
    check_against_unfold(one, one)
    assert one.gap == s - 1 and len(one.inserted) == (i - 1) * (s - 1)
    assert one.after - one.before == a


def test_ceil_mode_windows_match_torch_pooling() -> None:
    for i, k, s, p in [(6, 3, 2, 0), (7, 2, 2, 0), (5, 3, 2, 1), (8, 3, 3, 1)]:
        one = axis(i, k, s, p, ceil_mode=True)
        expected = F.max_pool2d(torch.zeros(1, 1, i, i), k, s, p, ceil_mode=True).shape[-1]
        assert one.windows == expected
        assert one.starts[-1] < i + p  # no window starts in the right padding


@pytest.mark.parametrize("settings_, message", [
    (dict(size=2, kernel=5), "larger than the padded input"),
    (dict(size=3, kernel=3, padding=3, transposed=True), "crop"),
    (dict(size=3, kernel=3, stride=2, output_padding=2, transposed=True), "output_padding"),
])
def test_impossible_settings_are_refused(settings_: dict[str, int], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        AxisGeometry(**settings_)


def test_a_large_axis_is_excerpted_faithfully() -> None:
    one = axis(256, 3, 2, 1)  # 258 padded cells, 128 windows, the last padding column dropped
    head, tail = one.excerpt()
    assert head.start == 0 and one.starts[1] + one.extent <= head.stop  # the stride shows
    assert tail.stop == one.length and one.starts[-1] >= tail.start  # the last window and the dropped cell show
    assert one.dropped == (257,) and one.dropped[0] in tail
    assert tail.start - head.stop == one.length - len(head) - len(tail)
    assert axis(5, 3).excerpt() is None
