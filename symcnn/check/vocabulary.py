"""The checker's vocabulary: verdicts, what an expected answer is, and the codes of its findings.

``StrEnum`` members equal their words (``Verdict.WRONG == "wrong"``), which the
JSON report and ``words.toml`` use; every :class:`FindingCode` has its wording
in ``words.toml`` [diagnoses] (``tests/render/test_words.py`` holds them to it).
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """What a claim is, from right to wrong; the order is the report's."""

    CORRECT = "correct"
    EQUIVALENT = "equivalent"
    AGREES = "agrees"
    WRONG = "wrong"
    UNVERIFIABLE = "unverifiable"


class ExpectedKind(StrEnum):
    """What symcnn's answer is: a number, B times a number, a formula, a region, a shape, or nothing."""

    NUMBER = "number"
    PER_BATCH = "per_batch"
    FORMULA = "formula"
    REGION = "region"
    SHAPE = "shape"
    NONE = "none"


class FindingCode(StrEnum):
    """A diagnosis or a reason; each picks its sentence in ``words.toml`` [diagnoses]."""

    MISSING_FACTOR = "missing_factor"
    DIVISION_DROPPED = "division_dropped"
    MISSING_TERM = "missing_term"
    PADDING_ONCE = "padding_once"
    PADDING_IGNORED = "padding_ignored"
    NO_PLUS_ONE = "no_plus_one"
    CEIL_FOR_FLOOR = "ceil_for_floor"
    GROUPS_IGNORED = "groups_ignored"
    LAST_WINDOW_KEPT = "last_window_kept"
    FLOOR_MISSING = "floor_missing"
    FLOPS_FOR_MACS = "flops_for_macs"
    BIAS_MULTIPLIED = "bias_multiplied"
    DILATION_IGNORED = "dilation_ignored"
    BIAS_FORGOTTEN = "bias_forgotten"
    BIAS_TWICE = "bias_twice"
    IN_OUTPUT_SIZE = "in_output_size"
    PROVED_MATCH = "proved_match"
    SAMPLED_MATCH = "sampled_match"
    SLIP = "slip"
    DIGIT_SLIP = "digit_slip"
    STEP_DIVERGES = "step_diverges"
    STEP_SLIP = "step_slip"
    STEP_CHANGES = "step_changes"
    STEP_ROUNDED = "step_rounded"
    STEP_JUMPS = "step_jumps"
    STEP_UNREADABLE = "step_unreadable"
    RIGHT_AT_VALUES_ONLY = "right_at_values_only"
    COUNTEREXAMPLE = "counterexample"
    EQUIVALENT = "equivalent"
    AGREES = "agrees"
    NO_ADMISSIBLE_POINT = "no_admissible_point"
    NO_MATCH = "no_match"
    LAYER_LEFT_OUT = "layer_left_out"
    UNIT_CONFUSED = "unit_confused"
    ACTIVATION_FOR_TRAINING = "activation_for_training"
    TRAINING_FOR_ACTIVATION = "training_for_activation"
    ELEMENT_BYTES = "element_bytes"
    NOT_PER_BATCH = "not_per_batch"
    SHAPE_RANK = "shape_rank"
    COMPONENT = "component"
    RF_CHAIN_NO_JUMP = "rf_chain_no_jump"
    RF_CHAIN_REVERSED = "rf_chain_reversed"
    RF_CHAIN_NO_STRIDE = "rf_chain_no_stride"
    RF_CHAIN_NO_DILATION = "rf_chain_no_dilation"
    RF_STEP_NO_JUMP = "rf_step_no_jump"
    RF_STEP_STRIDE_ONE = "rf_step_stride_one"
    RF_STEP_REVERSED = "rf_step_reversed"
    RF_CARRIED = "rf_carried"
    RF_OTHER_CLAIMED = "rf_other_claimed"
    RF_OTHER_TRUE = "rf_other_true"
    RF_END_OFF = "rf_end_off"
    RF_END_SLIP = "rf_end_slip"
    NO_SUCH_QUANTITY = "no_such_quantity"
    NEEDS_NETWORK = "needs_network"
    NEEDS_LAYER = "needs_layer"
    NETWORK_WIDE = "network_wide"
    INPUT_ONLY = "input_only"
    NO_BUDGET = "no_budget"
    WHOLE_INPUT = "whole_input"
    NO_VALUES = "no_values"
    CLAIM_SYMBOLS = "claim_symbols"
    CIRCULAR = "circular"
