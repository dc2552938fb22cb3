"""symcnn: CNN arithmetic derived symbolically and shown step by step."""

__version__ = "0.1.0"

from symcnn.check.checker import check_claims
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2d, ReLU
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
