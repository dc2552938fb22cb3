"""The receptive-field answer on a network whose axes differ: Araujo's forms for rows and columns."""

from __future__ import annotations

from pathlib import Path

from symcnn.files.assignment import read_assignment
from symcnn.render.report import write_solution
from symcnn.solutions.solution import ReceptiveFieldAnswer, solve

ASSIGNMENT = """
title = "Non-square receptive field"
[[parts]]
title = "Receptive field"
questions = ["receptive_field"]
receptive_field_layer = "c2"
[parts.network]
input = [3, 40, 60]
[[parts.network.layers]]
type = "Conv2d"
name = "c1"
out_channels = 4
kernel_size = [3, 5]
stride = [1, 2]
padding = [1, 2]
[[parts.network.layers]]
type = "Conv2d"
name = "c2"
out_channels = 4
kernel_size = [3, 3]
stride = [2, 3]
"""


def answer(tmp_path: Path) -> ReceptiveFieldAnswer:
    path = tmp_path / "assignment.toml"
    path.write_text(ASSIGNMENT)
    item = solve(read_assignment(path)).sections[0].items[0]
    assert isinstance(item, ReceptiveFieldAnswer)
    return item


def test_araujo_forms_are_given_per_axis(tmp_path: Path) -> None:
    forms = dict(answer(tmp_path).closed_forms)
    # rows: kernels 3, 3, strides 1, 2, padding 1, 0:  r = 1 + 2 + 2*1 = 5, a = 2, b0 = -1
    assert forms["rows"] == {"size": 5, "jump": 2, "start": -1}
    # columns: kernels 5, 3, strides 2, 3, padding 2, 0:  r = 1 + 4 + 2*2 = 9, a = 6, b0 = -2
    assert forms["columns"] == {"size": 9, "jump": 6, "start": -2}


def test_the_forms_agree_with_the_composed_rows(tmp_path: Path) -> None:
    item = answer(tmp_path)
    forms = dict(item.closed_forms)
    for axis, interval in (("rows", item.chosen.rows), ("columns", item.chosen.columns)):
        assert {key: getattr(interval, key) for key in ("size", "jump", "start")} == forms[axis]


def test_the_document_shows_both_axes(tmp_path: Path) -> None:
    path = tmp_path / "assignment.toml"
    path.write_text(ASSIGNMENT)
    write_solution(solve(read_assignment(path)), tmp_path / "out", ("md",))
    text = (tmp_path / "out" / "solution.md").read_text()
    assert "along the rows," in text and "along the columns," in text
    assert "moving 2 pixels per neuron down and 6 across" in text
