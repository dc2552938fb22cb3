"""Tables as a reader meets them: labels that say every setting, shapes without thousands commas,
tables kept together on a page, check-report rows with room for fractions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from symcnn import Conv2d, MaxPool2d, cli
from symcnn.files.assignment import read_assignment
from symcnn.render.documents import describe, dims
from symcnn.render.report import write_solution
from symcnn.render.tex import install_hint, tex_engine
from symcnn.solutions.solution import solve

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("layer", "label"),
    [
        (Conv2d(3, 64, 3, padding=1), "Conv 3 × 3, s=1, p=1, 64 ch"),
        (Conv2d(3, 64, 3, dilation=2), "Conv 3 × 3, s=1, p=0, d=2, 64 ch"),
        (Conv2d(4, 8, (3, 5), stride=(1, 2), dilation=(2, 1), groups=2), "Conv 3 × 5, s=1×2, p=0, d=2×1, g=2, 8 ch"),
        (MaxPool2d(3, stride=2, dilation=2), "MaxPool 3 × 3, s=2, p=0, d=2"),
        (MaxPool2d(2), "MaxPool 2 × 2, s=2, p=0"),
    ],
)
def test_a_layer_label_names_dilation_and_groups_where_not_1(layer: object, label: str) -> None:
    assert describe(layer) == label


def test_shapes_group_digits_with_thin_spaces_in_documents() -> None:
    assert dims((sp.Integer(512), sp.Integer(7), sp.Integer(7))) == r"512 \times 7 \times 7"
    assert dims((sp.Integer(25_088),)) == r"25\,088"


def test_shapes_have_no_thousands_commas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["summary", str(ROOT / "examples" / "vgg16.toml")]) == 0
    table = capsys.readouterr().out
    assert "[B, 25088]" in table and "[B, 512, 7, 7]" in table and "25,088" in table  # the size column groups
    write_solution(solve(read_assignment()), tmp_path, ("md", "tex"))
    for fmt in ("md", "tex"):
        text = (tmp_path / f"solution.{fmt}").read_text()
        assert r"$B \times 32\,768$" in text and r"B \times 32{,}768" not in text


def test_every_long_table_is_kept_together_when_it_fits(tmp_path: Path) -> None:
    write_solution(solve(read_assignment()), tmp_path, ("tex",))
    tex = (tmp_path / "solution.tex").read_text()
    tables = re.findall(r"(\\keeprows\{(\d+)\}\n)?\\begin\{longtable\}", tex)
    assert tables and all(rows for _, rows in tables)
    assert r"\keeprows{20}" in tex and r"\endhead" in tex  # 20 rows of activations; a longer table repeats its header


@pytest.mark.skipif(tex_engine() is None or shutil.which("pdftotext") is None,
                    reason=f"no TeX or poppler: {install_hint()} poppler-utils")
def test_the_activation_table_is_on_one_page(tmp_path: Path) -> None:
    write_solution(solve(read_assignment()), tmp_path, ("pdf",))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "solution.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if "conv1 (Conv 3 × 3" in page]
    assert len(pages) == 1
    assert "0   input" in re.sub(r"[ ]+", "   ", pages[0]) and "fc3 (FC 2)" in pages[0]


def test_check_report_rows_of_fractions_get_room() -> None:
    template = (ROOT / "templates" / "check.tex.j2").read_text()
    strut = re.search(r"\\newcommand\{\\mathrow\}\{\\rule\[-([\d.]+)ex\]\{0pt\}\{([\d.]+)ex\}\}", template)
    assert strut is not None
    depth, height = float(strut.group(1)), float(strut.group(2))
    assert depth >= 1.2 and height - depth >= 2.2  # a floor of a fraction reaches about 2 ex up and 1 ex down
    rows = [line for line in template.splitlines()
            if "claimed(c)" in line and line.rstrip().endswith("\\tabularnewline")]
    assert rows and all(r"\mathrow<< claimed(c)" in row and r"\mathrow<< expected(" in row for row in rows)
