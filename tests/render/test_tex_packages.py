"""One list of TeX packages: the code's, the README's and .ci/run's agree, and it brings every LaTeX package used.

A fresh Debian machine gets only what ``apt-get install --no-install-recommends``
of that list pulls in (lmodern, for one, is a mere recommendation of TeX Live
there), so the check follows hard dependencies only, as apt does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symcnn.render.tex import TEX_PACKAGES, install_hint, no_tex_message

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("latexmk", "pdflatex", "pdftotext", "pdftoppm")


def ci_packages() -> list[str]:
    """The packages of .ci/run's ``apt-get install`` line (continuation lines joined)."""
    script = (ROOT / ".ci" / "run").read_text().replace("\\\n", " ")
    lines = [line for line in script.splitlines() if re.search(r"apt-get\s+install", line)]
    assert len(lines) == 1, lines
    words = lines[0].split("install", 1)[1].split()
    return [word for word in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", word)]


def used_styles() -> list[str]:
    """Every LaTeX package the templates load."""
    found: set[str] = set()
    for template in (ROOT / "templates").glob("*.tex.j2"):
        for names in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]+)\}", template.read_text()):
            found.update(name.strip() for name in names.split(","))
    return sorted(found)


def test_ci_installs_the_code_s_list_and_poppler() -> None:
    assert ci_packages() == [*TEX_PACKAGES, "poppler-utils"]


def test_readme_and_the_no_tex_message_give_the_same_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert install_hint() in readme
    assert install_hint() in no_tex_message()
    assert "--no-install-recommends" in install_hint() and "lmodern" in TEX_PACKAGES


def test_ci_installs_when_a_template_package_is_missing() -> None:
    """.ci/run looks for every tool and every \\usepackage of the templates, not a fixed few."""
    script = (ROOT / ".ci" / "run").read_text()
    assert all(tool in script for tool in TOOLS)
    assert "\\\\usepackage" in script and "kpsewhich" in script


debian = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("dpkg", "apt-cache", "kpsewhich", *TOOLS)),
    reason=f"needs Debian's dpkg and apt-cache and TeX: {install_hint()} poppler-utils",
)


def _owner(path: str) -> str:
    """The Debian package that installed ``path``."""
    out = subprocess.run(["dpkg", "-S", str(Path(path).resolve())], capture_output=True, text=True, check=True)
    return out.stdout.split(":", 1)[0]


@debian
def test_the_list_brings_every_package_and_tool_without_recommends() -> None:
    listed = ci_packages()
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
         "--no-breaks", "--no-replaces", "--no-enhances", *listed],
        capture_output=True, text=True, check=True,
    ).stdout
    closure = {line.strip() for line in out.splitlines() if not line.startswith(" ")}
    assert set(listed) <= closure
    for style in used_styles():
        path = subprocess.run(["kpsewhich", f"{style}.sty"], capture_output=True, text=True).stdout.strip()
        assert path, f"{style}.sty is not installed"
        assert _owner(path) in closure, f"{style}.sty comes from {_owner(path)}, which {listed} does not bring"
    for tool in TOOLS:
        assert _owner(shutil.which(tool) or tool) in closure, tool
