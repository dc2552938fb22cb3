"""Output paths and output sets: one line and exit 2 for a bad path; a folder never mixes two runs."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from symcnn import cli
from symcnn.render.tex import tex_engine

ROOT = Path(__file__).resolve().parents[2]
SEED_CLAIMS = ROOT / "examples" / "seed_claims.toml"
SET = ("solution.md", "solution.tex", "solution.pdf", "activations.png", "activations.pdf",
       "receptive_field.png", "receptive_field.pdf")


def one_line_error(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    """Run the CLI, expecting bad input: exit 2, nothing on stdout, one line on stderr, no traceback."""
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if not line.startswith("symcnn: compiling")]
    assert code == 2, captured.err
    assert captured.out == "" and len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


def test_solve_into_proc(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, "solve", "--format", "md", "-o", "/proc/symcnn-x")
    assert "/proc/symcnn-x" in line and "choose" in line


def test_solve_under_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    line = one_line_error(capsys, "solve", "--format", "md", "-o", str(tmp_path / "notes.txt" / "out"))
    assert f"{tmp_path / 'notes.txt'} is a file, not a folder" in line and "choose an output path" in line
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_solve_onto_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").write_text("mine")
    line = one_line_error(capsys, "solve", "--format", "md", "-o", str(tmp_path / "out"))
    assert "is a file, not a folder; give a folder" in line


def test_solve_into_a_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes anywhere: refuse as a read-only file system would
        def refuse(*args: object, **kwargs: object) -> str:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(folder))

        monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    try:
        line = one_line_error(capsys, "solve", "--format", "md", "-o", str(folder))
    finally:
        folder.chmod(0o755)
    assert str(folder) in line and "choose a folder you can write to" in line
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("suffix", ["md", "tex", "pdf"])
def test_check_report_onto_a_folder(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"report.{suffix}"
    target.mkdir()
    line = one_line_error(capsys, "check", str(SEED_CLAIMS), "-o", str(target))
    if suffix == "pdf" and tex_engine() is None:
        assert "no TeX engine" in line
    else:
        assert f"{target}: is a folder; give a file name" in line
    assert list(target.iterdir()) == []


def test_check_report_under_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    line = one_line_error(capsys, "check", str(SEED_CLAIMS), "-o", str(tmp_path / "notes.txt" / "report.md"))
    assert "notes.txt is a file, not a folder" in line


def earlier_set(folder: Path) -> dict[str, bytes]:
    """A complete set from an 'earlier run', each file marked so it can be told apart."""
    folder.mkdir(exist_ok=True)
    for name in SET:
        (folder / name).write_bytes(f"earlier {name}".encode())
    return {name: (folder / name).read_bytes() for name in SET}


def test_without_tex_the_older_pdf_goes_and_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    earlier_set(tmp_path)
    monkeypatch.setattr("symcnn.render.report.tex_engine", lambda: None)
    assert cli.main(["solve", "-o", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no TeX engine" in err and "removed the older solution.pdf" in err
    assert not (tmp_path / "solution.pdf").exists()
    for name in SET[:2] + SET[3:]:
        assert not (tmp_path / name).read_bytes().startswith(b"earlier"), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(SET) - {"solution.pdf"})


def test_a_template_error_leaves_the_earlier_set_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    before = earlier_set(out)
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "solution.md.j2").write_text("{{ solution.no_such_field }}\n")
    line = one_line_error(capsys, "solve", "-o", str(out), "--template-dir", str(broken))
    assert "no_such_field" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_set_without_a_figure_removes_the_older_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    earlier_set(tmp_path)
    assignment = tmp_path / "one_layer.toml"
    assignment.write_text('title = "x"\n[values]\nW = 8\nH = 8\nK_1 = 3\nK_2 = 3\nP = 1\nS = 1\nC_in = 2\nC_out = 4\n'
                          '[[parts]]\ntitle = "conv"\nlayer = { type = "Conv2d" }\nquestions = ["params"]\n')
    assert cli.main(["solve", str(assignment), "-o", str(tmp_path), "--format", "md,tex"]) == 0
    err = capsys.readouterr().err
    assert "removed the older solution.pdf, activations.png" in err
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["one_layer.toml", "solution.md", "solution.tex"]
