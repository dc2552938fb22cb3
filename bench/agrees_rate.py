"""How often does the checker say 'agrees' (equal at every point tried, not proved)?

The verdict should stay rare: a formula a student writes should be proved
equal or shown wrong. This script counts the verdicts of every formula the
checker compares (claims and the entries of claimed shapes):

* on the bundled claims files (``examples/*claims*.toml``), and
* on the tests' claims: the checker's test files are run under pytest with
  ``symcnn.check.checker._check_formula`` wrapped, so every formula any test checks
  is counted, hypothesis-generated ones included.

    python bench/agrees_rate.py            # prints the figures and writes bench/agrees.md
    python bench/agrees_rate.py --no-tests # the bundled claims only (seconds)
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import symcnn.check.checker as check  # noqa: E402

TEST_FILES = sorted(str(p) for p in (ROOT / "tests" / "check").glob("test_*.py"))
counts: Counter[str] = Counter()
agreeing: list[str] = []
_original = check._check_formula


def _counting(claimed, truth, seed, per_batch=False):  # type: ignore[no-untyped-def]
    outcome = _original(claimed, truth, seed, per_batch)
    counts[outcome.verdict] += 1
    if outcome.verdict == "agrees":
        agreeing.append(f"{claimed} (truth {truth.expr})")
    return outcome


check._check_formula = _counting  # type: ignore[assignment]


def bundled() -> Counter[str]:
    from symcnn.files.claims import read_claims

    counts.clear()
    for path in sorted((ROOT / "examples").glob("*claims*.toml")):
        check.check_claims(read_claims(path))
    return Counter(counts)


def tests() -> Counter[str]:
    import pytest

    counts.clear()
    pytest.main(["-q", "-p", "no:cacheprovider", *TEST_FILES])
    return Counter(counts)


def line(name: str, found: Counter[str]) -> str:
    total = sum(found.values())
    rate = f"{100 * found['agrees'] / total:.1f} %" if total else "-"
    verdicts = ", ".join(f"{found[v]} {v}" for v in ("correct", "equivalent", "agrees", "wrong", "unverifiable"))
    return f"| {name} | {total} | {found['agrees']} | {rate} | {verdicts} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-tests", action="store_true", help="count the bundled claims only")
    args = parser.parse_args()
    rows = [line("bundled claims (examples/*claims*.toml)", bundled())]
    if not args.no_tests:
        rows.append(line(f"the tests' claims ({', '.join(Path(f).name for f in TEST_FILES)})", tests()))
    table = [
        "| claims | formulas compared | agrees | rate | all verdicts of those formulas |",
        "|---|---:|---:|---:|---|",
        *rows,
    ]
    print("\n".join(table))
    if agreeing:
        print("agrees:", *agreeing[:20], sep="\n  ")
    if not args.no_tests:
        text = (ROOT / "bench" / "agrees.md").read_text() if (ROOT / "bench" / "agrees.md").exists() else ""
        head = text.split("<!-- figures -->")[0] if "<!-- figures -->" in text else "# The 'agrees' verdict\n\n"
        figures = "\n".join([f"Measured {datetime.date.today()} with `python bench/agrees_rate.py`.", "", *table])
        listed = "\n".join(f"- `{a}`" for a in agreeing) or "None: every formula was proved equal or shown wrong."
        (ROOT / "bench" / "agrees.md").write_text(
            f"{head}<!-- figures -->\n{figures}\n\nFormulas that only agreed:\n\n{listed}\n"
        )


if __name__ == "__main__":
    main()
