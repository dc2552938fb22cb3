"""symcnn: CNN arithmetic derived symbolically and shown step by step."""

__version__ = "0.1.0"

from .assignment import read_assignment
from .check import check_claims
from .claims import read_claims
from .errors import ExpressionError, LayerError, SpecError, SymcnnError, SymcnnWarning, TexError
from .expr import parse_expression
from .layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2d, ReLU
from .layers_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from .layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
from .layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
from .layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
from .layers_resize import Identity, Upsample, ZeroPad2d
from .layers_transposed import ConvTranspose2d
from .memory import memory_plan, parse_budget
from .network import Network, build_network
from .quantity import Quantity
from .receptive_field import receptive_fields
from .solution import solve
from .spec import read_network
from .summary import summarize
from .torch_bridge import from_torch, to_torch

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
