"""Suite-wide hooks.

Under ``CI=true`` a skipped test is a failure: a check that silently did not
run (torch missing, an ``importorskip`` at module top) must not pass a build.
Both kinds of skip are caught: those of a test (``pytest_runtest_logreport``)
and those of a whole module at collection (``pytest_collectreport``).
Expected failures (``xfail``) are not skips and are left alone.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest


def ci_forbids_skips() -> bool:
    """True where skips must fail the run: the environment variable CI is "true"."""
    return os.environ.get("CI", "").strip().lower() == "true"


def _reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    """The skip message, which pytest stores as ``(path, lineno, message)``."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, lineno, message = longrepr
        return f"{message} ({path}:{lineno})"
    return str(longrepr)


class SkipsFailUnderCI:
    """Records every skip; under CI=true, fails the session and lists them."""

    def __init__(self) -> None:
        self.skips: list[tuple[str, str]] = []

    def _record(self, report: pytest.CollectReport | pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skips.append((report.nodeid or "<session>", _reason(report)))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Module-level skips: ``pytest.importorskip`` at the top of a file."""
        self._record(report)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Skips of single tests: ``pytest.skip``, ``skipif`` marks, skipping fixtures."""
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Turn a run that would pass (or collect nothing) into a failure."""
        if ci_forbids_skips() and self.skips and exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not (ci_forbids_skips() and self.skips):
            return
        terminalreporter.section("skipped tests fail under CI=true", red=True, bold=True)
        for nodeid, reason in self.skips:
            terminalreporter.line(f"SKIPPED {nodeid}: {reason}", red=True)
        terminalreporter.line(f"{len(self.skips)} skip(s); the run fails because CI=true", red=True)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SkipsFailUnderCI(), "symcnn-skips-fail-under-ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true",
        help="rewrite tests/golden/ and reports/ from what the code renders now (review the diff by eye)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Any:
    """Tests that use torch run tiny tensors: one intra-op thread is far faster than several on 2 cores."""
    torch = sys.modules.get("torch")  # imported by the test module itself; never imported here
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
