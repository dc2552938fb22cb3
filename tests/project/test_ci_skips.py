"""The conftest hook: under CI=true a skip, even a module-level one, fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

FILES = {
    "module_skip": """
import pytest
pytest.importorskip("no_such_module_symcnn")

def test_never_runs():
    pass
""",
    "test_skip": """
import pytest

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
""",
    "xfail": """
import pytest

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False
""",
    "passing": """
def test_passes():
    pass
""",
}


def run_pytest(tmp_path: Path, files: list[str], ci: str | None) -> subprocess.CompletedProcess[str]:
    """Run pytest on a small project that uses the suite's conftest."""
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    for name in files:
        (tmp_path / f"test_{name}.py").write_text(FILES[name])
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        # no hypothesis plugin: it alone takes seconds to import
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
         str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


ALL = ["module_skip", "test_skip", "xfail", "passing"]


@pytest.mark.parametrize(
    ("files", "ci", "exit_code", "listed"),
    [
        (ALL, "true", 1, ["test_module_skip.py", "no_such_module_symcnn", "test_skipped", "not today"]),
        (["module_skip"], "true", 1, ["no_such_module_symcnn"]),  # nothing collected: a failure too
        (["xfail", "passing"], "true", 0, []),  # an expected failure is not a skip
        (ALL, None, 0, []),
    ],
    ids=["module-and-test-skips-ci", "only-module-skip-ci", "xfail-ci", "skips-without-ci"],
)
def test_skips_fail_only_under_ci(
    tmp_path: Path, files: list[str], ci: str | None, exit_code: int, listed: list[str]
) -> None:
    """Exit status 1 and every skip listed with its reason under CI=true; untouched otherwise."""
    result = run_pytest(tmp_path, files, ci)
    assert result.returncode == exit_code, result.stdout + result.stderr
    section = result.stdout.partition("skipped tests fail under CI=true")[2]
    assert bool(section) == bool(exit_code), result.stdout
    for text in listed:
        assert text in section, result.stdout
    assert "test_expected_failure" not in section
