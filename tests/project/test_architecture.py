"""The package's layers: imports point down only (import-linter's contract in pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the symcnn package found under ``root`` with the project's contract."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", script, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "symcnn", tmp_path / "symcnn", ignore=shutil.ignore_patterns("__pycache__"))
    trees = tmp_path / "symcnn" / "formula" / "trees.py"
    trees.write_text(trees.read_text() + "\nfrom symcnn.cnn import layers  # noqa: E402  an upward arrow\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "symcnn.formula.trees -> symcnn.cnn.layers" in result.stdout


def test_every_subpackage_is_in_the_contract_and_installed() -> None:
    packages = {f"symcnn.{p.parent.name}" for p in (ROOT / "symcnn").glob("*/__init__.py")}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = pyproject["tool"]["importlinter"]["contracts"][0]["layers"]
    in_contract = {name.strip() for layer in layers for name in layer.split("|")}
    assert packages <= in_contract
    assert packages <= set(pyproject["tool"]["setuptools"]["packages"])
