"""The README's examples work as written: its Python, its inline network, its layer table."""

from __future__ import annotations

import re
from pathlib import Path

from symcnn import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2 and any("derive(" in block for block in blocks)
    scope: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)  # the README's own code, trusted
    assert scope["d"].result == 256  # type: ignore[attr-defined]


def test_the_inline_network_and_the_numeric_layer_solve(tmp_path: Path) -> None:
    (inline,) = re.findall(r"`(network = \{ input = .*?\})`", README)
    (layer,) = re.findall(r'`(layer = \{ type = "Conv2d", out_channels = 96,\s+kernel_size = 11,\s+stride = 4 \})`',
                          README)
    (shape,) = re.findall(r"with `(input = \[3, 227, 227\])`", README)
    layer = " ".join(layer.split())
    (tmp_path / "a.toml").write_text(
        f'title = "README"\n[[parts]]\ntitle = "conv"\n{layer}\n{shape}\nquestions = ["output_shape"]\n'
        f'[[parts]]\ntitle = "net"\n{inline}\nquestions = ["activation_table"]\n'
    )
    assert cli.main(["solve", str(tmp_path / "a.toml"), "-o", str(tmp_path / "out"), "--format", "md"]) == 0
    text = (tmp_path / "out" / "solution.md").read_text()
    assert r"= 55 \times 55 \times 96$" in text and r"$B \times 8 \times 30 \times 30$" in text
