"""The quantities symcnn knows, once: their keys, titles, left-hand sides and scope.

Every other module names a quantity by :class:`QuantityKey` (a ``StrEnum``, so
``QuantityKey.PARAMS == "params"`` and TOML files keep their plain words) and
reads its title and symbol from :data:`QUANTITIES`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class QuantityKey(StrEnum):
    """A quantity of a layer or of a network."""

    INPUT_ELEMENTS = "input_elements"
    OUTPUT_CHANNELS = "output_channels"
    OUTPUT_HEIGHT = "output_height"
    OUTPUT_WIDTH = "output_width"
    OUTPUT_FEATURES = "output_features"
    OUTPUT_ELEMENTS = "output_elements"
    PARAMS = "params"
    MULTS = "mults"
    ADDS = "adds"
    COMPARISONS = "comparisons"
    DIVISIONS = "divisions"
    DROPPED_ROWS = "dropped_rows"
    DROPPED_COLUMNS = "dropped_columns"
    OUTPUT_LENGTH = "output_length"
    OUTPUT_DEPTH = "output_depth"
    TRANSCENDENTALS = "transcendentals"
    SQUARE_ROOTS = "square_roots"
    BATCH_MULTS = "batch_mults"
    BATCH_ADDS = "batch_adds"
    BATCH_DIVISIONS = "batch_divisions"
    BATCH_SQUARE_ROOTS = "batch_square_roots"
    DROPPED_POSITIONS = "dropped_positions"
    DROPPED_SLICES = "dropped_slices"
    STRETCHED_WIDTH = "stretched_width"
    STRETCHED_HEIGHT = "stretched_height"
    DIRECT_PADDING_WIDTH = "direct_padding_width"
    DIRECT_PADDING_HEIGHT = "direct_padding_height"
    DIRECT_REMAINDER_WIDTH = "direct_remainder_width"
    DIRECT_REMAINDER_HEIGHT = "direct_remainder_height"
    OUTPUT_SHAPE = "output_shape"
    ACTIVATION_ELEMENTS = "activation_elements"
    RECEPTIVE_FIELD = "receptive_field"
    LARGEST_ACTIVATION_ELEMENTS = "largest_activation_elements"
    MAX_BATCH = "max_batch"
    MAX_BATCH_TRAINING = "max_batch_training"
    MAX_BATCH_INFERENCE = "max_batch_inference"


class Scope(StrEnum):
    """Whether a quantity belongs to one layer (on its input) or to a whole network."""

    LAYER = "layer"
    NETWORK = "network"


class Descriptor(NamedTuple):
    """How a quantity is named: its title, its LaTeX left-hand side, its scope, and whether it grows with B."""

    title: str
    lhs: str
    scope: Scope = Scope.LAYER
    per_batch: bool = False


QUANTITIES: dict[QuantityKey, Descriptor] = {
    QuantityKey.INPUT_ELEMENTS: Descriptor("Number of input elements", "n_{in}"),
    QuantityKey.OUTPUT_CHANNELS: Descriptor("Number of output channels", "C_{out}"),
    QuantityKey.OUTPUT_HEIGHT: Descriptor("Output height", "H_{out}"),
    QuantityKey.OUTPUT_WIDTH: Descriptor("Output width", "W_{out}"),
    QuantityKey.OUTPUT_FEATURES: Descriptor("Output size", "N_{out}"),
    QuantityKey.OUTPUT_ELEMENTS: Descriptor("Number of output elements", "n_{out}"),
    QuantityKey.PARAMS: Descriptor("Number of parameters", r"|\theta|"),
    QuantityKey.MULTS: Descriptor("Number of multiplications", r"n_{\times}"),
    QuantityKey.ADDS: Descriptor("Number of additions", "n_{+}"),
    QuantityKey.COMPARISONS: Descriptor("Number of comparisons", r"n_{\gtrless}"),
    QuantityKey.DIVISIONS: Descriptor("Number of divisions", r"n_{\div}"),
    QuantityKey.DROPPED_ROWS: Descriptor("Rows no window reaches", r"\mathrm{dropped}_{rows}"),
    QuantityKey.DROPPED_COLUMNS: Descriptor("Columns no window reaches", r"\mathrm{dropped}_{columns}"),
    QuantityKey.OUTPUT_LENGTH: Descriptor("Output length", "L_{out}"),
    QuantityKey.OUTPUT_DEPTH: Descriptor("Output depth", "T_{out}"),
    QuantityKey.TRANSCENDENTALS: Descriptor("Number of exp, erf and tanh evaluations", 'n_{\\exp}'),
    QuantityKey.SQUARE_ROOTS: Descriptor("Number of square roots", 'n_{\\surd}'),
    QuantityKey.BATCH_MULTS: Descriptor("Multiplications of a training step on a batch of B", 'n_{\\times}^{train}'),
    QuantityKey.BATCH_ADDS: Descriptor("Additions of a training step on a batch of B", "n_{+}^{train}"),
    QuantityKey.BATCH_DIVISIONS: Descriptor("Divisions of a training step on a batch of B", 'n_{\\div}^{train}'),
    QuantityKey.BATCH_SQUARE_ROOTS: Descriptor("Square roots of a training step on a batch of B", 'n_{\\surd}^{train}'),
    QuantityKey.DROPPED_POSITIONS: Descriptor("Positions no window reaches", '\\mathrm{dropped}_{positions}'),
    QuantityKey.DROPPED_SLICES: Descriptor("Depth slices no window reaches", '\\mathrm{dropped}_{slices}'),
    QuantityKey.STRETCHED_WIDTH: Descriptor("Input width stretched by S - 1 zeros between neighbours", '\\tilde{W}'),
    QuantityKey.STRETCHED_HEIGHT: Descriptor("Input height stretched by S - 1 zeros between neighbours", '\\tilde{H}'),
    QuantityKey.DIRECT_PADDING_WIDTH: Descriptor("Left padding of the equivalent direct convolution", "P'_{W}"),
    QuantityKey.DIRECT_PADDING_HEIGHT: Descriptor("Top padding of the equivalent direct convolution", "P'_{H}"),
    QuantityKey.DIRECT_REMAINDER_WIDTH: Descriptor("Columns the direct convolution on the output drops", "a_{W}"),
    QuantityKey.DIRECT_REMAINDER_HEIGHT: Descriptor("Rows the direct convolution on the output drops", "a_{H}"),
    QuantityKey.OUTPUT_SHAPE: Descriptor("Output shape", r"C_{out} \times H_{out} \times W_{out}"),
    QuantityKey.ACTIVATION_ELEMENTS: Descriptor("Activation size", "a", Scope.NETWORK, per_batch=True),
    QuantityKey.RECEPTIVE_FIELD: Descriptor("Receptive field", "r", Scope.NETWORK),
    QuantityKey.LARGEST_ACTIVATION_ELEMENTS: Descriptor("Largest activation", "a_{max}", Scope.NETWORK, per_batch=True),
    QuantityKey.MAX_BATCH: Descriptor("Largest batch that fits in memory", "B_{max}", Scope.NETWORK),
    QuantityKey.MAX_BATCH_TRAINING: Descriptor("Largest batch for training", "B_{max}", Scope.NETWORK),
    QuantityKey.MAX_BATCH_INFERENCE: Descriptor("Largest batch for inference", "B_{max}", Scope.NETWORK),
}

LAYER_QUANTITIES = tuple(key for key, d in QUANTITIES.items()
                         if d.scope is Scope.LAYER and key is not QuantityKey.OUTPUT_SHAPE)
"""The quantities a layer analysis holds, one formula each (the shape is three of them)."""

NETWORK_QUANTITIES = tuple(key for key, d in QUANTITIES.items() if d.scope is Scope.NETWORK)
"""The quantities of a whole network (memory, batch sizes, receptive fields)."""
