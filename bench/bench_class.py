"""Timing the teacher's loop: a class build (symcnn variants) and grading (symcnn grade).

    python bench/bench_class.py variants --count 100 --jobs 1 2 [--pdf]
    python bench/bench_class.py grade --students 1000 --jobs 1 2

``variants`` builds N numbered variants of the seed assignment (md, or md and
pdf) and times the whole build at each -j. ``grade`` writes a class manifest
for N students of a 20-question version of the seed assignment and an answers
file (60% right, 10% an equivalent formula, 25% wrong, 5% malformed), then
times grading at each -j. Each run is a fresh process pool; times are wall
clock on this machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from symcnn.classroom.answer_key import answer_key
from symcnn.classroom.class_build import build_class, choose
from symcnn.classroom.grading import grade_class
from symcnn.classroom.variants import read_variant_space, variant_assignment
from symcnn.solutions.solution import solve

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed_assignment.toml"
LAYER_QUESTIONS = '["input_elements", "output_shape", "params", "mults"]'
TWENTY = '["input_elements", "output_shape", "output_width", "output_elements", "params", "mults"]'


def bench_variants(count: int, jobs: list[int], pdf: bool) -> None:
    formats = ("md", "pdf") if pdf else ("md",)
    for j in jobs:
        with tempfile.TemporaryDirectory() as folder:
            start, cpu = time.perf_counter(), _cpu()
            build_class(SEED, "bench", Path(folder) / "class", count=count, formats=formats, jobs=j)
            elapsed, used = time.perf_counter() - start, _cpu() - cpu
        print(f"variants: {count} variants, formats {','.join(formats)}, -j {j}: {elapsed:.1f} s wall "
              f"({elapsed / count:.2f} s per variant), {used:.1f} s CPU (all processes, TeX included); "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)


def bench_grade(students: int, jobs: list[int]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        text = SEED.read_text().replace(f"questions = {LAYER_QUESTIONS}", f"questions = {TWENTY}")
        text = text.replace('network = "seed_network.toml"', f'network = "{ROOT / "examples" / "seed_network.toml"}"')
        assignment = folder / "twenty.toml"
        assignment.write_text(text)
        space = read_variant_space(assignment)
        variants, _ = choose(space, "bench", students)
        (folder / "class").mkdir()
        manifest = {"assignment": str(assignment), "seed": "bench", "students": variants}
        (folder / "class" / "variants.json").write_text(json.dumps(manifest))
        rng = random.Random(0)
        rows = [["student", "part", "question", "answer"]]
        questions = 0
        for student, values in variants.items():
            key = answer_key(solve(variant_assignment(space, values)))
            questions = len(key)
            for entry in key:
                roll = rng.random()
                answer = entry.text
                if roll < 0.10 and entry.question == "params" and entry.part == 1:
                    answer = "K_1*K_2*C_in*C_out + C_out"
                elif 0.60 < roll < 0.85 and entry.kind == "number":
                    answer = str(entry.value * 2 + 1)
                elif roll >= 0.95:
                    answer = "about a million"
                rows.append([student, str(entry.part), entry.number, answer])
        with open(folder / "answers.csv", "w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        for j in jobs:
            start, cpu = time.perf_counter(), _cpu()
            grades, _, _ = grade_class(folder / "class", folder / "answers.csv", jobs=j)
            elapsed, used = time.perf_counter() - start, _cpu() - cpu
            print(f"grade: {students} students x {questions} questions ({len(grades)} grades), -j {j}: "
                  f"{elapsed:.1f} s wall ({1000 * elapsed / students:.0f} ms per student), {used:.1f} s CPU "
                  f"({1000 * used / students:.0f} ms per student); load average {os.getloadavg()[0]:.1f}",
                  flush=True)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("variants", "grade"))
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pdf", action="store_true")
    args = parser.parse_args()
    if args.what == "variants":
        bench_variants(args.count, args.jobs, args.pdf)
    else:
        bench_grade(args.students, args.jobs)


if __name__ == "__main__":
    main()
