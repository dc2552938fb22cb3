"""mypy: the whole package type-checks, formula/ and cnn/ under strict flags (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_foundations_are_strict() -> None:
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    strict = next(o for o in overrides if "symcnn.formula.*" in o["module"])
    assert "symcnn.cnn.*" in strict["module"]
    assert all(strict[flag] for flag in ("disallow_untyped_defs", "disallow_any_generics", "warn_return_any"))


def test_mypy_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "symcnn"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
