"""Notebooks: every public object shows a short repr and typeset math; the example notebook runs.

The example (examples/cnn_arithmetic.ipynb) is executed in a real Jupyter
kernel by nbclient, as a teacher would run it; under CI=true a missing
nbclient is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from symcnn import (
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    build_network,
    read_assignment,
    read_network,
    receptive_fields,
    solve,
    summarize,
)
from symcnn.formula.steps import derive

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VGG, VGG_VALUES = read_network(EXAMPLES / "vgg16.toml")
SYMBOLIC = build_network([Conv2d(out_channels=64, kernel_size=3, padding=1), MaxPool2d(2), Flatten(),
                          Linear(out_features=10)], (3, "H", "W"))


def public_objects() -> dict[str, Any]:
    analysis = Conv2d().analyze()
    solution = solve(read_assignment())
    return {
        "layer": Conv2d(),
        "analysis": analysis,
        "quantity": analysis["params"],
        "derivation": derive(analysis["output_width"], {"W": 256, "P": 1, "K_1": 3, "S": 1}),
        "network": VGG,
        "symbolic network": SYMBOLIC,
        "summary": summarize(VGG, VGG_VALUES),
        "receptive fields": receptive_fields(VGG),
        "assignment": solution.assignment,
        "solution": solution,
    }


@pytest.mark.parametrize("name", list(public_objects()))
def test_every_public_object_has_a_short_repr(name: str) -> None:
    text = repr(public_objects()[name])
    assert len(text) <= 160 and "\n" not in text, text


@pytest.mark.parametrize("name", ["layer", "analysis", "quantity", "derivation", "network", "symbolic network",
                                  "summary"])
def test_the_math_is_typeset(name: str) -> None:
    obj = public_objects()[name]
    latex, markdown = obj._repr_latex_(), obj._repr_markdown_()
    assert latex.startswith("$") and latex.endswith("$")
    assert "$" in markdown
    for raw in ("*", "**2", "floor(", "C_in", "Integer("):  # sympy's or plain text's, not math
        assert raw not in latex, raw


def test_a_layer_s_latex_has_no_tautology() -> None:
    for shown in (Conv2d()._repr_latex_(), Conv2d()._repr_markdown_()):
        assert r"C_{out} = C_{out}" not in shown and r"C_{out} &= C_{out}" not in shown
    assert r"C_{out} &= 8" in Conv2d(3, 8, 3)._repr_latex_()  # a value is not a tautology


def test_a_network_table_holds_typeset_math() -> None:
    markdown = SYMBOLIC._repr_markdown_()
    assert r"| conv1 (Conv2d) | $64 \times H \times W$ | $1792$ | $1728H \cdot W$ |" in markdown
    assert "1728*H*W" not in markdown
    assert r"where $W_2 = \left\lfloor \frac{W + 2 \cdot 0 - 2}{2} \right\rfloor + 1$" in markdown
    assert r"\begin{array}{llrrr}" in SYMBOLIC._repr_latex_()
    assert r"| conv1 (Conv2d) | $64 \times 224 \times 224$ | $1792$ |" in VGG._repr_markdown_()


def test_receptive_fields_show_as_a_table() -> None:
    markdown = receptive_fields(VGG)._repr_markdown_()
    assert "| conv1 | $i - 1 : i + 1$ | $j - 1 : j + 1$ |" in markdown


def run_notebook() -> Any:
    """The example notebook, executed from examples/ with this checkout's symcnn."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(EXAMPLES / "cnn_arithmetic.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    pythonpath = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    client.execute(env={**os.environ, "PYTHONPATH": pythonpath, "OMP_NUM_THREADS": "1"})
    return notebook


def test_the_example_notebook_runs_and_displays_typeset_math() -> None:
    notebook = run_notebook()
    shown: dict[str, dict[str, str]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        (tag,) = cell.metadata["tags"]
        assert not [o for o in cell.outputs if o.output_type == "error"], tag
        for output in cell.outputs:
            if output.output_type in ("execute_result", "display_data"):
                shown[tag] = dict(output.data)
            elif output.output_type == "stream":
                shown[tag] = {"text/plain": output.text}
    for tag in ("layer", "quantity", "derivation", "analysis", "network", "seed_network", "answer"):
        assert "text/latex" in shown[tag] and "text/markdown" in shown[tag], tag
        assert len(shown[tag]["text/plain"]) <= 160, tag
    assert r"C_{out} &= C_{out}" not in shown["layer"]["text/latex"]
    assert shown["repr"]["text/plain"].strip() == "Quantity(params = (K_1*K_2*C_in + 1)*C_out)"
    assert shown["derivation"]["text/markdown"].rstrip().endswith("&= 256\n\\end{aligned}\n$$")
    assert r"| conv1 (Conv2d) | $64 \times 256 \times 256$ | $640$ |" in shown["seed_network"]["text/markdown"]
    assert shown["solution"]["text/plain"].startswith("Solution('Convolutional Neural Networks Assignment'")
    assert "73{,}856" in shown["answer"]["text/latex"]
