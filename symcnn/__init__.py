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
}
"""Each public name and the module that defines it."""

__all__ = [
    "AvgPool2d", "BatchNorm2d", "Conv2d", "Dropout", "Flatten", "Layer", "Linear", "MaxPool2d", "ReLU",
    "Network", "build_network", "read_network", "summarize", "receptive_fields", "memory_plan",
    "parse_budget", "parse_expression", "Quantity", "read_assignment", "solve", "read_claims", "check_claims",
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
    from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2d, ReLU
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
