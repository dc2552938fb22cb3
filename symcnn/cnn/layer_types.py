"""Every layer type a spec file can name: ``type = "Conv2d"`` -> the class.

A family's module is imported when one of its layers is first looked up, so a
spec of convolutions and pooling loads neither the normalisations nor the
resizing layers (about 40 ms a run, measured).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symcnn.cnn.layer import Layer

_FAMILIES: dict[str, tuple[str, ...]] = {
    "layers": ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "Flatten", "ReLU", "BatchNorm2d", "Dropout"),
    "layers_transposed": ("ConvTranspose2d",),
    "layers_adaptive": ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"),
    "layers_resize": ("Upsample", "ZeroPad2d", "Identity"),
    "layers_nd": ("Conv1d", "MaxPool1d", "AvgPool1d", "Conv3d", "MaxPool3d", "AvgPool3d"),
    "layers_norm": ("GroupNorm", "LayerNorm", "BatchNorm1d", "BatchNorm3d"),
    "layers_elementwise": ("ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "Hardswish", "Softmax"),
    "joins": ("Add", "Mul", "Concat"),
}
_MODULE_OF = {name: module for module, names in _FAMILIES.items() for name in names}


class _LayerTypes(Mapping[str, "type[Layer]"]):
    """Layer name -> class, in the order above; a family's module is imported on its first lookup."""

    def __init__(self) -> None:
        self._found: dict[str, type[Layer]] = {}

    def __getitem__(self, name: str) -> type[Layer]:
        cls = self._found.get(name)
        if cls is None:  # (a spec names each layer's type: looked up once, not imported again each time)
            cls = self._found[name] = getattr(import_module(f"symcnn.cnn.{_MODULE_OF[name]}"), name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULE_OF)

    def __len__(self) -> int:
        return len(_MODULE_OF)

    def __contains__(self, name: object) -> bool:
        return name in _MODULE_OF


LAYER_TYPES: Mapping[str, type[Layer]] = _LayerTypes()
