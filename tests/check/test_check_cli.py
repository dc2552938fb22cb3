"""symcnn check on the command line: table, JSON, exit codes, reports, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symcnn.cli import main
from symcnn.render.documents import tex_engine

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "examples" / "seed_assignment.toml"
SEED_CLAIMS = ROOT / "examples" / "seed_claims.toml"


def write(folder: Path, body: str, name: str = "claims.toml") -> Path:
    path = folder / name
    path.write_text(f"assignment = {json.dumps(str(ASSIGNMENT))}\n{body}")
    return path


def claim(**fields: object) -> str:
    return "[[claims]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in fields.items())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_claims_table_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(SEED_CLAIMS))
    assert code == 1 and err == ""
    rows = [line for line in out.splitlines() if line[:3].strip().isdigit() and "  " in line]
    assert len([r for r in rows if r.split()[0].isdigit() and int(r.split()[0]) <= 64]) >= 64
    assert "49 correct, 0 equivalent, 15 wrong, 0 unverifiable" in out
    assert "Diagnoses:" in out


def test_seed_claims_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(SEED_CLAIMS), "--json")
    assert code == 1
    claims = json.loads(out)["claims"]
    assert len(claims) == 64
    for entry in claims:
        assert {"quantity", "layer", "claimed", "expected", "verdict", "diagnosis"} <= set(entry)
        assert entry["verdict"] in ("correct", "equivalent", "wrong", "unverifiable")
        for key in ("claimed", "expected"):
            assert isinstance(entry[key], (int, str, list))
    mults = claims[17]
    assert mults["claimed"] == 74_908_800 and mults["expected"] == 4_831_838_208
    assert mults["verdict"] == "wrong" and "255" in mults["diagnosis"]
    assert claims[5]["expected"] == "K_1*K_2*C_in*W_out*H_out*C_out"
    assert claims[62]["expected"] == "16i - 62 : 16i + 77, 16j - 62 : 16j + 77"
    assert claims[0]["diagnosis"] is None and claims[16]["claimed"] == 73856


def test_all_correct_or_equivalent_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        claim(part=1, quantity="params", claimed=73856)
        + claim(part=1, quantity="params", claimed="K_1*K_2*C_in*C_out + C_out"),
    )
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert "1 correct, 1 equivalent, 0 wrong, 0 unverifiable" in out


def test_unverifiable_alone_exits_0_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        claim(part=1, quantity="params", claimed=73856)
        + claim(part=2, quantity="output_features", claimed=5),
    )
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert "1 claim(s) could not be verified" in out
    assert "MaxPool2d has no output size (output_features)" in out


def test_any_wrong_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        claim(part=1, quantity="params", claimed=73856) + claim(part=1, quantity="params", claimed=73728),
    )
    assert run(capsys, "check", str(path))[0] == 1


BAD = [
    (
        "unknown quantity",
        claim(part=1, quantity="paramz", claimed=1),
        "claim 2 (paramz)",
        "did you mean 'params'",
    ),
    (
        "unknown layer",
        claim(part=5, layer="conv99", quantity="receptive_field", claimed="i : i"),
        "claim 2 (receptive_field)",
        "no layer 'conv99'",
    ),
    (
        "malformed region",
        claim(part=5, layer="conv1", quantity="receptive_field", claimed="16i - 44 ; 16i + 75"),
        "claim 2 (receptive_field)",
        "malformed region",
    ),
    (
        "region not linear",
        claim(part=5, layer="conv1", quantity="receptive_field", claimed="i*i : i"),
        "claim 2 (receptive_field)",
        "malformed region",
    ),
    (
        "code in an expression",
        claim(part=1, quantity="params", claimed="__import__('os').system('echo hi')"),
        "claim 2 (params)",
        "unexpected character",
    ),
    (
        "a call other than floor/ceil",
        claim(part=1, quantity="params", claimed="eval(1)"),
        "claim 2 (params)",
        "only floor() and ceil()",
    ),
    (
        "attribute access",
        claim(part=1, quantity="params", claimed="C_in.__class__"),
        "claim 2 (params)",
        "unexpected character",
    ),
    (
        "unknown symbol",
        claim(part=1, quantity="params", claimed="X_1 + 1"),
        "claim 2 (params)",
        "unknown symbol",
    ),
    ("a float", claim(part=1, quantity="params", claimed=1.5), "claim 2 (params)", "integer or a formula"),
    (
        "not a whole number",
        claim(part=1, quantity="params", claimed="10/3"),
        "claim 2 (params)",
        "whole number",
    ),
    ("no part", claim(quantity="params", claimed=1), "claim 2 (params)", "which part"),
    ("no such part", claim(part=9, quantity="params", claimed=1), "claim 2 (params)", "no part 9"),
    ("no claimed", claim(part=1, quantity="params"), "claim 2 (params)", "missing claimed"),
    ("unknown key", claim(part=1, quantity="params", claimed=1, valeu=2), "claim 2 (params)", "unknown key"),
    ("shape not a list", claim(part=1, quantity="output_shape", claimed=5), "claim 2 (output_shape)", "list"),
    (
        "bad step",
        claim(part=1, quantity="params", claimed=1, intermediate=["1 +"]),
        "claim 2 (params)",
        "intermediate[1]",
    ),
]


@pytest.mark.parametrize("name, body, where, what", BAD, ids=[b[0] for b in BAD])
def test_bad_claims_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: str, where: str, what: str
) -> None:
    path = write(tmp_path, claim(part=1, quantity="params", claimed=73856) + body)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2, name
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("symcnn: error: ")
    assert str(path) in err and where in err and what in err


def test_code_is_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    body = claim(part=1, quantity="params", claimed=f"__import__('os').system('touch {marker}')")
    assert run(capsys, "check", str(write(tmp_path, body)))[0] == 2
    assert not marker.exists()


@pytest.mark.parametrize(
    "header, what",
    [
        ("", "name exactly one target"),
        ('network = "seed_network.toml"', "name exactly one target"),
        ('assignment = "missing.toml"', "no such file"),
    ],
)
def test_bad_targets_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, what: str
) -> None:
    path = tmp_path / "claims.toml"
    first = (
        ""
        if header == ""
        else (
            header
            if header.startswith("assignment")
            else f"assignment = {json.dumps(str(ASSIGNMENT))}\n{header}"
        )
    )
    path.write_text(f"{first}\n{claim(part=1, quantity='params', claimed=1)}")
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == "" and what in err


def test_report_md_and_tex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for suffix in ("md", "tex"):
        target = tmp_path / f"report.{suffix}"
        code, out, _ = run(capsys, "check", str(SEED_CLAIMS), "-o", str(target))
        assert code == 1 and "Diagnoses:" in out
        text = target.read_text()
        assert "16i - 62 : 16i + 77" in text
        assert ("**Diagnosis:**" if suffix == "md" else r"\textbf{Diagnosis:}") in text


def test_report_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.pdf"
    code, _, err = run(capsys, "check", str(SEED_CLAIMS), "-o", str(target))
    if tex_engine() is None:
        assert code == 2 and "no TeX engine" in err and not target.exists()
    else:
        assert code == 1
        assert target.read_bytes().startswith(b"%PDF")


def test_report_other_suffix_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(SEED_CLAIMS), "-o", str(tmp_path / "report.html"))
    assert code == 2 and out == "" and ".md, .tex or .pdf" in err


HOSTILE = r"$\input{/etc/passwd}$ *bold* | <b>x</b> [link](http://x) 100% #1 _u_ ~ ^"


def test_user_text_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "claims.toml"
    path.write_text(
        f"title = {json.dumps(HOSTILE)}\nauthor = {json.dumps(HOSTILE)}\n"
        f"assignment = {json.dumps(str(ASSIGNMENT))}\n"
        + claim(part=1, quantity="params", claimed=73728, note=HOSTILE)
    )
    md, tex = tmp_path / "r.md", tmp_path / "r.tex"
    assert run(capsys, "check", str(path), "-o", str(md))[0] == 1
    assert run(capsys, "check", str(path), "-o", str(tex))[0] == 1
    md_text, tex_text = md.read_text(), tex.read_text()
    assert r"\input" not in tex_text.replace(r"\textbackslash{}input", "")
    assert r"\$\\input" in md_text and "<b>" not in md_text and r"\*bold\*" in md_text
    assert r"100\%" in tex_text and r"\#1" in tex_text
