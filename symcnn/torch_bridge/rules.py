"""What each traced torch call becomes in symcnn: three tables of rules.

Modules are looked up by class, functions by identity, tensor methods by name.
A rule returns a symcnn layer, :data:`PASS` (the input goes through), or raises
:class:`Unsupported` saying what symcnn does not model. A new layer type plugs
in by one entry here (and one in :data:`symcnn.torch_bridge.exporter.TORCH_CALLS`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from symcnn.cnn.joins import Add, Concat, Mul
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from symcnn.cnn.layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
from symcnn.cnn.layers_resize import Identity, Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d


class Unsupported(Exception):
    """Raised by a rule: symcnn does not model this node (the message says what)."""


PASS = None
"""A rule's answer for a node that changes nothing symcnn counts (``nn.Identity``): its input goes through."""


@dataclass(frozen=True)
class Call:
    """A recorded call: the tensor inputs' names and its other arguments, by parameter name."""

    node: fx.Node
    inputs: tuple[str, ...]
    arguments: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.arguments.get(key, default)


Rule = Callable[[Call], "Layer | None"]
ModuleRule = Callable[[Any], "Layer | None"]


# ------------------------------------------------------------------ module rules


def _conv_padding(conv: nn.Conv2d) -> Any:
    """torch's padding words as numbers; 'same' only where torch pads symmetrically."""
    if conv.padding == "valid":
        return 0
    if conv.padding == "same":
        spans = [d * (k - 1) for k, d in zip(conv.kernel_size, conv.dilation)]
        if any(span % 2 for span in spans):
            raise Unsupported("padding='same' with an even kernel span pads one side more than the other")
        return tuple(span // 2 for span in spans)
    return conv.padding


def _conv2d(conv: nn.Conv2d, cls: type[Conv2d] = Conv2d) -> Layer:
    """Conv1d, Conv2d or Conv3d (``cls``), read from the torch module of the same name."""
    if conv.padding_mode != "zeros":
        raise Unsupported(f"padding_mode={conv.padding_mode!r} (symcnn models zero padding)")
    return cls(conv.in_channels, conv.out_channels, kernel_size=conv.kernel_size, stride=conv.stride,
                  padding=_conv_padding(conv), dilation=conv.dilation, groups=conv.groups,
                  bias=conv.bias is not None)


def _max_pool2d(pool: Any, cls: type[MaxPool2d] = MaxPool2d) -> Layer:
    if pool.return_indices:
        raise Unsupported("return_indices=True (a pair of tensors)")
    return cls(pool.kernel_size, stride=pool.stride or pool.kernel_size, padding=pool.padding,
                     dilation=pool.dilation, ceil_mode=pool.ceil_mode)


def _avg_pool2d(pool: Any, cls: type[AvgPool2d] = AvgPool2d) -> Layer:
    return cls(pool.kernel_size, stride=pool.stride or pool.kernel_size, padding=pool.padding,
                     ceil_mode=pool.ceil_mode, count_include_pad=pool.count_include_pad,
                     divisor_override=getattr(pool, "divisor_override", None))  # AvgPool1d has none


def _conv_transpose2d(conv: nn.ConvTranspose2d) -> Layer:
    if conv.padding_mode != "zeros":
        raise Unsupported(f"padding_mode={conv.padding_mode!r} (symcnn models zero padding)")
    return ConvTranspose2d(conv.in_channels, conv.out_channels, kernel_size=conv.kernel_size, stride=conv.stride,
                           padding=conv.padding, output_padding=conv.output_padding, groups=conv.groups,
                           bias=conv.bias is not None, dilation=conv.dilation)


def _output_size(size: Any) -> Any:
    """An adaptive pool's output size; torch's None (keep that axis) is not modelled."""
    if size is None or (isinstance(size, (tuple, list)) and None in size):
        raise Unsupported("output_size with None (keep the input's size) is not modelled; give the size")
    return tuple(size) if isinstance(size, (tuple, list)) else size


def _adaptive_max(size: Any, return_indices: bool) -> Layer:
    if return_indices:
        raise Unsupported("return_indices=True (a pair of tensors)")
    return AdaptiveMaxPool2d(_output_size(size))


def _whole(value: Any, what: str) -> Any:
    """torch's float scale factors (2.0) as the integers symcnn models."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return tuple(_whole(v, what) for v in value)
    if float(value) != int(value):
        raise Unsupported(f"{what}={value}: symcnn models integer scale factors")
    return int(value)


def _upsample(size: Any, scale_factor: Any, mode: str, align_corners: Any) -> Layer:
    size = tuple(size) if isinstance(size, (tuple, list)) else size
    return Upsample(size=size, scale_factor=_whole(scale_factor, "scale_factor"), mode=mode,
                    align_corners=align_corners if mode != "nearest" else None)


def _zero_pad(pad: nn.ZeroPad2d) -> Layer:
    sides = tuple(pad.padding)
    return ZeroPad2d(sides[0] if len(set(sides)) == 1 else sides)


def _flatten(start_dim: int, end_dim: int) -> Layer:
    if (start_dim, end_dim) != (1, -1):
        raise Unsupported(f"flatten(start_dim={start_dim}, end_dim={end_dim}); symcnn flattens dims 1..-1")
    return Flatten()


MODULE_RULES: dict[type, ModuleRule] = {
    nn.Conv2d: _conv2d,
    nn.MaxPool2d: _max_pool2d,
    nn.AvgPool2d: _avg_pool2d,
    nn.Linear: lambda m: Linear(m.in_features, m.out_features, bias=m.bias is not None),
    nn.Flatten: lambda m: _flatten(m.start_dim, m.end_dim),
    nn.ReLU: lambda m: ReLU(inplace=m.inplace),
    nn.BatchNorm2d: lambda m: BatchNorm2d(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
                                          track_running_stats=m.track_running_stats),
    nn.Dropout: lambda m: Dropout(p=m.p, inplace=m.inplace),
    nn.Identity: lambda m: Identity(),
    nn.Conv1d: lambda m: _conv2d(m, Conv1d),
    nn.Conv3d: lambda m: _conv2d(m, Conv3d),
    nn.MaxPool1d: lambda m: _max_pool2d(m, MaxPool1d),
    nn.MaxPool3d: lambda m: _max_pool2d(m, MaxPool3d),
    nn.AvgPool1d: lambda m: _avg_pool2d(m, AvgPool1d),
    nn.AvgPool3d: lambda m: _avg_pool2d(m, AvgPool3d),
    nn.BatchNorm1d: lambda m: BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
                                          track_running_stats=m.track_running_stats),
    nn.BatchNorm3d: lambda m: BatchNorm3d(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
                                          track_running_stats=m.track_running_stats),
    nn.GroupNorm: lambda m: GroupNorm(m.num_groups, m.num_channels, eps=m.eps, affine=m.affine),
    nn.LayerNorm: lambda m: LayerNorm(tuple(m.normalized_shape), eps=m.eps,
                                      elementwise_affine=m.elementwise_affine, bias=m.bias is not None),
    nn.ConvTranspose2d: _conv_transpose2d,
    nn.AdaptiveAvgPool2d: lambda m: AdaptiveAvgPool2d(_output_size(m.output_size)),
    nn.AdaptiveMaxPool2d: lambda m: _adaptive_max(m.output_size, m.return_indices),
    nn.Upsample: lambda m: _upsample(m.size, m.scale_factor, m.mode, m.align_corners),
    nn.ZeroPad2d: _zero_pad,
    nn.ReLU6: lambda m: ReLU6(inplace=m.inplace),
    nn.LeakyReLU: lambda m: LeakyReLU(negative_slope=m.negative_slope, inplace=m.inplace),
    nn.Sigmoid: lambda m: Sigmoid(),
    nn.Tanh: lambda m: Tanh(),
    nn.SiLU: lambda m: SiLU(inplace=m.inplace),
    nn.GELU: lambda m: GELU(approximate=m.approximate),
    nn.Hardswish: lambda m: Hardswish(inplace=m.inplace),
    nn.Softmax: lambda m: Softmax(dim=m.dim),
}
"""torch module class -> rule building the symcnn layer from the module's hyperparameters."""


# ------------------------------------------------------------------ function and method rules


@dataclass(frozen=True)
class Signature:
    """The parameter names after the tensor input(s), and how many tensor inputs lead."""

    names: tuple[str, ...]
    tensors: int = 1


class _Pool:
    """Adapts a functional pooling call to the module rule: the same attributes."""

    def __init__(self, call: Call, defaults: dict[str, Any]) -> None:
        for key, value in defaults.items():
            setattr(self, key, call.get(key, value))


_MAX_POOL = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
_AVG_POOL = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")


def _functional_max_pool(call: Call) -> Layer:
    defaults = dict(kernel_size=None, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)
    return _max_pool2d(_Pool(call, defaults))


def _functional_avg_pool(call: Call) -> Layer:
    defaults = dict(kernel_size=None, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                    divisor_override=None)
    return _avg_pool2d(_Pool(call, defaults))


def _relu(call: Call) -> Layer:
    return ReLU(inplace=bool(call.get("inplace", False)))


def _dropout(call: Call) -> Layer:
    return Dropout(p=float(call.get("p", 0.5)), inplace=bool(call.get("inplace", False)))


def _concat(call: Call) -> Layer | None:
    if len(call.inputs) == 1:  # torch.cat([x], 1) is x (DenseNet's first layer of a block)
        return PASS
    dim = call.get("dim", 0)
    if dim not in (1, -3):
        raise Unsupported(f"torch.cat along dim={dim}; symcnn joins along channels (dim=1)")
    return Concat()


FUNCTION_RULES: dict[Any, tuple[Signature, Rule]] = {
    operator.add: (Signature((), tensors=2), lambda c: Add()),
    operator.iadd: (Signature((), tensors=2), lambda c: Add(inplace=True)),
    torch.add: (Signature((), tensors=2), lambda c: Add()),
    operator.mul: (Signature((), tensors=2), lambda c: Mul()),
    torch.mul: (Signature((), tensors=2), lambda c: Mul()),
    torch.cat: (Signature(("dim",), tensors=0), _concat),
    F.relu: (Signature(("inplace",)), _relu),
    torch.relu: (Signature(()), _relu),
    torch.flatten: (Signature(("start_dim", "end_dim")),
                    lambda c: _flatten(c.get("start_dim", 0), c.get("end_dim", -1))),
    F.max_pool2d: (Signature(_MAX_POOL), _functional_max_pool),
    F.avg_pool2d: (Signature(_AVG_POOL), _functional_avg_pool),
    F.dropout: (Signature(("p", "training", "inplace")), _dropout),
    F.adaptive_avg_pool2d: (Signature(("output_size",)),
                            lambda c: AdaptiveAvgPool2d(_output_size(c.get("output_size")))),
    F.adaptive_max_pool2d: (Signature(("output_size", "return_indices")),
                            lambda c: _adaptive_max(c.get("output_size"), c.get("return_indices", False))),
    F.interpolate: (Signature(("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")),
                    lambda c: _upsample(c.get("size"), c.get("scale_factor"), c.get("mode", "nearest"),
                                        c.get("align_corners"))),
    F.relu6: (Signature(("inplace",)), lambda c: ReLU6(inplace=bool(c.get("inplace", False)))),
    F.leaky_relu: (Signature(("negative_slope", "inplace")),
                   lambda c: LeakyReLU(negative_slope=c.get("negative_slope", 0.01), inplace=c.get("inplace", False))),
    torch.sigmoid: (Signature(()), lambda c: Sigmoid()),
    F.sigmoid: (Signature(()), lambda c: Sigmoid()),
    torch.tanh: (Signature(()), lambda c: Tanh()),
    F.tanh: (Signature(()), lambda c: Tanh()),
    F.silu: (Signature(("inplace",)), lambda c: SiLU(inplace=bool(c.get("inplace", False)))),
    F.gelu: (Signature(("approximate",)), lambda c: GELU(approximate=c.get("approximate", "none"))),
    F.hardswish: (Signature(("inplace",)), lambda c: Hardswish(inplace=bool(c.get("inplace", False)))),
    F.softmax: (Signature(("dim",)), lambda c: Softmax(dim=c.get("dim"))),
    torch.softmax: (Signature(("dim",)), lambda c: Softmax(dim=c.get("dim"))),
}
"""torch function -> (its signature, rule)."""

METHOD_RULES: dict[str, tuple[Signature, Rule]] = {
    "relu": (Signature(()), _relu),
    "relu_": (Signature(()), lambda c: ReLU(inplace=True)),
    "flatten": (Signature(("start_dim", "end_dim")),
                lambda c: _flatten(c.get("start_dim", 0), c.get("end_dim", -1))),
    "contiguous": (Signature(()), lambda c: PASS),
    "add": (Signature((), tensors=2), lambda c: Add()),
    "add_": (Signature((), tensors=2), lambda c: Add(inplace=True)),
    "mul": (Signature((), tensors=2), lambda c: Mul()),
    "sigmoid": (Signature(()), lambda c: Sigmoid()),
    "tanh": (Signature(()), lambda c: Tanh()),
    "softmax": (Signature(("dim",)), lambda c: Softmax(dim=c.get("dim"))),
}
"""Tensor method name -> (its signature, rule). ``view`` and ``reshape`` are read apart (see ``_reshape``)."""
