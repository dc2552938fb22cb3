"""The activation chart reads as plain numbers: no 1e6 offset, thousands separators, every bar visible."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from symcnn.files.assignment import read_assignment
from symcnn.render.figures import activation_figure
from symcnn.solutions.solution import ActivationTable, solve


def table_of(tmp_path: Path, network: str) -> ActivationTable:
    """The activation table of an assignment asking only for it."""
    (tmp_path / "net.toml").write_text(network)
    (tmp_path / "a.toml").write_text('title = "x"\n[[parts]]\ntitle = "net"\nnetwork = "net.toml"\n'
                                     'questions = ["activation_table"]\n')
    (item,) = solve(read_assignment(tmp_path / "a.toml")).sections[0].items
    assert isinstance(item, ActivationTable)
    return item


def labels(figure: plt.Figure) -> list[str]:
    figure.canvas.draw()
    axes = figure.axes[0]
    return [tick.get_text() for tick in axes.get_yticklabels() if tick.get_text()]


def test_the_seed_chart_is_on_a_log_scale_with_every_bar_visible() -> None:
    (table,) = [item for section in solve(read_assignment()).sections for item in section.items
                if isinstance(item, ActivationTable) and item.question == "activation_table"]
    figure = activation_figure(table)
    axes = figure.axes[0]
    shown = labels(figure)
    assert axes.get_yscale() == "log"
    assert "1,000,000" in shown and "1,000" in shown and not any("e" in label for label in shown)
    assert axes.yaxis.get_offset_text().get_text() == ""
    bottom = axes.transAxes.transform((0, 0))[1]
    height = axes.transAxes.transform((0, 1))[1] - bottom
    for bar, row in zip(axes.patches, table.rows):  # fc3's 2 elements too
        top = axes.transData.transform((0, bar.get_height()))[1]
        assert top - bottom > 0.05 * height, row.name
    plt.close(figure)


def test_a_small_network_keeps_a_linear_scale_without_offset(tmp_path: Path) -> None:
    table = table_of(tmp_path, 'input = [3, 64, 64]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = 3\n'
                               'padding = 1\n[[layers]]\ntype = "MaxPool2d"\nkernel_size = 2\n')
    figure = activation_figure(table)
    axes = figure.axes[0]
    shown = labels(figure)
    assert axes.get_yscale() == "linear"
    assert axes.yaxis.get_offset_text().get_text() == ""
    assert "30,000" in shown and not any("e" in label or "×" in label for label in shown)
    plt.close(figure)


@pytest.mark.parametrize("sizes", [(1, 99), (5, 10_000)])
def test_log_only_where_sizes_span_orders_of_magnitude(tmp_path: Path, sizes: tuple[int, int]) -> None:
    small, large = sizes
    table = table_of(tmp_path, f'input = [{small}]\n[[layers]]\ntype = "Linear"\nout_features = {large}\n')
    figure = activation_figure(table)
    assert figure.axes[0].get_yscale() == ("log" if large > 100 * small else "linear")
    plt.close(figure)
