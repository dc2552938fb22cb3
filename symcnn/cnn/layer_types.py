"""Every layer type a spec file can name: ``type = "Conv2d"`` -> the class."""

from __future__ import annotations

from symcnn.cnn.joins import Add, Concat, Mul
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from symcnn.cnn.layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
from symcnn.cnn.layers_resize import Identity, Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d

LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (
        Conv2d, MaxPool2d, AvgPool2d, Linear, Flatten, ReLU, BatchNorm2d, Dropout,
        ConvTranspose2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample, ZeroPad2d, Identity,
        Conv1d, MaxPool1d, AvgPool1d, Conv3d, MaxPool3d, AvgPool3d,
        GroupNorm, LayerNorm, BatchNorm1d, BatchNorm3d,
        ReLU6, LeakyReLU, Sigmoid, Tanh, SiLU, GELU, Hardswish, Softmax,
        Add, Mul, Concat,
    )
}
