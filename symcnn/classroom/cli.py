"""The teacher's commands: ``sheet``, ``variants``, ``export moodle``, ``grade``.

Registered by :func:`add_commands`; each handler calls the public functions a
Python user calls. ``export moodle`` is registered by :mod:`symcnn.cli`, which
shares ``export`` with the PyTorch source of a spec.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import Any

from symcnn.errors import SymcnnError


def _progress(results: Iterable[Any], total: int) -> Iterable[Any]:
    """A progress bar on a terminal (tqdm); silent otherwise."""
    if not sys.stderr.isatty():
        return results
    try:
        from tqdm import tqdm
    except ImportError:
        return results
    return tqdm(results, total=total, file=sys.stderr, unit="student")


def _jobs(value: str) -> int:
    jobs = int(value)
    if jobs < 1:
        raise argparse.ArgumentTypeError("-j must be at least 1")
    return jobs


def _sheet(args: argparse.Namespace) -> int:
    from symcnn.classroom.sheet import write_sheet
    from symcnn.files.assignment import read_assignment
    from symcnn.render.report import parse_formats

    formats = parse_formats(args.format)
    for path in write_sheet(read_assignment(args.assignment), args.output, formats, args.template_dir):
        print(path)
    return 0


def _variants(args: argparse.Namespace) -> int:
    from symcnn.classroom.class_build import build_class, read_roster
    from symcnn.render.report import parse_formats

    formats = parse_formats(args.format)
    if args.count is not None and args.count < 1:
        raise SymcnnError(f"--count must be a positive integer, got {args.count}")
    ids = read_roster(args.roster) if args.roster else None
    built = build_class(args.assignment, args.seed, args.output, args.count, ids, formats, args.jobs, _progress)
    total = len(built.variants)
    if built.distinct is not None and built.distinct < total:
        print(f"symcnn: warning: only {built.distinct} distinct variants meet the conditions; "
              f"{total} were asked, so some repeat", file=sys.stderr)
    for group in built.shared:
        print(f"symcnn: warning: students {', '.join(group)} drew the same numbers (a student's numbers "
              "depend only on the seed and the id); widen the [variants] choices or change --seed", file=sys.stderr)
    print(f"{built.folder}: {total} variant folder(s), answers.csv, variants.json")
    return 0


def export_moodle(args: argparse.Namespace) -> int:
    """``symcnn export moodle ASSIGNMENT [--count N --seed SEED] -o quiz.xml`` (registered by :mod:`symcnn.cli`)."""
    if args.assignment is None or args.output is None:
        raise SymcnnError("export moodle: give the assignment and the file: export moodle ASSIGNMENT -o quiz.xml")
    from pathlib import Path

    from symcnn.classroom.class_build import choose
    from symcnn.classroom.grading_rules import read_grading
    from symcnn.classroom.moodle import quiz, quiz_bytes
    from symcnn.classroom.variants import read_variant_space, variant_assignment
    from symcnn.files.assignment import read_assignment
    from symcnn.files.spec import read_toml
    from symcnn.render.output import write_atomic
    from symcnn.solutions.solution import solve

    if args.count is None:
        assignment = read_assignment(args.assignment)
        variants = [("1", assignment, solve(assignment))]
        table = read_toml(args.assignment)
    else:
        if args.count < 1:
            raise SymcnnError(f"--count must be a positive integer, got {args.count}")
        space = read_variant_space(args.assignment)
        chosen, _ = choose(space, args.seed, args.count)
        variants = []
        for label, values in chosen.items():
            assignment = variant_assignment(space, values)
            variants.append((label, assignment, solve(assignment)))
        table = space.table
    rules = read_grading(table.get("grading"), str(args.assignment))
    target = Path(args.output)
    write_atomic(target, quiz_bytes(quiz(variants, rules)))
    print(target)
    return 0


def _grade(args: argparse.Namespace) -> int:
    from symcnn.classroom.grade_report import write_grades
    from symcnn.render.report import parse_formats

    formats = parse_formats(args.format)
    from symcnn.classroom.grading import grade_class

    grades, solutions, _ = grade_class(args.folder, args.answers, args.jobs, _progress)
    for path in write_grades(grades, solutions, args.output, pdf="pdf" in formats):
        if path.parent.name != "feedback":
            print(path)
    problems = [g for g in grades if g.problem]
    if problems:
        print(f"symcnn: warning: {len(problems)} answer row(s) not graded as written (unknown student or "
              "question, malformed or repeated answer); each is a row of grades.csv with the reason",
              file=sys.stderr)
    return 0


def add_commands(commands: Any) -> None:
    """Register sheet, variants and grade on the CLI's subparsers."""
    cpus = os.cpu_count() or 1
    sheet = commands.add_parser("sheet", help="the question sheet of an assignment (no answers)")
    sheet.add_argument("assignment", nargs="?", help="assignment file (TOML); default: the bundled seed assignment")
    sheet.add_argument("-o", "--output", default="sheet", help="output folder (default: sheet)")
    sheet.add_argument("--format", default="md,tex,pdf", help="comma-separated: md, tex, pdf (default: all)")
    sheet.add_argument("--template-dir", help="folder of templates that override symcnn's own")
    sheet.set_defaults(run=_sheet)

    variants = commands.add_parser("variants", help="a variant per student: sheet, solution, answer key")
    variants.add_argument("assignment", help="assignment file (TOML) with a [variants] table")
    group = variants.add_mutually_exclusive_group(required=True)
    group.add_argument("--count", type=int, help="numbered variants 001..N")
    group.add_argument("--roster", help="CSV of students with an id column")
    variants.add_argument("--seed", required=True, help="any text; the same seed and id give the same numbers")
    variants.add_argument("-o", "--output", required=True, help="output folder")
    variants.add_argument("--format", default="md,pdf", help="comma-separated: md, tex, pdf (default: md,pdf)")
    variants.add_argument("-j", "--jobs", type=_jobs, default=cpus, help=f"parallel workers (default: {cpus})")
    variants.set_defaults(run=_variants)


    grade = commands.add_parser("grade", help="grade a class's answers (CSV) against their variants")
    grade.add_argument("folder", help="the folder symcnn variants wrote")
    grade.add_argument("answers", help="answers CSV: student, part, question, answer")
    grade.add_argument("-o", "--output", default="grades", help="output folder (default: grades)")
    grade.add_argument("--format", default="md", help="md, or md,pdf for PDF feedback too")
    grade.add_argument("-j", "--jobs", type=_jobs, default=cpus, help=f"parallel workers (default: {cpus})")
    grade.set_defaults(run=_grade)
