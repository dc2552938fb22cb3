"""symcnn: CNN arithmetic derived symbolically and shown step by step.

The public names below are imported on first use (PEP 562), so ``import
symcnn`` costs almost nothing and each command imports only what it uses: a
numeric summary never loads the checker, the solutions, jinja2 or matplotlib.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_WHERE: dict[str, str] = {
    "check_claims": "symcnn.check.checker",
    **dict.fromkeys(
        ("AvgPool2d", "BatchNorm2d", "Conv2d", "Dropout", "Flatten", "Layer", "Linear", "MaxPool2d", "ReLU"),
        "symcnn.cnn.layers",
    ),
    **dict.fromkeys(("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"), "symcnn.cnn.layers_adaptive"),
    **dict.fromkeys(("GELU", "Hardswish", "LeakyReLU", "ReLU6", "Sigmoid", "SiLU", "Softmax", "Tanh"),
                    "symcnn.cnn.layers_elementwise"),
    **dict.fromkeys(("AvgPool1d", "AvgPool3d", "Conv1d", "Conv3d", "MaxPool1d", "MaxPool3d"), "symcnn.cnn.layers_nd"),
    **dict.fromkeys(("BatchNorm1d", "BatchNorm3d", "GroupNorm", "LayerNorm"), "symcnn.cnn.layers_norm"),
    **dict.fromkeys(("Identity", "Upsample", "ZeroPad2d"), "symcnn.cnn.layers_resize"),
    "ConvTranspose2d": "symcnn.cnn.layers_transposed",
    "memory_plan": "symcnn.cnn.memory",
    "parse_budget": "symcnn.cnn.memory",
    "Network": "symcnn.cnn.network",
    "build_network": "symcnn.cnn.network",
    "receptive_fields": "symcnn.cnn.receptive_field",
    "summarize": "symcnn.cnn.summary",
    **dict.fromkeys(
        ("ExpressionError", "LayerError", "SpecError", "SymcnnError", "SymcnnWarning", "TexError"), "symcnn.errors"
    ),
    "read_assignment": "symcnn.files.assignment",
    "read_claims": "symcnn.files.claims",
    "read_network": "symcnn.files.spec",
    "parse_expression": "symcnn.formula.expr",
    "Quantity": "symcnn.formula.quantity",
    "solve": "symcnn.solutions.solution",
    "from_torch": "symcnn.torch_bridge.bridge",
    "to_torch": "symcnn.torch_bridge.bridge",
}
"""Each public name and the module that defines it."""

__all__ = [
    "AvgPool2d", "BatchNorm2d", "Conv2d", "Dropout", "Flatten", "Layer", "Linear", "MaxPool2d", "ReLU",
    "ConvTranspose2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample", "ZeroPad2d", "Identity",
    "Conv1d", "MaxPool1d", "AvgPool1d", "Conv3d", "MaxPool3d", "AvgPool3d",
    "GroupNorm", "LayerNorm", "BatchNorm1d", "BatchNorm3d",
    "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "Hardswish", "Softmax",
    "Network", "build_network", "read_network", "summarize", "receptive_fields", "memory_plan",
    "parse_budget", "parse_expression", "Quantity", "read_assignment", "solve", "read_claims", "check_claims",
    "from_torch", "to_torch",
    "SymcnnError", "LayerError", "SpecError", "ExpressionError", "TexError", "SymcnnWarning", "__version__",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use and keep the name here."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'symcnn' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (imported or not yet) and the module's own dunders."""
    return sorted(set(__all__) | {name for name in globals() if name.startswith("__")})


if TYPE_CHECKING:  # what type checkers and IDEs see: the eager imports
    from symcnn.check.checker import check_claims
    from symcnn.cnn.layer import Layer
    from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
    from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
    from symcnn.cnn.layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
    from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
    from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
    from symcnn.cnn.layers_resize import Identity, Upsample, ZeroPad2d
    from symcnn.cnn.layers_transposed import ConvTranspose2d
    from symcnn.cnn.memory import memory_plan, parse_budget
    from symcnn.cnn.network import Network, build_network
    from symcnn.cnn.receptive_field import receptive_fields
    from symcnn.cnn.summary import summarize
    from symcnn.errors import ExpressionError, LayerError, SpecError, SymcnnError, SymcnnWarning, TexError
    from symcnn.files.assignment import read_assignment
    from symcnn.files.claims import read_claims
    from symcnn.files.spec import read_network
    from symcnn.formula.expr import parse_expression
    from symcnn.formula.quantity import Quantity
    from symcnn.solutions.solution import solve
    from symcnn.torch_bridge.bridge import from_torch, to_torch
