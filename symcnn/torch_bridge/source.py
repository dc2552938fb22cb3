"""A symcnn network written as readable PyTorch source: one class with ``__init__`` and ``forward``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sympy as sp

from symcnn.cnn.joins import Concat, Join
from symcnn.cnn.network import Network
from symcnn.formula.evaluation import value_of
from symcnn.torch_bridge.exporter import JOINS, torch_calls


def class_name(network_name: str) -> str:
    """``VGG-16 (torchvision layout)`` -> ``VGG16``: the name before any parenthesis, letters and digits only."""
    words = re.findall(r"[A-Za-z0-9]+", network_name.split("(")[0])
    text = "".join(word if word[0].isupper() else word.capitalize() for word in words) or "Network"
    return text if text[0].isalpha() else f"Net{text}"


def torch_source(
    network: Network,
    values: Mapping[sp.Symbol, Any] | None = None,
    name: str | None = None,
    origin: str | None = None,
) -> str:
    """Python source of a ``torch.nn.Module`` class equal to ``network`` (random weights).

    Args:
        network: the network; its sizes numbers, or made numbers by ``values``.
        values: values of the network's symbols.
        name: the class name (default: from the network's name).
        origin: where the network comes from, for the module docstring.

    Raises:
        SymcnnError: a size stays symbolic.
    """
    calls = torch_calls(network, values)
    cls = name or class_name(network.name)
    bound = network.values(values)
    shape = ", ".join(str(value_of(size, bound)) for size in network.input_shape)
    source = f" from {origin}" if origin else ""
    title = network.name.replace('"""', "'''").replace("\\", "/")
    lines = [
        f'"""{title}: written by symcnn export{source}.',
        "",
        f"Run it: python this_file.py prints the output shape of one random [{shape}] input.",
        '"""',
        "",
        "import torch",
        "from torch import nn",
        "",
        "",
        f"class {cls}(nn.Module):",
        f'    """Input: one [{shape}] tensor per sample (C, H, W)."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
    ]
    lines += [f"        self.{attribute} = {call.source()}" for attribute, call in calls if not isinstance(call, Join)]
    lines += ["", "    def forward(self, x: torch.Tensor) -> torch.Tensor:"]
    lines += _forward(network, calls)
    lines += [
        "",
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {cls}()",
        f"    print(tuple(model(torch.randn(1, {shape})).shape))",
    ]
    return "\n".join(lines) + "\n"


def _forward(network: Network, calls: list[tuple[str, Any]]) -> list[str]:
    """The body of ``forward``: ``x = self.conv1(x)`` along a chain; one variable per node in a graph."""
    if network.is_chain:
        return [f"        x = self.{attribute}(x)" for attribute, _ in calls] + ["        return x"]
    # a node's output variable is its attribute name, kept clear of the input and the module's own names
    names = ["x"] + [f"{a}_" if a in ("x", "self", "torch", "nn") else a for a, _ in calls]
    lines = []
    for position, (attribute, call) in enumerate(calls):
        reads = [names[node] for node in network.inputs_of(position)]
        if isinstance(call, Concat):
            lines.append(f"        {names[position + 1]} = torch.cat([{', '.join(reads)}], dim=1)")
        elif isinstance(call, Join):
            lines.append(f"        {names[position + 1]} = {JOINS[type(call)][0].join(reads)}")
        else:
            lines.append(f"        {names[position + 1]} = self.{attribute}({reads[0]})")
    return lines + [f"        return {names[-1]}"]
