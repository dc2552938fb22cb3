"""reports/ is what symcnn makes now, byte for byte, and a second run makes the same bytes.

`symcnn solve` twice in a row must leave `git status` clean: the PDFs carry no
date or random ID, the figures no timestamp. Regenerate after a deliberate
change with `python -m pytest tests/render/test_reports.py --update-golden`, then look
at the PDFs (pdftoppm -png) before committing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from symcnn.check.checker import check_claims
from symcnn.files.assignment import read_assignment
from symcnn.files.claims import read_claims
from symcnn.render.check_report import write_check_report
from symcnn.render.report import write_solution
from symcnn.render.tex import install_hint, tex_engine
from symcnn.solutions.solution import solve

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
SOLUTION = ("solution.md", "solution.tex", "solution.pdf", "activations.png", "activations.pdf",
            "receptive_field.png", "receptive_field.pdf")

needs_tex = pytest.mark.skipif(tex_engine() is None, reason=f"no TeX: {install_hint()}")


@pytest.fixture(scope="module")
def solution_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`symcnn solve` of the seed assignment, every format, into a fresh folder."""
    folder = tmp_path_factory.mktemp("solution")
    write_solution(solve(read_assignment()), folder)
    return folder


@pytest.fixture(scope="module")
def seed_check_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed claims' check report as a PDF, as `symcnn check ... -o reports/seed_check.pdf` writes it."""
    target = tmp_path_factory.mktemp("check") / "seed_check.pdf"
    write_check_report(check_claims(read_claims(ROOT / "examples" / "seed_claims.toml")), target)
    return target


def same_bytes(made: Path, committed: Path, update_golden: bool) -> None:
    if update_golden:
        shutil.copyfile(made, committed)
    assert committed.read_bytes() == made.read_bytes(), f"reports/{committed.name} is stale: regenerate it"


@needs_tex
@pytest.mark.parametrize("name", SOLUTION)
def test_the_solution_set_is_current(solution_set: Path, name: str, update_golden: bool) -> None:
    same_bytes(solution_set / name, REPORTS / name, update_golden)


@needs_tex
def test_the_seed_check_pdf_is_current(seed_check_pdf: Path, update_golden: bool) -> None:
    same_bytes(seed_check_pdf, REPORTS / "seed_check.pdf", update_golden)


@needs_tex
def test_a_second_run_gives_the_same_bytes(solution_set: Path, tmp_path: Path) -> None:
    write_solution(solve(read_assignment()), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SOLUTION)
    for name in SOLUTION:
        assert (tmp_path / name).read_bytes() == (solution_set / name).read_bytes(), name


@needs_tex
def test_the_pdfs_carry_no_date_or_id(solution_set: Path, seed_check_pdf: Path) -> None:
    for pdf in (solution_set / "solution.pdf", seed_check_pdf):
        data = pdf.read_bytes()
        for marker in (b"/CreationDate", b"/ModDate", b"/ID [", b"PTEX.Fullbanner"):
            assert marker not in data, (pdf.name, marker)
