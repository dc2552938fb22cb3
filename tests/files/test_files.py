"""The file formats as a teacher meets them: what is accepted, and what each mistake is told."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import pytest

import symcnn
from symcnn import cli
from symcnn.errors import SymcnnWarning
from symcnn.files.assignment import LayerPart, read_assignment
from symcnn.solutions.solution import Answer, solve

ROOT = Path(__file__).resolve().parents[2]
CONV = 'layer = { type = "Conv2d", out_channels = 4, kernel_size = 3 }'


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assignment(tmp_path: Path, parts: str, name: str = "a.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'title = "x"\n{parts}')
    return path


def test_a_fully_connected_part_flattens_a_c_h_w_input(tmp_path: Path) -> None:
    path = assignment(tmp_path, '[[parts]]\ntitle = "fc6"\nlayer = { type = "Linear", out_features = 4096 }\n'
                                'input = [96, 27, 27]\nquestions = ["params", "mults"]\n')
    part = read_assignment(path).parts[0]
    assert isinstance(part, LayerPart) and part.flattened == (96, 27, 27)
    section = solve(read_assignment(path)).sections[0]
    features = 96 * 27 * 27
    assert features == 69_984 and section.flattening is not None and section.flattening.result == features
    params, mults = (item.result[0] for item in section.items if isinstance(item, Answer))
    assert (params, mults) == ((features + 1) * 4096, features * 4096)
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out"), "--format", "md,tex"]) == 0
    md = (tmp_path / "out" / "solution.md").read_text()
    assert r"$C \times H \times W = 96 \times 27 \times 27$ input flattened" in md
    assert "n_{in} &= 27 \\cdot 27 \\cdot 96 \\\\\n&= 69{,}984" in md


def test_the_flattening_is_shown_once(tmp_path: Path) -> None:
    path = assignment(tmp_path, '[[parts]]\ntitle = "fc6"\nlayer = { type = "Linear", out_features = 10 }\n'
                                'input = [96, 27, 27]\nquestions = ["input_elements"]\n')
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out"), "--format", "md"]) == 0
    md = (tmp_path / "out" / "solution.md").read_text()
    assert md.count("&= 69{,}984") == 1 and "(see the number of input elements)" in md


def test_a_linear_layer_of_a_network_still_needs_flatten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "net.toml").write_text('input = [3, 8, 8]\n[[layers]]\ntype = "Linear"\nout_features = 2\n')
    code, _, err = run(capsys, "summary", str(tmp_path / "net.toml"))
    assert code == 2 and "add a Flatten layer before it" in err  # torch's Linear acts on the last axis only


@pytest.mark.parametrize(
    "arguments",
    [("--memory", "12"), ("--memory", "12884901888"), ("--memory", "1.5")],
)
def test_a_memory_budget_without_a_unit_is_bad_input(arguments: tuple[str, ...],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", str(ROOT / "examples" / "seed_network.toml"), *arguments)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"memory budget {arguments[1]!r} has no unit" in err and "12GiB (GiB = 2^30 bytes)" in err
    assert "B for bytes" in err


def test_a_memory_key_without_a_unit_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "net.toml").write_text((ROOT / "examples" / "seed_network.toml").read_text())
    path = assignment(tmp_path, '[[parts]]\ntitle = "net"\nnetwork = "net.toml"\nmemory = 12\n'
                                'questions = ["max_batch"]\n')
    code, _, err = run(capsys, "solve", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and "part 1 (net): memory: memory budget 12 has no unit" in err


@pytest.mark.parametrize(
    ("shape", "warned"),
    [("[224, 224, 3]", True), ("[32, 32, 1]", True), ("[480, 640, 4]", True),
     ("[3, 224, 224]", False), ("[256, 2, 2]", False), ("[64, 56, 56]", False), ("[8, 8, 3]", False)],
)
def test_a_channels_last_input_is_warned_about(shape: str, warned: bool, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "net.toml").write_text(f'input = {shape}\n[[layers]]\ntype = "Conv2d"\nout_channels = 2\n'
                                       'kernel_size = 1\n')
    code, out, err = run(capsys, "summary", str(tmp_path / "net.toml"))
    assert code == 0 and out
    if warned:
        height, width, channels = (int(v) for v in shape.strip("[]").split(","))
        assert err.count("\n") == 1 and err.startswith("symcnn: warning: ")
        assert "looks channels-last (H, W, C)" in err and f"input = [{channels}, {height}, {width}]" in err
    else:
        assert err == ""


def test_a_channels_last_part_input_is_warned_about_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = assignment(tmp_path, f'[values]\n[[parts]]\ntitle = "conv"\n{CONV}\ninput = [224, 224, 3]\n'
                                'questions = ["params"]\n')
    code, _, err = run(capsys, "solve", str(path), "-o", str(tmp_path / "out"), "--format", "md")
    assert code == 0 and "a.toml: part 1 (conv): input = [224, 224, 3] looks channels-last" in err


def test_other_warnings_keep_python_s_format(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    def summary(args: object) -> int:
        warnings.warn("old", DeprecationWarning, stacklevel=1)
        warnings.warn("looks odd", SymcnnWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "_summary", summary)
    code, _, err = run(capsys, "summary", "x.toml")
    lines = err.splitlines()
    assert code == 0 and "DeprecationWarning: old" in lines[0] and lines[-1] == "symcnn: warning: looks odd"


def test_a_missing_network_file_names_the_assignment_part_and_folder(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = assignment(tmp_path, '[[parts]]\ntitle = "Network bottleneck"\nnetwork = "nothere.toml"\n'
                                'questions = ["activation_table"]\n')
    code, out, err = run(capsys, "solve", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{path}: part 1 (Network bottleneck): network = 'nothere.toml': no such file in {tmp_path}" in err
    assert "network = { ... }" in err


@pytest.mark.parametrize("question", ["max_batch", "max_batch_training", "activation_table", "receptive_field"])
def test_a_network_question_of_one_layer_says_so(question: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = assignment(tmp_path, f'[[parts]]\ntitle = "conv"\n{CONV}\ninput = [1, 8, 8]\nquestions = ["{question}"]\n')
    code, _, err = run(capsys, "solve", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and f"part 1 (conv): {question} is a network question; ask it in a part with network =" in err
    assert "unknown question" not in err


def test_a_layer_question_of_a_network_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "net.toml").write_text((ROOT / "examples" / "seed_network.toml").read_text())
    path = assignment(tmp_path, '[[parts]]\ntitle = "net"\nnetwork = "net.toml"\nquestions = ["params"]\n')
    code, _, err = run(capsys, "solve", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and "params is a question about one layer; ask it in a part with layer =" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"symcnn {symcnn.__version__}\n"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "symcnn.__version__"}
