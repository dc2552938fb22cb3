"""The teacher's loop end to end: sheet, class build, Moodle XML parsed back, grades checked by hand."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from symcnn.classroom.answer_key import answer_key
from symcnn.classroom.class_build import build_class, read_roster
from symcnn.classroom.grade_report import write_grades
from symcnn.classroom.grading import grade_class
from symcnn.classroom.grading_rules import read_grading
from symcnn.classroom.moodle import quiz, quiz_bytes
from symcnn.classroom.sheet import render_sheet
from symcnn.classroom.variants import for_students, read_variant_space, variant_assignment
from symcnn.files.assignment import read_assignment
from symcnn.files.claims import parse_region
from symcnn.render.tex import tex_engine
from symcnn.solutions.solution import solve

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed_assignment.toml"
ANSWERS = ROOT / "examples" / "class_answers.csv"
STUDENTS = ["s2026001", "s2026002", "s2026003"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symcnn", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_sheet_asks_without_answering() -> None:
    assignment = read_assignment(SEED)
    key = answer_key(solve(assignment))
    for fmt in ("md", "tex"):
        text = render_sheet(assignment, fmt)
        numbers = [e.number for e in key]
        assert all(number in text for number in numbers)
        assert "Answer" not in text and "73856" not in text and "73{,}856" not in text
        assert "4831838208" not in text and "16i" not in text
    assert r"\# & Layer & Type" in render_sheet(assignment, "tex")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    build_class(SEED, "fall-2026", folder / "class", ids=STUDENTS, formats=("md",), jobs=2)
    return folder / "class"


def test_class_build_writes_each_students_set_and_the_key(built: Path) -> None:
    space = read_variant_space(SEED)
    manifest = json.loads((built / "variants.json").read_text())
    assert manifest["students"] == for_students(space, "fall-2026", STUDENTS)
    rows = list(csv.DictReader((built / "answers.csv").open()))
    for student in STUDENTS:
        assert {p.name for p in (built / student).iterdir()} >= {"sheet.md", "solution.md", "answers.json",
                                                                 "activations.png", "receptive_field.png"}
        record = json.loads((built / student / "answers.json").read_text())
        values = record["values"]
        by_number = {a["number"]: a["answer"] for a in record["answers"]}
        # by hand: (K_1 K_2 C_in + 1) C_out, and W_out = floor((W + 2P - K_1)/S) + 1
        assert by_number["1.3"] == (values["K_1"] * values["K_2"] * values["C_in"] + 1) * values["C_out"]
        w_out = (values["W"] + 2 * values["P"] - values["K_1"]) // values["S"] + 1
        assert by_number["1.2"][2] == w_out
        key = [r["answer"] for r in rows if r["student"] == student and r["number"] == "1.3"]
        assert key == [str(by_number["1.3"])]
    assert not (built / ".figures").exists()


def test_moodle_xml_parses_back_to_the_answer_key(tmp_path: Path) -> None:
    space = read_variant_space(SEED)
    variants = []
    for label in ("1", "2"):
        assignment = variant_assignment(space, for_students(space, 5, [label])[label])
        variants.append((label, assignment, solve(assignment)))
    path = tmp_path / "quiz.xml"
    path.write_bytes(quiz_bytes(quiz(variants, read_grading({"points": 1, "questions": {"params": 3}}, "x"))))
    root = ET.parse(path).getroot()
    categories = [q.findtext("category/text") for q in root if q.get("type") == "category"]
    assert categories == [f"$course$/top/Convolutional Neural Networks Assignment/{n}. {p.title}"
                          for n, p in enumerate(variants[0][1].parts, start=1)]
    questions = [q for q in root if q.get("type") != "category"]
    keys = {label: {e.number: e for e in answer_key(solution)} for label, _, solution in variants}
    assert len(questions) == sum(len(k) for k in keys.values())
    for question in questions:
        number, label = question.findtext("name/text").split()[0], question.findtext("name/text").split()[-1][:-1]
        entry = keys[label][number]
        assert r"\(" in question.findtext("generalfeedback/text")
        if question.get("type") == "numerical":
            assert question.findtext("answer/text") == str(entry.value)
            assert question.findtext("answer/tolerance") == "0" and question.find("answer").get("fraction") == "100"
            assert question.findtext("defaultgrade") == ("3.0000000" if entry.question == "params" else "1.0000000")
        else:
            text = question.findtext("questiontext/text")
            blanks = [int(b.split(":=")[1].split(":")[0]) for b in text.split("NUMERICAL")[1:]]
            if entry.kind == "shape":
                assert blanks == entry.value
            else:
                region = parse_region(entry.value, "key")
                ends = [region.rows.jump, region.rows.first, region.rows.jump, region.rows.last,
                        region.columns.jump, region.columns.first, region.columns.jump, region.columns.last]
                assert blanks == [int(e) for e in ends]


def test_grades_checked_by_hand(built: Path, tmp_path: Path) -> None:
    grades, solutions, _ = grade_class(built, ANSWERS, jobs=2)
    got = {(g.student, g.number or g.question, g.line): (g.verdict, g.points) for g in grades}

    def verdict(student: str, number: str) -> tuple[str, object]:
        return next(v for (s, n, _), v in got.items() if s == student and n == number)

    assert verdict("s2026001", "1.1") == ("correct", 1)
    assert verdict("s2026001", "1.3") == ("equivalent", 1)  # K_1 K_2 C_in C_out + C_out
    assert verdict("s2026001", "4.3") == ("correct", 2)  # [grading] max_batch = 2
    assert verdict("s2026001", "2.1") == ("missing", 0)
    assert verdict("s2026002", "1.4")[0] == "wrong"  # K_1 K_2 W_out H_out C_out: forgot C_in
    assert verdict("s2026002", "3.3") == ("wrong", 0.5)  # two digits swapped: slip = 0.5
    assert verdict("s2026003", "1.3") == ("malformed", 0)
    invalid = sorted(g.problem.split(":")[0] for g in grades if g.verdict == "invalid")
    assert invalid == ["line 19", "line 20", "line 21"]  # unknown question, repeated answer, unknown student
    forgot = next(g for g in grades if g.student == "s2026002" and g.number == "1.4")
    assert "C_in" in forgot.mistakes[0]
    # s2026001's points by hand: 1.1, 1.2, 1.3, 1.4, 2.2, 3.3 one each; 4.3 and 5.1 two each
    assert sum(g.points for g in grades if g.student == "s2026001") == 10
    written = write_grades(grades, solutions, tmp_path / "grades")
    assert {p.name for p in written} >= {"grades.csv", "report.md", "report.png", "s2026001.md"}
    report = (tmp_path / "grades" / "report.md").read_text()
    assert "Forgot the bias: 1 of 3" in report and "Left out the factor C\\_in (input channels): 1 of 3" in report
    feedback = (tmp_path / "grades" / "feedback" / "s2026002.md").read_text()
    assert "Forgot the bias" in feedback and "*Worked solution:*" in feedback
    rows = list(csv.DictReader((tmp_path / "grades" / "grades.csv").open()))
    assert len(rows) == len(grades) and {r["verdict"] for r in rows} >= {"correct", "equivalent", "wrong",
                                                                         "malformed", "invalid", "missing"}


@pytest.mark.parametrize(("roster", "message"), [
    ("name\nada\n", "no id column"),
    ("id\nada\nada\n", "appears twice"),
    ("id\nada\n,\n\n", "ada"),
    ("id\n../x\n", "not usable as a folder name"),
])
def test_bad_rosters_are_one_line(tmp_path: Path, roster: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(roster)
    if message == "ada":
        assert read_roster(path) == ["ada"]
        return
    run = _cli("variants", str(SEED), "--roster", str(path), "--seed", "1", "-o", str(tmp_path / "out"))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and message in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_answers_file_and_folder_are_one_line(tmp_path: Path, built: Path) -> None:
    bad = tmp_path / "answers.csv"
    bad.write_text("who,what\n1,2\n")
    run = _cli("grade", str(built), str(bad), "-o", str(tmp_path / "g"))
    assert run.returncode == 2 and "lacks student, part, question, answer" in run.stderr
    run = _cli("grade", str(tmp_path), str(ANSWERS), "-o", str(tmp_path / "g"))
    assert run.returncode == 2 and "variants.json: no such file" in run.stderr
    run = _cli("export", "blackboard", str(SEED), "-o", str(tmp_path / "q.xml"))
    assert run.returncode == 2 and "use export moodle" in run.stderr


def test_the_readme_walks_through_commands_that_exist() -> None:
    import re
    import shlex

    from symcnn.cli import _parser

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The teacher's loop", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0] for line in section.splitlines() if line.startswith("symcnn ")]
    assert [c.split()[1] for c in commands] == ["sheet", "variants", "export", "grade"]
    for command in commands:
        args = _parser().parse_args(shlex.split(command)[1:])
        assert callable(args.run)
    (size,) = re.findall(r"space has ([\d,]+) combinations", section)
    assert read_variant_space(SEED).size == int(size.replace(",", ""))


@pytest.mark.skipif(tex_engine() is None, reason="no TeX engine for the PDFs")
def test_sheet_and_feedback_pdfs_compile(built: Path, tmp_path: Path) -> None:
    from symcnn.classroom.sheet import write_sheet

    written = write_sheet(read_assignment(SEED), tmp_path / "sheet", ("pdf",))
    assert [p.name for p in written] == ["sheet.pdf"] and written[0].read_bytes().startswith(b"%PDF")
    grades, solutions, _ = grade_class(built, ANSWERS, jobs=1)
    one = {"s2026002": solutions["s2026002"]}
    write_grades(grades, one, tmp_path / "grades", pdf=True)
    assert (tmp_path / "grades" / "feedback" / "s2026002.pdf").read_bytes().startswith(b"%PDF")


def test_figures_are_drawn_once_per_distinct_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import symcnn.classroom.class_build as class_build

    drawn: list[str] = []
    real = class_build.figures

    def counting(solution, folder):  # type: ignore[no-untyped-def]
        if any(section.items for section in solution.sections):  # a network's figures, not a layer's diagram
            drawn.append(class_build.figure_key(solution))
        return real(solution, folder)

    monkeypatch.setattr(class_build, "figures", counting)
    build_class(SEED, "once", tmp_path / "class", ids=["a", "b", "c"], formats=("md",), jobs=1)
    assert len(drawn) == 1  # the seed's network is the same for everyone: one set of figures, copied
    for student in "abc":  # each layer's window diagram is drawn for the student's own numbers
        assert (tmp_path / "class" / student / "window_1.png").is_file()
    for student in "abc":
        assert (tmp_path / "class" / student / "activations.png").read_bytes() == \
            (tmp_path / "class" / "a" / "activations.png").read_bytes()
