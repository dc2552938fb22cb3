"""symcnn's meeting point with torch, which stays optional.

``from_torch`` and ``to_torch`` are importable from ``symcnn`` without torch;
they import torch only when called, and say how to install it when it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from symcnn.errors import SymcnnError

if TYPE_CHECKING:
    import sympy as sp

    from symcnn.cnn.network import Network

INSTALL = "install symcnn[torch]: pip install 'symcnn[torch]'"


def require_torch(task: str) -> ModuleType:
    """torch, imported; or a SymcnnError saying how to install it.

    Raises:
        SymcnnError: torch is not installed.
    """
    try:
        import torch
    except ImportError:
        raise SymcnnError(f"{task} needs PyTorch, which is not installed; {INSTALL}") from None
    return torch


def from_torch(module: Any, input_shape: Sequence[int | str | sp.Expr], name: str | None = None) -> Network:
    """The symcnn network of a ``torch.nn.Module``, found by ``torch.fx`` symbolic tracing.

    No forward pass runs and no weight is read: only the modules' hyperparameters.

    Args:
        module: the model (an ``nn.Module`` instance).
        input_shape: one sample's (C, H, W); entries may be symbols, e.g. ``(3, "H", "W")``.
        name: the network's name (default: the module's class name).

    Raises:
        SymcnnError: torch is missing, the model cannot be traced, or it uses
            operations symcnn does not model (all listed, with module path and source line).
    """
    require_torch("importing a torch model")
    from symcnn.torch_bridge.importer import import_module

    return import_module(module, input_shape, name)


def to_torch(network: Network, values: Mapping[sp.Symbol, Any] | None = None) -> Any:
    """The ``torch.nn.Module`` of ``network`` (random weights), its layer names as attributes.

    Args:
        network: a network whose sizes are numbers, or become numbers with ``values``.
        values: values of the network's symbols (as :func:`symcnn.read_network` returns them).

    Raises:
        SymcnnError: torch is missing, or a size stays symbolic.
    """
    require_torch("exporting a network to torch")
    from symcnn.torch_bridge.exporter import build_module

    return build_module(network, values)
