"""symcnn's own sentences: written once, typeset in LaTeX, natural in Markdown, each convention said once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from symcnn import cli
from symcnn.files.assignment import LayerPart, NetworkPart, read_assignment
from symcnn.formula.prose import MarkupError, Segment, segments
from symcnn.render.documents import prose, words
from symcnn.render.report import write_solution
from symcnn.solutions.solution import solve

SEED = read_assignment()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("GiB = $2^{30}$ bytes", (Segment(False, "GiB = "), Segment(True, "2^{30}"), Segment(False, " bytes"))),
        ("fvcore's 'flops'", (Segment(False, "fvcore’s ‘flops’"),)),
        ('a "word"', (Segment(False, "a “word”"),)),
        ("$W × H · C_{in} − 1$", (Segment(True, r"W \times H \cdot C_{in} - 1"),)),
        ("$x$'s", (Segment(True, "x"), Segment(False, "’s"))),
        (r"costs \$5", (Segment(False, "costs $5"),)),
    ],
)
def test_segments(sentence: str, expected: tuple[Segment, ...]) -> None:
    assert segments(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ("costs $5", "unmatched $"),
        (r"$\input{/etc/passwd}$", r"\input is not allowed"),
        (r"$\def\x{1}$", r"\def is not allowed"),
        ("$^^5cinput$", "'^^'"),
        ("$a}{$", "unbalanced braces"),
        ("$a % b$", "'%' is not allowed"),
        ("$a # b$", "'#' is not allowed"),
    ],
)
def test_math_outside_the_safe_part_is_refused(sentence: str, message: str) -> None:
    with pytest.raises(MarkupError, match=re.escape(message)):
        segments(sentence)


def test_one_sentence_in_both_formats() -> None:
    sentence = "FLOPs = 2 × MACs (fvcore's 'flops'); GiB = $2^{30}$ bytes, $C_{in}$ channels"
    assert prose(sentence, "tex") == (
        r"FLOPs = 2 \texttimes{} MACs (fvcore's `flops'); GiB = $2^{30}$ bytes, $C_{in}$ channels"
    )
    assert prose(sentence, "md") == "FLOPs = 2 × MACs (fvcore’s ‘flops’); GiB = $2^{30}$ bytes, $C_{in}$ channels"
    assert prose("# 1. *not* markup $x$", "md", block=True) == r"\# 1. \*not\* markup $x$"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("prose")
    write_solution(solve(SEED), folder, ("md", "tex"))
    return {fmt: (folder / f"solution.{fmt}").read_text() for fmt in ("md", "tex")}


def outside_math(text: str) -> str:
    """The text of a document with its math left out."""
    text = re.sub(r"\$\$.*?\$\$|\\begin\{equation\*\}.*?\\end\{equation\*\}", "", text, flags=re.S)
    return re.sub(r"(?<!\\)\$[^$]*\$", "", text)


def test_symcnn_s_sentences_are_typeset_in_latex(rendered: dict[str, str]) -> None:
    tex = rendered["tex"]
    for raw in (r"\textasciicircum", r"C\_in", "2^30", "'flops'", "'12GB'", "'no dilation'"):
        assert raw not in tex, raw
    assert not re.search(r"\w x \w", outside_math(tex))
    for typeset in ("$2^{30}$", "$C_{in}$", r"2 \texttimes{} MACs", "`flops'", "`12GB'", r"$W \times H \times C_{in}$"):
        assert typeset in tex, typeset


def test_symcnn_s_sentences_read_naturally_in_markdown(rendered: dict[str, str]) -> None:
    md = rendered["md"]
    for raw in ("2^30", "C\\_in", "'flops'", "\\$"):
        assert raw not in md, raw
    assert not re.search(r"\w x \w", outside_math(md))
    assert "FLOPs = 2 × MACs" in md and "‘flops’" in md and "$C_{in}$" in md


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_each_convention_is_said_once(rendered: dict[str, str], fmt: str) -> None:
    said = [prose(text, fmt) for text in (*words()["conventions"].values(), *words()["general"].values())]
    asked = set(solve(SEED).questions)
    for key, text in words()["conventions"].items():
        assert rendered[fmt].count(prose(text, fmt)) == (1 if key in asked else 0), key
    assert all(rendered[fmt].count(text) <= 1 for text in said)
    assert "Convention:" not in rendered[fmt]


def test_the_readings_name_parts_by_the_numbers_the_solution_prints() -> None:
    """The seed's own numbering (5 and 6 for the network) is not the solution's (4 and 5)."""
    named = [
        [int(n) for n in re.findall(r"\b(\d+)\b", match)]
        for reading in SEED.readings
        for match in re.findall(r"[Pp]arts? \d+(?:–\d+| and \d+)?", reading)
    ]
    assert named == [[1, 3], [4, 5], [5]]
    assert not any("section" in reading.lower() for reading in SEED.readings)
    single, network, last = (SEED.parts[n - 1] for n in (1, 4, 5))
    assert all(isinstance(SEED.parts[n - 1], LayerPart) for n in range(1, 4))
    assert isinstance(network, NetworkPart) and network.network.layer("conv10")
    assert isinstance(last, NetworkPart) and last.receptive_field_layer == "conv10"
    assert isinstance(single, LayerPart)


def test_readings_with_unsafe_math_are_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.toml"
    path.write_text('title = "x"\nreadings = ["fine", "$\\\\input{/etc/passwd}$"]\n'
                    '[[parts]]\ntitle = "conv"\nlayer = { type = "Conv2d", out_channels = 2, kernel_size = 3 }\n'
                    'input = [1, 8, 8]\nquestions = ["params"]\n')
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a.toml: readings[2]: \\input is not allowed" in err
    assert not (tmp_path / "out").exists()
