"""Writing a class's grades: grades.csv, a feedback file per student, and the class report.

``grades.csv`` has one row per student and question (and one per answer row
that could not be graded); ``feedback/<id>.md`` (and ``.pdf``) gives each
student their verdicts, diagnoses and the worked solution of every question
not fully right, for their own numbers; ``report.md`` and ``report.png`` show
per question the share right and the mistakes diagnosed most often.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from symcnn.classroom.grading import INVALID, MISSING, Grade
from symcnn.render.documents import render
from symcnn.render.output import staged, write_atomic
from symcnn.render.report import figures
from symcnn.render.tex import build_pdf, no_tex_message, tex_engine
from symcnn.solutions.solution import Solution

GRADE_COLUMNS = ("student", "part", "number", "question", "answer", "expected", "verdict", "points", "out_of",
                 "diagnosis", "problem")
TOP_MISTAKES = 3


def show(value: Fraction) -> str:
    """Points as a teacher writes them: ``2``, ``0.5``, ``1/3``."""
    if value.denominator == 1:
        return str(value.numerator)
    decimal = f"{float(value):.6g}"
    return decimal if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class QuestionSummary:
    """One question across the class: how many answered, how many right, the frequent mistakes."""

    number: str
    question: str
    graded: int
    right: int
    mistakes: tuple[tuple[str, int], ...]

    @property
    def share(self) -> Fraction:
        return Fraction(self.right, self.graded) if self.graded else Fraction(0)


def summarize(grades: list[Grade]) -> list[QuestionSummary]:
    """Per question (in the key's order): answers graded, full-credit ones, mistakes by count."""
    by_question: dict[str, list[Grade]] = {}
    for grade in grades:
        if grade.verdict != INVALID:
            by_question.setdefault(grade.number, []).append(grade)
    summaries = []
    for number in sorted(by_question, key=lambda n: tuple(int(x) for x in n.split("."))):
        group = by_question[number]
        counted = Counter(label for g in group for label in dict.fromkeys(g.mistakes))
        summaries.append(QuestionSummary(
            number, group[0].question, len(group), sum(g.points == g.out_of and g.out_of > 0 for g in group),
            tuple(counted.most_common(TOP_MISTAKES))))
    return summaries


def grades_csv(grades: list[Grade]) -> str:
    """grades.csv's text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADE_COLUMNS)
    for g in grades:
        writer.writerow([g.student, g.part or "", g.number, g.question, g.answer, g.expected, g.verdict,
                         show(g.points), show(g.out_of), g.diagnosis, g.problem])
    return buffer.getvalue()


def class_report(summaries: list[QuestionSummary], grades: list[Grade]) -> str:
    """report.md: per question the share right and the mistakes diagnosed most often."""
    from symcnn.render.documents import escape_markdown

    students = sorted({g.student for g in grades if g.verdict != INVALID})
    invalid = [g for g in grades if g.verdict == INVALID]
    lines = ["# Class report", "",
             f"{len(students)} student(s) graded; {len(invalid)} answer row(s) could not be graded "
             "(see grades.csv, verdict invalid).", "",
             "| Question | Students | Right | Share right | Mistakes diagnosed most often |",
             "|---|---:|---:|---:|---|"]
    wrong_by_question = Counter(g.number for g in grades if g.verdict == "wrong")
    for s in summaries:
        wrong = wrong_by_question[s.number]
        mistakes = "; ".join(f"{escape_markdown(label)}: {count} of {s.graded}" for label, count in s.mistakes)
        lines.append(f"| {s.number} {s.question} | {s.graded} | {s.right} | {float(s.share):.0%} | "
                     f"{mistakes or ('-' if not wrong else 'no known mistake matches')} |")
    missing = sum(g.verdict == MISSING for g in grades)
    lines += ["", f"Unanswered: {missing}. Right means full points (correct, equivalent, or as [grading] says).",
              "", "![Share right per question](report.png)", ""]
    return "\n".join(lines)


def chart(summaries: list[QuestionSummary], path: Path) -> None:
    """A bar chart of the share right per question."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(summaries) + 2), 3.6))
    labels = [f"{s.number}\n{s.question}" for s in summaries]
    axes.bar(range(len(summaries)), [float(s.share) * 100 for s in summaries], color="#4C72B0")
    axes.set_xticks(range(len(summaries)), labels, rotation=60, ha="right", fontsize=7)
    axes.set_ylim(0, 100)
    axes.set_ylabel("share right (%)")
    axes.set_title("Share of the class right, per question")
    figure.tight_layout()
    figure.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(figure)


def feedback(student: str, grades: list[Grade], solution: Solution, fmt: str) -> str:
    """One student's feedback as Markdown (``md``) or LaTeX (``tex``)."""
    own = [g for g in grades if g.student == student]
    graded = [g for g in own if g.verdict != INVALID]
    return render(f"feedback.{fmt}.j2", fmt, None, student=student, grades=own, solution=solution,
                  total=sum((g.points for g in graded), Fraction(0)),
                  out_of=sum((g.out_of for g in graded), Fraction(0)), show=show)


def write_grades(grades: list[Grade], solutions: dict[str, Solution], folder: str | Path,
                 pdf: bool = False) -> list[Path]:
    """Write grades.csv, report.md, report.png into ``folder`` and feedback/<id>.md (.pdf), each set at once."""
    summaries = summarize(grades)
    skipped = ""
    names = [f"{student}.{fmt}" for student in solutions for fmt in ("md", "pdf")]
    with staged(Path(folder) / "feedback", names) as notes:
        for student, solution in solutions.items():
            write_atomic(notes.folder / f"{student}.md", feedback(student, grades, solution, "md"))
        if pdf and tex_engine() is None:
            skipped = no_tex_message()
        elif pdf:
            for student, solution in solutions.items():
                with tempfile.TemporaryDirectory() as scratch:
                    drawn = [p for p in figures(solution, Path(scratch)) if p.suffix == ".pdf"]
                    build_pdf(feedback(student, grades, solution, "tex"), drawn, notes.folder / f"{student}.pdf")
    with staged(folder, ["grades.csv", "report.md", "report.png"]) as stage:
        write_atomic(stage.folder / "grades.csv", grades_csv(grades))
        write_atomic(stage.folder / "report.md", class_report(summaries, grades))
        chart(summaries, stage.folder / "report.png")
    if skipped:
        import sys

        print(f"symcnn: {skipped}", file=sys.stderr)
    return stage.moved + notes.moved
