"""The questions an assignment may ask: of one layer, or of a whole network."""

from __future__ import annotations

from enum import StrEnum


class Question(StrEnum):
    """A question of an assignment's part (``questions = ["params", ...]`` in its TOML)."""

    INPUT_ELEMENTS = "input_elements"
    OUTPUT_SHAPE = "output_shape"
    OUTPUT_WIDTH = "output_width"
    OUTPUT_HEIGHT = "output_height"
    OUTPUT_CHANNELS = "output_channels"
    OUTPUT_FEATURES = "output_features"
    OUTPUT_ELEMENTS = "output_elements"
    PARAMS = "params"
    MULTS = "mults"
    ADDS = "adds"
    COMPARISONS = "comparisons"
    OUTPUT_LENGTH = "output_length"
    OUTPUT_DEPTH = "output_depth"
    DIVISIONS = "divisions"
    TRANSCENDENTALS = "transcendentals"
    SQUARE_ROOTS = "square_roots"
    STRETCHED_WIDTH = "stretched_width"
    STRETCHED_HEIGHT = "stretched_height"
    DIRECT_PADDING_WIDTH = "direct_padding_width"
    DIRECT_PADDING_HEIGHT = "direct_padding_height"
    DIRECT_REMAINDER_WIDTH = "direct_remainder_width"
    DIRECT_REMAINDER_HEIGHT = "direct_remainder_height"
    ACTIVATION_TABLE = "activation_table"
    BOTTLENECK = "bottleneck"
    MAX_BATCH = "max_batch"
    MAX_BATCH_TRAINING = "max_batch_training"
    MAX_BATCH_INFERENCE = "max_batch_inference"
    RECEPTIVE_FIELD = "receptive_field"


NETWORK_QUESTIONS = (Question.ACTIVATION_TABLE, Question.BOTTLENECK, Question.MAX_BATCH,
                     Question.MAX_BATCH_TRAINING, Question.MAX_BATCH_INFERENCE, Question.RECEPTIVE_FIELD)
"""Questions about a whole network; the others are asked of one layer."""

LAYER_QUESTIONS = tuple(question for question in Question if question not in NETWORK_QUESTIONS)
