"""A symcnn network as a ``torch.nn.Module``: one torch module per layer, named as in the spec.

One table, :data:`TORCH_CALLS`, says which torch constructor (and which arguments)
each symcnn layer becomes; :func:`build_module` calls it, and
:mod:`symcnn.torch_bridge.source` writes the same calls as Python source.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
import torch
from torch import nn

from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.arguments import as_expr
from symcnn.cnn.joins import Add, Concat, Join, Mul
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from symcnn.cnn.layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
from symcnn.cnn.layers_resize import Identity, Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.cnn.network import Network
from symcnn.errors import SymcnnError
from symcnn.files.spec_writer import _single
from symcnn.formula.evaluation import value_of


@dataclass(frozen=True)
class TorchCall:
    """``nn.<cls>(*positional, **keywords)``, torch's defaults left out."""

    cls: str
    positional: tuple[Any, ...]
    keywords: dict[str, Any]

    def build(self) -> nn.Module:
        return getattr(nn, self.cls)(*self.positional, **self.keywords)

    def source(self) -> str:
        parts = [repr(v) for v in self.positional] + [f"{k}={v!r}" for k, v in self.keywords.items()]
        return f"nn.{self.cls}({', '.join(parts)})"


class _Numbers:
    """A layer's arguments as plain ints, its symbols bound; an error names what stays symbolic."""

    def __init__(self, analysis: LayerAnalysis, bound: Mapping[sp.Symbol, sp.Expr]) -> None:
        self.analysis, self.bound = analysis, bound

    def __call__(self, value: Any, what: str) -> Any:
        if isinstance(value, (tuple, list)):
            return _single(tuple(self(v, what) for v in value), what)
        if isinstance(value, (bool, float)) or value is None:
            return value
        number = value_of(as_expr(value, self.analysis.name, what), self.bound)
        if not number.is_Integer:
            symbols = ", ".join(sorted(str(s) for s in number.free_symbols))
            raise SymcnnError(
                f"{self.analysis.name}: {what} is {number}; a torch module needs numbers: "
                f"give values for {symbols} (a [values] table in the spec)"
            )
        return int(number)


_ALWAYS = object()
"""The default of an argument always written (``kernel_size``): readable, though torch would take it by position."""


def _keywords(pairs: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    """The (name, value, torch default) triples whose value is not the default."""
    return {name: value for name, value, default in pairs if value != default}


def _conv(layer: Conv2d, n: _Numbers) -> TorchCall:
    channels = n(n.analysis.input_shape[0], "input channels")
    kernel = n(layer.kernel_size, "kernel_size")
    return TorchCall(type(layer).__name__, (channels, n(layer.out_channels, "out_channels")), _keywords([
        ("kernel_size", kernel, _ALWAYS), ("stride", n(layer.stride, "stride"), 1),
        ("padding", n(layer.padding, "padding"), 0),
        ("dilation", n(layer.dilation, "dilation"), 1), ("groups", n(layer.groups, "groups"), 1),
        ("bias", layer.bias, True)]))


def _max_pool(layer: MaxPool2d, n: _Numbers) -> TorchCall:
    kernel = n(layer.kernel_size, "kernel_size")
    return TorchCall(type(layer).__name__, (), _keywords([
        ("kernel_size", kernel, _ALWAYS), ("stride", n(layer.stride, "stride"), kernel),
        ("padding", n(layer.padding, "padding"), 0),
        ("dilation", n(layer.dilation, "dilation"), 1), ("ceil_mode", layer.ceil_mode, False)]))


def _avg_pool(layer: AvgPool2d, n: _Numbers) -> TorchCall:
    kernel = n(layer.kernel_size, "kernel_size")
    return TorchCall(type(layer).__name__, (), _keywords([
        ("kernel_size", kernel, _ALWAYS), ("stride", n(layer.stride, "stride"), kernel),
        ("padding", n(layer.padding, "padding"), 0),
        ("ceil_mode", layer.ceil_mode, False), ("count_include_pad", layer.count_include_pad, True),
        ("divisor_override", layer.divisor_override, None)]))


def _linear(layer: Linear, n: _Numbers) -> TorchCall:
    features = n(n.analysis.input_shape[0], "input features")
    return TorchCall("Linear", (features, n(layer.out_features, "out_features")),
                     _keywords([("bias", layer.bias, True)]))


def _batch_norm(layer: BatchNorm2d, n: _Numbers) -> TorchCall:
    return TorchCall(type(layer).__name__, (n(n.analysis.input_shape[0], "input channels"),), _keywords([
        ("eps", layer.eps, 1e-5), ("momentum", layer.momentum, 0.1), ("affine", layer.affine, True),
        ("track_running_stats", layer.track_running_stats, True)]))


def _conv_transpose(layer: ConvTranspose2d, n: _Numbers) -> TorchCall:
    channels = n(n.analysis.input_shape[0], "input channels")
    return TorchCall("ConvTranspose2d", (channels, n(layer.out_channels, "out_channels")), _keywords([
        ("kernel_size", n(layer.kernel_size, "kernel_size"), _ALWAYS), ("stride", n(layer.stride, "stride"), 1),
        ("padding", n(layer.padding, "padding"), 0),
        ("output_padding", n(layer.output_padding, "output_padding"), 0), ("groups", n(layer.groups, "groups"), 1),
        ("bias", layer.bias, True), ("dilation", n(layer.dilation, "dilation"), 1)]))


def _upsample(layer: Upsample, n: _Numbers) -> TorchCall:
    return TorchCall("Upsample", (), _keywords([
        ("size", None if layer.size is None else n(layer.size, "size"), None),
        ("scale_factor", None if layer.scale_factor is None else n(layer.scale_factor, "scale_factor"), None),
        ("mode", layer.mode, "nearest"), ("align_corners", layer.align_corners, None)]))


def _same_arguments(cls: str) -> Callable[[Any, _Numbers], TorchCall]:
    """A layer whose symcnn arguments are torch's, by the same names (activations): the non-default ones."""
    def call(layer: Layer, n: _Numbers) -> TorchCall:
        from symcnn.files.spec_writer import layer_arguments

        return TorchCall(cls, (), {key: n(value, key) if key == "padding" else value
                                   for key, value in layer_arguments(layer).items()})
    return call


TORCH_CALLS: dict[type[Layer], Callable[[Any, _Numbers], TorchCall]] = {
    **{cls: _conv for cls in (Conv1d, Conv2d, Conv3d)},
    **{cls: _max_pool for cls in (MaxPool1d, MaxPool2d, MaxPool3d)},
    **{cls: _avg_pool for cls in (AvgPool1d, AvgPool2d, AvgPool3d)},
    **{cls: _batch_norm for cls in (BatchNorm1d, BatchNorm3d)},
    GroupNorm: lambda layer, n: TorchCall("GroupNorm", (n(layer.num_groups, "num_groups"),
                                                        n(n.analysis.input_shape[0], "input channels")),
                                          _keywords([("eps", layer.eps, 1e-5), ("affine", layer.affine, True)])),
    LayerNorm: lambda layer, n: TorchCall("LayerNorm", (n(layer.normalized_shape, "normalized_shape"),), _keywords([
        ("eps", layer.eps, 1e-5), ("elementwise_affine", layer.elementwise_affine, True), ("bias", layer.bias, True)])),
    Linear: _linear,
    BatchNorm2d: _batch_norm,
    Flatten: lambda layer, n: TorchCall("Flatten", (), {}),
    ReLU: lambda layer, n: TorchCall("ReLU", (), _keywords([("inplace", layer.inplace, False)])),
    Dropout: lambda layer, n: TorchCall("Dropout", (), _keywords([("p", layer.p, 0.5),
                                                                  ("inplace", layer.inplace, False)])),
    ConvTranspose2d: _conv_transpose,
    AdaptiveAvgPool2d: lambda layer, n: TorchCall("AdaptiveAvgPool2d", (n(layer.output_size, "output_size"),), {}),
    AdaptiveMaxPool2d: lambda layer, n: TorchCall("AdaptiveMaxPool2d", (n(layer.output_size, "output_size"),), {}),
    Upsample: _upsample,
    ZeroPad2d: lambda layer, n: TorchCall("ZeroPad2d", (n(layer.padding, "padding"),), {}),
    **{cls: _same_arguments(cls.__name__) for cls in
       (Identity, ReLU6, LeakyReLU, Sigmoid, Tanh, SiLU, GELU, Hardswish, Softmax)},
}
"""symcnn layer class -> the torch constructor call of the same layer."""


def identifier(name: str) -> str:
    """A layer name as a Python attribute name (``features.0`` -> ``features_0``), clear of nn.Module's own."""
    text = re.sub(r"\W", "_", name)
    if not text or text[0].isdigit() or keyword.iskeyword(text):
        text = f"layer_{text}"
    while _reserved(text):
        text += "_"
    return text


def attribute_path(name: str) -> str:
    """A layer name as a module path whose every part ``add_module`` takes (``layer1.0.conv1`` as it is)."""
    parts = [part or "_" for part in name.split(".")]
    return ".".join(part + "_" if _reserved(part) else part for part in parts)


def _reserved(attribute: str) -> bool:
    """Whether ``attribute`` is already something on the exported module (``forward``, ``training``, ``order``)."""
    return hasattr(nn.Module, attribute) or attribute in ("order", "reads")


def torch_calls(network: Network, values: Mapping[sp.Symbol, Any] | None = None) -> list[tuple[str, Any]]:
    """(attribute name, torch call) of every layer, in order; a join stays itself (an operator, no module).

    Raises:
        SymcnnError: a size stays symbolic, or a layer type has no torch counterpart here.
    """
    bound = network.values(values)
    unknown = sorted({str(s) for size in network.input_shape for s in value_of(size, bound).free_symbols})
    if unknown:
        raise SymcnnError(f"{network.name}: the input {list(network.input_shape)} is symbolic; a torch module "
                          f"needs numbers: give values for {', '.join(unknown)} (a [values] table in the spec)")
    calls: list[tuple[str, TorchCall | Join]] = []
    for analysis in network.layers:
        if isinstance(analysis.layer, Join):
            calls.append((identifier(analysis.name), analysis.layer))
            continue
        rule = TORCH_CALLS.get(type(analysis.layer))
        if rule is None:
            raise SymcnnError(f"{analysis.name}: no torch module for {type(analysis.layer).__name__} yet")
        calls.append((identifier(analysis.name), rule(analysis.layer, _Numbers(analysis, bound))))
    names = [name for name, _ in calls]
    if len(set(names)) != len(names):
        raise SymcnnError(f"{network.name}: two layer names become the same attribute name: {names}")
    return calls


JOINS: dict[type[Join], tuple[str, Callable[[list[torch.Tensor]], torch.Tensor]]] = {
    Add: (" + ", lambda xs: _fold(xs, torch.add)),
    Mul: (" * ", lambda xs: _fold(xs, torch.mul)),
    Concat: (", ", lambda xs: torch.cat(xs, dim=1)),
}
"""Join class -> (the operator between its inputs in source, the torch computation)."""


def _fold(tensors: list[torch.Tensor], operation: Callable) -> torch.Tensor:
    result = tensors[0]
    for tensor in tensors[1:]:
        result = operation(result, tensor)
    return result


class JoinModule(nn.Module):
    """A join as a module, so that it sits at its spec path (``layer1.0.add``) and imports back by it."""

    def __init__(self, join: Join) -> None:
        super().__init__()
        self.join = join

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return JOINS[type(self.join)][1](list(tensors))

    def extra_repr(self) -> str:
        return type(self.join).__name__


class ExportedNetwork(nn.Module):
    """Torch modules applied in order, each an attribute named as the spec's layer; joins read several nodes."""

    def __init__(self, modules: list[tuple[str, nn.Module | Join]], reads: list[tuple[int, ...]]) -> None:
        super().__init__()
        self.order = [name for name, _ in modules]
        self.reads = reads
        for name, module in modules:
            self._nest(name, JoinModule(module) if isinstance(module, Join) else module)

    def _nest(self, path: str, module: nn.Module) -> None:
        """``layer1.0.conv1`` as the module ``conv1`` inside containers ``layer1`` and ``0``, as torch nests it."""
        *containers, last = path.split(".")
        owner: nn.Module = self
        for part in containers:
            if part not in owner._modules:
                owner.add_module(part, nn.Module())
            owner = owner._modules[part]  # type: ignore[assignment]
        owner.add_module(last, module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [x]
        for name, reads in zip(self.order, self.reads):
            outputs.append(self.get_submodule(name)(*(outputs[k] for k in reads)))
        return outputs[-1]


def build_module(network: Network, values: Mapping[sp.Symbol, Any] | None = None) -> nn.Module:
    """See :func:`symcnn.to_torch`."""
    calls = torch_calls(network, values)
    modules = [(attribute_path(a.name), call if isinstance(call, Join) else call.build())
               for a, (_, call) in zip(network.layers, calls)]
    return ExportedNetwork(modules, [network.inputs_of(k) for k in range(len(network.layers))])
