"""Building a class's variants: a folder per student with sheet, solution and answer key.

``DIR/<id>/`` holds ``sheet.md`` (``.pdf``), ``solution.md`` (``.pdf``, with
its figures) and ``answers.json``; ``DIR/answers.csv`` is the class key
(student, part, number, question, answer) and ``DIR/variants.json`` records
the assignment, the seed and each student's numbers, which ``symcnn grade``
reads back. Students are built in parallel (a process pool, ``jobs``), with a
progress bar on a terminal; each distinct network's figures are drawn once and
copied.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symcnn.classroom.answer_key import answer_key, key_json
from symcnn.classroom.sheet import write_sheet
from symcnn.classroom.variants import (
    Values,
    VariantSpace,
    describe,
    for_students,
    numbered,
    read_variant_space,
    variant_assignment,
)
from symcnn.errors import SpecError, SymcnnError
from symcnn.render.output import output_folder, write_atomic
from symcnn.render.report import figures, write_solution
from symcnn.render.tex import no_tex_message, tex_engine
from symcnn.solutions.solution import ActivationTable, ReceptiveFieldAnswer, Solution, solve

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
MANIFEST = "variants.json"
KEY_COLUMNS = ("student", "part", "number", "question", "answer")


@dataclass(frozen=True)
class ClassBuild:
    """What a class build made: the students' numbers, and how many distinct variants the space has."""

    folder: Path
    variants: dict[str, Values]
    distinct: int | None
    shared: tuple[tuple[str, ...], ...]


def read_roster(path: str | Path) -> list[str]:
    """The student ids of a roster CSV (a header with an ``id`` column; other columns are kept out).

    Raises:
        SpecError: no such file, no ``id`` column, an empty, unsafe or repeated id (the row named).
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read the roster ({error.__class__.__name__}); give a CSV file") from None
    if not rows:
        raise SpecError(f"{path}: the roster is empty; give a CSV with a header row naming an id column")
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in ("id", "student", "student_id") if name in header), None)
    if column is None:
        raise SpecError(f"{path}: line 1: no id column; the header must name one (id, student or student_id)")
    ids: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student = row[column].strip() if column < len(row) else ""
        if not student:
            raise SpecError(f"{path}: line {line}: no id; every student needs one")
        if not ID.match(student):
            raise SpecError(f"{path}: line {line}: id {student!r} is not usable as a folder name; "
                            "use letters, digits, '.', '_' and '-'")
        if student in ids:
            raise SpecError(f"{path}: line {line}: id {student!r} appears twice (first on line "
                            f"{ids.index(student) + 2}); ids must be unique")
        ids.append(student)
    if not ids:
        raise SpecError(f"{path}: the roster lists no students")
    return ids


def choose(space: VariantSpace, seed: str, count: int | None = None,
           ids: Sequence[str] | None = None) -> tuple[dict[str, Values], int | None]:
    """Each student's (or numbered variant's) numbers, and the number of distinct variants when known."""
    if ids is not None:
        return for_students(space, seed, list(ids)), None
    assert count is not None
    width = len(str(count))
    listed, distinct = numbered(space, seed, count)
    return {str(k).zfill(max(width, 3)): values for k, values in enumerate(listed, start=1)}, distinct


def shared_variants(variants: dict[str, Values]) -> tuple[tuple[str, ...], ...]:
    """Groups of students who got the same numbers."""
    groups: dict[str, list[str]] = {}
    for student, values in variants.items():
        groups.setdefault(json.dumps(values, sort_keys=True), []).append(student)
    return tuple(tuple(group) for group in groups.values() if len(group) > 1)


def build_class(
    path: str | Path,
    seed: str,
    folder: str | Path,
    count: int | None = None,
    ids: Sequence[str] | None = None,
    formats: Sequence[str] = ("md", "pdf"),
    jobs: int | None = None,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> ClassBuild:
    """Write every student's folder, the class key and the manifest into ``folder``.

    Raises:
        SpecError: a bad [variants] table, or conditions no variant meets; SymcnnError: an unwritable folder.
    """
    space = read_variant_space(path)
    variants, distinct = choose(space, seed, count, ids)
    out = output_folder(folder)
    formats = tuple(formats)
    if "pdf" in formats and tex_engine() is None:
        print(f"symcnn: {no_tex_message()}", file=sys.stderr)
        formats = tuple(f for f in formats if f != "pdf")
    cache = out / ".figures"
    tasks = [(space, student, values, str(out / student), formats, str(cache)) for student, values in variants.items()]
    keys: dict[str, list[dict[str, Any]]] = {}
    jobs = max(1, jobs or os.cpu_count() or 1)
    try:
        if jobs == 1 or len(tasks) == 1:
            results: Iterable[tuple[str, list[dict[str, Any]]]] = map(_build_one, tasks)
            for student, key in (progress or _quiet)(results, len(tasks)):
                keys[student] = key
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = pool.map(_build_one, tasks)
                for student, key in (progress or _quiet)(results, len(tasks)):
                    keys[student] = key
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    rows = [[student, e["part"], e["number"], e["question"], _cell(e["answer"])]
            for student in variants for e in keys[student]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([list(KEY_COLUMNS), *rows])
    write_atomic(out / "answers.csv", buffer.getvalue())
    manifest = {"assignment": str(Path(path).resolve()), "seed": seed, "students": variants}
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return ClassBuild(out, variants, distinct, shared_variants(variants))


def _quiet(results: Iterable[Any], total: int) -> Iterable[Any]:
    return results


def _cell(answer: Any) -> str:
    return "[" + ", ".join(str(v) for v in answer) + "]" if isinstance(answer, list) else str(answer)


def _build_one(task: tuple[VariantSpace, str, Values, str, tuple[str, ...], str]) -> tuple[str, list[dict[str, Any]]]:
    """One student's folder (run in a worker): sheet, solution, answers.json; returns the key."""
    space, student, values, folder, formats, cache = task
    try:
        assignment = variant_assignment(space, values)
        solution = solve(assignment)
    except SymcnnError as error:
        raise SpecError(f"student {student} ({describe(values)}): {error}") from None
    with contextlib.redirect_stderr(io.StringIO()):  # one note per class, not one per student
        write_sheet(assignment, folder, formats, quiet=True)
        write_solution(solution, folder, formats, draw=lambda s, f: _cached_figures(s, f, Path(cache)))
    key = key_json(answer_key(solution))
    record = {"student": student, "values": values, "answers": key}
    write_atomic(Path(folder) / "answers.json", json.dumps(record, indent=2) + "\n")
    return student, key


def figure_key(solution: Solution) -> str:
    """What the figures show, hashed: solutions with equal networks and numbers share their figures."""
    shown = [
        (item.question, [(row.name, row.shape, row.elements) for row in item.rows])
        if isinstance(item, ActivationTable)
        else (item.question, item.chosen.name, [(r.name, r.rows, r.columns) for r in item.rows])
        for section in solution.sections for item in section.items
        if isinstance(item, (ActivationTable, ReceptiveFieldAnswer))
    ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _cached_figures(solution: Solution, folder: Path, cache: Path) -> list[Path]:
    """The figures of ``solution`` in ``folder``: a network's copied, drawn only when no worker drew them yet;
    a layer's window diagrams (the student's own numbers) drawn for each student."""
    sections = solution.sections
    network_only = dataclasses.replace(solution, sections=tuple(dataclasses.replace(s, diagram=None) for s in sections))
    diagrams_only = dataclasses.replace(solution, sections=tuple(dataclasses.replace(s, items=()) for s in sections))
    own = figures(diagrams_only, folder) if any(s.diagram is not None for s in sections) else []
    solution = network_only
    drawn = cache / figure_key(solution)
    if not drawn.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=cache, prefix=".draw-"))
        figures(solution, scratch)
        try:
            os.rename(scratch, drawn)
        except OSError:  # another worker finished first: its figures are the same
            shutil.rmtree(scratch, ignore_errors=True)
    made = own
    for source in sorted(drawn.iterdir()):
        shutil.copyfile(source, folder / source.name)
        made.append(folder / source.name)
    return made


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """``DIR/variants.json`` of a class build.

    Raises:
        SpecError: missing or unreadable, naming the file and the fix.
    """
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file; give the folder `symcnn variants ... -o DIR` wrote") from None
    except (OSError, ValueError) as error:
        reason = error.__class__.__name__
        raise SpecError(f"{path}: cannot read it ({reason}); rebuild it with symcnn variants") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("students"), dict):
        raise SpecError(f"{path}: not a symcnn variants manifest; rebuild it with symcnn variants")
    return manifest
