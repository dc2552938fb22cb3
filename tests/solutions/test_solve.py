"""``symcnn solve``: the seed assignment's worked solution, golden files, PDF, CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from symcnn import cli
from symcnn.files.assignment import read_assignment
from symcnn.formula.evaluation import evaluated
from symcnn.formula.trees import substituted
from symcnn.render.documents import escape_markdown, escape_tex
from symcnn.render.report import write_solution
from symcnn.render.tex import tex_engine
from symcnn.solutions.solution import Answer, BatchAnswer, solve

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
REPORTS = ROOT / "reports"
SEED = read_assignment()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed solution as Markdown and LaTeX, written once for the module."""
    folder = tmp_path_factory.mktemp("solution")
    write_solution(solve(SEED), folder, ("md", "tex"))
    return folder


def answers() -> dict[tuple[int, str], tuple[sp.Expr, ...]]:
    """(section, question) -> final values, for the seed solution."""
    found: dict[tuple[int, str], tuple[sp.Expr, ...]] = {}
    for section in solve(SEED).sections:
        for item in section.items:
            if isinstance(item, Answer):
                found[section.number, item.question] = item.result
            elif isinstance(item, BatchAnswer):
                found[section.number, item.question] = (item.derivation.result,)
    return found


@pytest.mark.parametrize(
    ("section", "question", "expected"),
    [
        (1, "input_elements", (4_194_304,)),
        (1, "output_shape", (256, 256, 128)),
        (1, "params", (73_856,)),
        (1, "mults", (4_831_838_208,)),  # the seed's 74,908,800 forgets C_in (and the +1)
        (2, "output_shape", (128, 128, 64)),
        (2, "params", (0,)),
        (2, "mults", (0,)),
        (3, "output_features", (1000,)),
        (3, "params", (4_194_305_000,)),
        (3, "mults", (4_194_304_000,)),
        (4, "max_batch", (768,)),
        (4, "max_batch_training", (160,)),
    ],
)
def test_the_answers_are_the_true_ones(section: int, question: str, expected: tuple[int, ...]) -> None:
    assert answers()[section, question] == tuple(sp.Integer(v) for v in expected)


def test_every_step_of_every_derivation_has_the_result() -> None:
    solution = solve(SEED)
    for section in solution.sections:
        for item in section.items:
            derivations = getattr(item, "derivations", None) or [getattr(item, "derivation", None)]
            for derivation in filter(None, derivations):
                for step in derivation.steps[1:]:  # the general formula has symbols
                    assert evaluated(substituted(step.tree, {})) == derivation.result, derivation.latex()


def test_the_output_width_reads_like_the_textbook(rendered: Path) -> None:
    expected = (
        r"W_{out} &= \left\lfloor \frac{W + 2P - K_1}{S} \right\rfloor + 1 \\" "\n"
        r"&= \left\lfloor \frac{256 + 2 \cdot 1 - 3}{1} \right\rfloor + 1 \\" "\n"
        r"&= \left\lfloor \frac{255}{1} \right\rfloor + 1 \\" "\n"
        r"&= 255 + 1 \\" "\n"
        r"&= 256"
    )
    for name in ("solution.md", "solution.tex"):
        assert expected in (rendered / name).read_text()


@pytest.mark.parametrize("name", ["solution.md", "solution.tex"])
def test_no_sympy_artefacts(rendered: Path, name: str) -> None:
    text = (rendered / name).read_text()
    for artefact in (r"\left(-1\right)", "^{-1}", r"1 \left(", "Integer(", "Symbol(", "floor(", "Mod("):
        assert artefact not in text


@pytest.mark.parametrize("name", ["solution.md", "solution.tex"])
def test_golden(rendered: Path, name: str, update_golden: bool) -> None:
    """The rendered seed solution, compared with the reviewed copy in tests/golden/."""
    actual = (rendered / name).read_text()
    golden = GOLDEN / name
    if update_golden:
        golden.write_text(actual)
    assert golden.read_text() == actual, f"{name} changed: review it, then run pytest --update-golden"


def test_reports_are_not_stale(rendered: Path, update_golden: bool) -> None:
    """reports/ holds what `symcnn solve` produces now (regenerate: symcnn solve -o reports)."""
    for name in ("solution.md", "solution.tex"):
        actual = (rendered / name).read_text()
        if update_golden:
            (REPORTS / name).write_text(actual)
        assert (REPORTS / name).read_text() == actual, f"reports/{name} is stale: run `symcnn solve -o reports`"
    for figure in ("activations.png", "activations.pdf", "receptive_field.png", "receptive_field.pdf"):
        assert (REPORTS / figure).is_file()
    assert (REPORTS / "solution.pdf").is_file()


def test_markdown_links_the_figures(rendered: Path) -> None:
    text = (rendered / "solution.md").read_text()
    assert "![Activation size per layer](activations.png)" in text
    assert "![Receptive field](receptive_field.png)" in text
    assert (rendered / "activations.png").is_file() and (rendered / "receptive_field.png").is_file()


def test_figures_are_reproducible(tmp_path: Path) -> None:
    """Regenerating an unchanged solution changes no byte of the figures; Markdown needs no PDF figure."""
    first, second = tmp_path / "a", tmp_path / "b"
    write_solution(solve(SEED), first, ("md",))
    write_solution(solve(SEED), second, ("md",))
    for name in ("activations.png", "receptive_field.png", "window_1.png", "window_2.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert not list(first.glob("*.pdf"))


needs_tex = pytest.mark.skipif(
    tex_engine() is None or shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="no TeX (latexmk, pdflatex) or poppler (pdftotext, pdftoppm): "
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended latexmk poppler-utils",
)


@needs_tex
def test_pdf_holds_every_final_answer(tmp_path: Path) -> None:
    write_solution(solve(SEED), tmp_path, ("pdf",))
    pdf = tmp_path / "solution.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    for answer in ("4,194,304", "256 × 256 × 128", "73,856", "4,831,838,208", "128 × 128 × 64",
                   "4,194,305,000", "4,194,304,000", "Bmax = 768", "Bmax = 160", "16i − 62 : 16i + 77"):
        assert answer in flat, answer
    assert not (tmp_path / "solution.tex").exists()  # only what was asked for
    log = list(tmp_path.glob("*.log"))
    assert not log  # compiled in a temporary folder
    pages = subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert pages.returncode == 0 and len(list(tmp_path.glob("page*.png"))) >= 5


@needs_tex
def test_pdf_has_no_overfull_boxes(tmp_path: Path) -> None:
    """Nothing runs off the page: latexmk's log of the seed solution has no overfull \\hbox."""
    write_solution(solve(SEED), tmp_path, ("tex",))
    shutil.copy(REPORTS / "activations.pdf", tmp_path)
    shutil.copy(REPORTS / "receptive_field.pdf", tmp_path)
    subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "solution.tex"],
                   cwd=tmp_path, capture_output=True, check=False, stdin=subprocess.DEVNULL)
    log = (tmp_path / "solution.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log


def test_user_text_is_escaped() -> None:
    assert escape_tex(r"50% of $x_1 & {y} #1 \input{/etc/passwd}") == (
        r"50\% of \$x\_1 \& \{y\} \#1 \textbackslash{}input\{/etc/passwd\}"
    )
    assert escape_markdown("*bold* [link](x) <b> `code` $x$") == r"\*bold\* \[link\](x) \<b\> \`code\` \$x\$"


@needs_tex
def test_hostile_title_compiles_and_stays_text(tmp_path: Path) -> None:
    assignment = tmp_path / "a.toml"
    network = (ROOT / "examples" / "seed_network.toml").read_text()
    (tmp_path / "net.toml").write_text(network)
    assignment.write_text(
        'title = "50% & $x$ #1 \\\\input{/etc/passwd} \\\\write18{touch pwned} ~^_{}"\n'
        '[values]\nW = 8\nH = 8\nK_1 = 3\nK_2 = 3\nP = 1\nS = 2\nC_in = 2\nC_out = 4\n'
        '[[parts]]\ntitle = "conv <b>*x*</b>"\nlayer = { type = "Conv2d" }\nquestions = ["output_shape", "params"]\n'
    )
    out = tmp_path / "out"
    assert cli.main(["solve", str(assignment), "-o", str(out), "--format", "md,tex,pdf"]) == 0
    text = subprocess.run(["pdftotext", str(out / "solution.pdf"), "-"], capture_output=True, text=True).stdout
    assert "50% & $x$ #1" in text and "input{/etc/passwd}" in text
    assert not (tmp_path / "pwned").exists() and not (out / "pwned").exists()
    markdown = (out / "solution.md").read_text()
    assert r"conv \<b\>\*x\*\</b\>" in markdown
    assert "floor drops 1 column(s) and 1 row(s)" in markdown  # 8 + 2 - 3 = 7 is odd: stride 2 drops one


def test_missing_tex_still_writes_md_and_tex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("symcnn.render.writer.tex_engine", lambda: None)
    assert cli.main(["solve", "-o", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no TeX engine" in err and "texlive-latex-base" in err
    assert (tmp_path / "solution.md").is_file() and (tmp_path / "solution.tex").is_file()
    assert not (tmp_path / "solution.pdf").exists()


@needs_tex
def test_tex_failure_exits_3_and_keeps_the_old_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "solution.pdf").write_bytes(b"%PDF-good")
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "solution.tex.j2").write_text(
        "\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n"
    )
    code = cli.main(["solve", "-o", str(out), "--format", "pdf", "--template-dir", str(broken)])
    err = capsys.readouterr().err
    assert code == 3
    assert "Undefined control sequence" in err
    assert (out / "solution.pdf").read_bytes() == b"%PDF-good"


def test_template_dir_overrides(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "solution.md.j2").write_text("# {{ solution.assignment.title }}: {{ solution.sections | length }} parts\n")
    assert cli.main(["solve", "-o", str(tmp_path / "out"), "--format", "md", "--template-dir", str(mine)]) == 0
    assert (tmp_path / "out" / "solution.md").read_text() == "# Convolutional Neural Networks Assignment: 5 parts\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["solve", "missing.toml"], "missing.toml: no such file"),
        (["solve", "--format", "docx"], "--format 'docx' is unknown"),
        (["solve", "--template-dir", "/no/such/folder"], "/no/such/folder: no such folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(arguments: list[str], message: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*arguments, "-o", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"\n[[parts]]\ntitle = "a"\nlayer = { type = "Conv2D" }\nquestions = ["params"]\n',
         "did you mean 'Conv2d'?"),
        ('title = "x"\n[[parts]]\ntitle = "a"\nlayer = { type = "Conv2d" }\nquestions = ["parms"]\n',
         "unknown question 'parms'; did you mean 'params'?"),
        ('title = "x"\n[values]\nW = "__import__(\'os\')"\n[[parts]]\ntitle = "a"\nlayer = { type = "Conv2d" }\n'
         'questions = ["params"]\n', "unexpected character '_'"),
        ('title = "x"\n[[parts]]\ntitle = "a"\nlayer = { type = "Conv2d" }\nquestions = ["params"]\n',
         "no value for"),
        ('title = "x"\nparts = 3\n', "no parts"),
    ],
)
def test_bad_assignment_exits_2(text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert message in captured.err and "bad.toml" in captured.err


def test_markdown_blocks_and_tex_unicode_are_escaped() -> None:
    from symcnn.render.documents import escape_markdown_block

    assert escape_markdown_block("# not a heading") == r"\# not a heading"
    assert escape_markdown_block("1. not a list") == r"1\. not a list"
    assert escape_markdown("-1 & 2 &amp;") == "-1 & 2 &amp;amp;"  # inline: numbers stay readable
    assert escape_tex("3 × 3 − 1 · 2") == r"3 \texttimes{} 3 \textminus{} 1 \textperiodcentered{} 2"


def test_a_question_the_layer_cannot_answer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.toml"
    path.write_text('title = "x"\n[values]\nW = 4\nH = 4\nC_in = 2\nN = 3\n'
                    '[[parts]]\ntitle = "fc"\nlayer = { type = "Linear" }\nquestions = ["output_shape"]\n')
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out")]) == 2
    assert "part 1 (fc): a Linear has no output_shape" in capsys.readouterr().err


def test_non_square_receptive_fields_show_both_axes(tmp_path: Path) -> None:
    (tmp_path / "net.toml").write_text(
        'input = [1, 32, 32]\n[[layers]]\ntype = "Conv2d"\nname = "c_1"\nout_channels = 2\n'
        'kernel_size = [3, 5]\nstride = [1, 2]\npadding = [1, 2]\n'
    )
    (tmp_path / "a.toml").write_text(
        'title = "x"\n[[parts]]\ntitle = "rf"\nnetwork = "net.toml"\n'
        'questions = ["activation_table", "receptive_field"]\n'
    )
    assert cli.main(["solve", str(tmp_path / "a.toml"), "-o", str(tmp_path / "out"), "--format", "md"]) == 0
    text = (tmp_path / "out" / "solution.md").read_text()
    assert r"| c\_1 | $i - 1 : i + 1$ | $2j - 2 : 2j + 2$ | 3 × 5 | 1 × 2 | -1 × -2 |" in text
    assert r"c\_1 (Conv 3 × 5, s=1×2, p=1×2, 2 ch)" in text  # escaped once


def test_own_words_override_only_what_they_name(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "words.toml").write_text('[questions]\nparams = "How many weights?"\n')
    assert cli.main(["solve", "-o", str(tmp_path / "out"), "--format", "md", "--template-dir", str(mine)]) == 0
    text = (tmp_path / "out" / "solution.md").read_text()
    assert "### 1.3 How many weights?" in text and "### 1.4 Number of multiplications" in text
