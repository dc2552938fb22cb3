"""Window diagrams: what they draw is their geometry's data; captions say the floor and the excerpt; files are cheap."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from PIL import Image

from symcnn import cli
from symcnn.cnn.guide import relation
from symcnn.cnn.layers import Conv2d, MaxPool2d
from symcnn.cnn.window_geometry import WindowGeometry, axis
from symcnn.files.assignment import read_assignment
from symcnn.render import window_diagram
from symcnn.render.report import write_solution
from symcnn.render.window_diagram import FIRST, LAST, animate, window_figure
from symcnn.solutions.solution import solve
from symcnn.solutions.window_picture import WindowPicture, window_picture

ROOT = Path(__file__).resolve().parents[2]


def picture_of(layer: object, shape: tuple[int, int, int]) -> WindowPicture:
    picture = window_picture(layer, shape, {}, "window_1")
    assert picture is not None
    return picture


def transposed(i: int, k: int, s: int, p: int, a: int) -> WindowPicture:
    one = axis(i, k, s, p, transposed=True, output_padding=a)
    return WindowPicture("window_1", "ConvTranspose2d", WindowGeometry(one, one), False, (("", relation(one)),))


def outlines(picture: WindowPicture) -> dict[str, tuple[float, float, float, float]]:
    """The window outlines drawn on the input panel, by colour: (x, y, width, height)."""
    figure = window_figure(picture)
    found = {}
    for patch in figure.axes[0].patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            found[to_hex(patch.get_edgecolor())] = (patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height())
    return found


@pytest.mark.parametrize("layer, shape", [
    (Conv2d(1, 1, 3, stride=2, padding=1), (1, 6, 6)),
    (Conv2d(1, 1, 3, dilation=2), (1, 7, 9)),
    (MaxPool2d(2), (1, 7, 7)),
])
def test_the_drawn_windows_are_the_geometry(layer: object, shape: tuple[int, int, int]) -> None:
    picture = picture_of(layer, shape)
    rows, columns = picture.geometry.rows, picture.geometry.columns
    drawn = outlines(picture)
    assert drawn[FIRST] == (0, 0, columns.extent, rows.extent)
    assert drawn[LAST] == (columns.starts[-1], 0, columns.extent, rows.extent)
    hatched = [c for c in window_figure(picture).axes[0].collections
               if isinstance(c, PatchCollection) and c.get_hatch()]
    cells = len(rows.dropped) * columns.length + len(columns.dropped) * rows.length \
        - len(rows.dropped) * len(columns.dropped)
    assert len(hatched[0].get_paths()) == cells


def test_the_floor_is_named_in_the_caption() -> None:
    caption = picture_of(Conv2d(1, 1, 3, stride=2, padding=1), (1, 6, 8)).caption
    assert "The last 1 column is never covered: that is the floor" in caption
    assert "The last 1 row is never covered: that is the floor" in caption
    lost = picture_of(MaxPool2d(2), (1, 7, 7)).caption
    assert "input column 6 is never seen" in lost and "input row 6 is never seen" in lost


def test_a_large_layer_is_an_excerpt_and_says_so() -> None:
    picture = picture_of(Conv2d(64, 128, 3, padding=1), (64, 256, 256))
    assert "faithful excerpt" in picture.caption and "of the 258 grid cells" in picture.caption
    head, tail = picture.excerpt(picture.geometry.columns)
    drawn = outlines(picture)
    assert drawn[LAST][0] == picture.geometry.columns.starts[-1] - tail.start + len(head) + window_diagram.GAP
    texts = [t.get_text() for t in window_figure(picture).axes[0].texts]
    assert "…" in texts and "⋮" in texts


def test_a_notebook_shows_the_diagram() -> None:
    assert picture_of(MaxPool2d(2), (1, 4, 4))._repr_png_().startswith(b"\x89PNG")


def test_dilation_and_transposed_captions() -> None:
    assert "its taps (dots) are 2 cells apart, so it spans 5 cells" in picture_of(
        Conv2d(1, 1, 3, dilation=2), (1, 7, 7)).caption
    caption = transposed(3, 3, 2, 1, 1).caption
    assert "1 zero inserted between its cells" in caption and "$a = 1$ more at the bottom and right" in caption


def test_the_seed_parts_have_their_diagrams_and_relations() -> None:
    sections = solve(read_assignment()).sections
    pictures = [s.diagram for s in sections]
    assert [p is not None for p in pictures] == [True, True, False, False, False]
    assert [p.relations[0][1].number for p in pictures[:2]] == [3, 7]  # half padding; pooling


def test_an_unchanged_figure_is_copied_not_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    solution = solve(read_assignment())
    write_solution(solution, tmp_path, ("md",))
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.png")}

    def refuse(*_: object) -> None:
        raise AssertionError("redrawn")

    monkeypatch.setattr(window_diagram, "window_figure", refuse)
    write_solution(solution, tmp_path, ("md",))
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.png")} == before
    with pytest.raises(AssertionError, match="redrawn"):
        write_solution(solution, tmp_path, ("md", "tex"))  # no PDF yet: drawn


def test_the_gif_shows_every_window(tmp_path: Path) -> None:
    path = animate(transposed(2, 3, 1, 0, 0), tmp_path / "windows.gif", fps=4)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 * 4


def test_no_pyplot_and_no_tight_bounding_box() -> None:
    code = ("import sys; from symcnn.render.report import write_solution; from symcnn.solutions.solution import solve; "
            "from symcnn.files.assignment import read_assignment; import tempfile; "
            "write_solution(solve(read_assignment()), tempfile.mkdtemp(), ('md',)); "
            "assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    for module in (ROOT / "symcnn").glob("*.py"):
        text = module.read_text()
        assert "pyplot" not in text.replace("no pyplot", "") and "bbox_inches" not in text, module.name


def test_the_readme_diagram_is_what_its_command_makes(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"`symcnn layer (\"Conv2d\(1, 1, 3, stride=2, padding=1\)\") --input 1,6,6 --format md "
                        r"-o docs/layer_example`", readme)
    assert command is not None and "![" in readme and "(docs/layer_example/window_1.png)" in readme
    assert cli.main(["layer", command.group(1).strip('"'), "--input", "1,6,6", "--format", "md",
                     "-o", str(tmp_path)]) == 0
    for name in ("layer.md", "window_1.png"):
        assert (tmp_path / name).read_bytes() == (ROOT / "docs" / "layer_example" / name).read_bytes(), name


def test_the_readme_animation_snippet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (setup,) = [block for block in blocks if "window_picture" in block]
    (snippet,) = re.findall(r"```py\n(.*?)```", readme, flags=re.S)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(setup + snippet, "README.md", "exec"), scope)  # the README's own code, trusted
    with Image.open(tmp_path / "windows.gif") as gif:
        assert gif.n_frames == 9


def test_every_seed_diagram_is_unfold_of_its_layer() -> None:
    """The solution's own pictures (and some with a floor): torch's unfold, padding by torch, sees the drawn windows."""
    import torch
    import torch.nn.functional as F

    pictures = [section.diagram for section in solve(read_assignment()).sections if section.diagram is not None]
    pictures += [picture_of(MaxPool2d(2), (1, 7, 7)), picture_of(Conv2d(1, 1, 3, stride=2, padding=1), (1, 6, 8)),
                 picture_of(Conv2d(1, 1, 3, stride=3, dilation=2), (1, 11, 12))]
    assert any(p.geometry.columns.dropped_inputs for p in pictures)
    for number, picture in enumerate(pictures):
        rows, columns = picture.geometry.rows, picture.geometry.columns
        x = torch.arange(1, rows.size * columns.size + 1, dtype=torch.float64).reshape(1, 1, rows.size, columns.size)
        patches = F.unfold(x, (rows.kernel, columns.kernel), dilation=(rows.dilation, columns.dilation),
                           padding=(rows.padding, columns.padding), stride=(rows.stride, columns.stride))[0]
        assert patches.shape[1] == rows.windows * columns.windows
        last = rows.windows * columns.windows - 1
        for n in sorted({0, 1, columns.windows - 1, columns.windows, last // 2, last}):
            r, c = divmod(n, columns.windows)
            cells = {divmod(int(v) - 1, columns.size) for v in patches[:, n] if v > 0}
            drawn = {(rows.input_cells.index(a), columns.input_cells.index(b)) for a, b in picture.geometry.taps(r, c)
                     if a in rows.input_cells and b in columns.input_cells}
            assert cells == drawn, (number, n)
        reached = torch.zeros(rows.size * columns.size, dtype=torch.bool)
        reached[patches[patches > 0].long() - 1] = True
        reached = reached.reshape(rows.size, columns.size)
        assert torch.nonzero(~reached.any(0)).flatten().tolist() == list(columns.dropped_inputs)
        assert torch.nonzero(~reached.any(1)).flatten().tolist() == list(rows.dropped_inputs)


def test_inputs_skipped_between_taps_are_not_blamed_on_the_floor() -> None:
    caption = picture_of(Conv2d(1, 1, 3, stride=3, dilation=2), (1, 11, 12)).caption
    assert ("The last 1 column is never covered: that is the floor (hatched red); "
            "input column 11 is never seen.") in caption
    assert "Input columns 1 and 9 fall between the taps of every window" in caption
