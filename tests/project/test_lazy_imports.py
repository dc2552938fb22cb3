"""``import symcnn`` is lazy (PEP 562): each command imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import symcnn

ROOT = Path(__file__).resolve().parents[2]

# Runs ``python -m symcnn ARGS`` in this process, then reports which packages it imported.
_RUNNER = """
import json, runpy, sys
sys.argv = ["symcnn", *sys.argv[1:]]
try:
    runpy.run_module("symcnn", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*args: str) -> tuple[int, set[str]]:
    """Exit code and modules imported by ``python -m symcnn *args`` in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def top_level(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_a_numeric_summary_imports_neither_matplotlib_nor_jinja2() -> None:
    code, modules = imported_by("summary", "examples/vgg16.toml")
    assert code == 0
    assert not top_level(modules) & {"matplotlib", "jinja2", "torch"}
    assert not {m for m in modules if m.startswith(("symcnn.check", "symcnn.solutions", "symcnn.render"))}


def test_the_json_summary_imports_neither_matplotlib_nor_jinja2() -> None:
    code, modules = imported_by("summary", "examples/vgg16.toml", "--json")
    assert code == 0
    assert not top_level(modules) & {"matplotlib", "jinja2"}


def test_import_symcnn_alone_imports_no_dependency() -> None:
    result = subprocess.run([sys.executable, "-c", "import json, sys, symcnn; print(json.dumps(sorted(sys.modules)))"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    modules = set(json.loads(result.stdout))
    assert not top_level(modules) & {"sympy", "matplotlib", "jinja2"}
    assert {m for m in modules if m.startswith("symcnn")} == {"symcnn"}


@pytest.mark.parametrize("name", symcnn.__all__)
def test_every_public_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(symcnn, name)
    if name != "__version__":
        assert value.__name__ == name
        assert value.__module__.startswith("symcnn.")


def test_dir_lists_every_public_name_and_unknown_names_fail() -> None:
    assert set(symcnn.__all__) <= set(dir(symcnn))
    with pytest.raises(AttributeError, match="no attribute 'Conv4d'"):
        symcnn.Conv4d  # noqa: B018
    with pytest.raises(ImportError):
        exec("from symcnn import Conv4d")


def test_solving_again_into_the_same_folder_copies_the_figures_without_importing_matplotlib(tmp_path: Path) -> None:
    first, drawing = imported_by("solve", "-o", str(tmp_path), "--format", "md,tex")
    assert first == 0 and "matplotlib" in top_level(drawing)
    drawn = {path.name: path.read_bytes() for path in tmp_path.glob("*.p*") if path.suffix in (".png", ".pdf")}
    again, copying = imported_by("solve", "-o", str(tmp_path), "--format", "md,tex")
    assert again == 0 and "matplotlib" not in top_level(copying)
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.p*") if path.suffix in (".png", ".pdf")} == drawn
    assert len(drawn) == 8  # activations, receptive field and two window diagrams, each as PNG and PDF


def test_the_help_imports_no_dependency() -> None:
    code, modules = imported_by("--help")
    assert code == 0
    assert not top_level(modules) & {"sympy", "matplotlib", "jinja2", "torch"}


def test_a_spec_of_convolutions_loads_no_other_layer_family() -> None:
    code, modules = imported_by("summary", "examples/vgg16.toml", "--json")
    assert code == 0
    assert not {m for m in modules if m.startswith("symcnn.cnn.layers_")}


def test_every_layer_type_is_its_class() -> None:
    from symcnn.cnn.layer import Layer
    from symcnn.cnn.layer_types import LAYER_TYPES

    assert len(LAYER_TYPES) == 35 and "Conv4d" not in LAYER_TYPES
    for name, cls in LAYER_TYPES.items():
        assert cls.__name__ == name and issubclass(cls, Layer)
