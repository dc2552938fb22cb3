"""The symbolic layers give the textbook formulas, and the assignment's numbers exactly.

``Conv2d()``, ``MaxPool2d()`` and ``Linear()`` are the assignment's symbolic
layers (K_1 x K_2 kernel, stride S, padding P; K x K pool, stride S_2, padding
P_2; N neurons) on the symbolic input (C_in, H, W).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import sympy as sp

from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, Conv2d, Linear, MaxPool2d
from symcnn.formula.evaluation import value_of
from symcnn.formula.symbols import K_1, K_2, P_2, S_2, C_in, C_out, H, H_out, K, N, P, S, W, W_out

CONV, POOL, FC = Conv2d(), MaxPool2d(), Linear()


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Mathematically equal: the difference simplifies to zero."""
    return sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


def bound(analysis: LayerAnalysis, values: Mapping[sp.Symbol, sp.Expr]) -> dict[str, sp.Expr]:
    """Every quantity with ``values`` bound, the layer's own definitions (W_out, H_out) first."""
    values = dict(values)
    for symbol, expr in analysis.definitions.items():
        values[symbol] = value_of(expr, values)
    return {quantity.key: quantity.value(values) for quantity in analysis} | {
        "output_shape": tuple(value_of(sp.sympify(size), values) for size in analysis.output_shape)
    }


def assert_exact_integer(value: object) -> None:
    """An exact integer: a sympy Integer or a Python int, never a float."""
    assert isinstance(value, (int, sp.Integer)) and not isinstance(value, bool), repr(value)
    if isinstance(value, sp.Basic):
        assert not value.atoms(sp.Float), repr(value)


# ------------------------------------------------------------ symbolic forms

TEXTBOOK = [
    # layer, quantity, textbook expression
    (CONV, "params", (K_1 * K_2 * C_in + 1) * C_out),
    (CONV, "output_width", sp.floor((W + 2 * P - K_1) / S) + 1),
    (CONV, "output_height", sp.floor((H + 2 * P - K_2) / S) + 1),
    (CONV, "input_elements", W * H * C_in),
    (CONV, "output_channels", C_out),
    (CONV, "output_elements", W_out * H_out * C_out),
    (CONV, "mults", K_1 * K_2 * C_in * W_out * H_out * C_out),
    (CONV, "dropped_columns", sp.Mod(W + 2 * P - K_1, S)),
    (CONV, "dropped_rows", sp.Mod(H + 2 * P - K_2, S)),
    (POOL, "output_width", sp.floor((W + 2 * P_2 - K) / S_2) + 1),
    (POOL, "output_height", sp.floor((H + 2 * P_2 - K) / S_2) + 1),
    (POOL, "output_channels", C_in),
    (POOL, "params", 0),
    (POOL, "mults", 0),
    (FC, "params", (W * H * C_in + 1) * N),
    (FC, "mults", W * H * C_in * N),
    (FC, "output_features", N),
]


@pytest.mark.parametrize(
    ("layer", "key", "textbook"),
    TEXTBOOK,
    ids=[f"{type(layer).__name__}-{key}" for layer, key, _ in TEXTBOOK],
)
def test_symbolic_layer_gives_textbook_formula(layer: Layer, key: str, textbook: sp.Expr) -> None:
    """The quantity's expression equals the textbook's."""
    quantity = layer.analyze()[key]
    assert same(quantity.expr, textbook), f"{key}: {quantity.expr} != {textbook}"
    assert same(quantity.formula, quantity.expr), "formula and expr are the same tree"


@pytest.mark.parametrize(
    ("layer", "shape"),
    [(CONV, (C_out, H_out, W_out)), (POOL, (C_in, H_out, W_out)), (FC, (N,))],
    ids=["Conv2d", "MaxPool2d", "Linear"],
)
def test_symbolic_output_shape(layer: Layer, shape: tuple[sp.Expr, ...]) -> None:
    """Output sizes that stay symbolic are named W_out, H_out."""
    assert tuple(layer.output_shape) == shape


def test_definitions_name_the_output_sizes() -> None:
    """W_out and H_out are defined by the output-size formulas."""
    definitions = CONV.analyze().definitions
    assert set(definitions) == {W_out, H_out}
    assert same(definitions[W_out], sp.floor((W + 2 * P - K_1) / S) + 1)
    assert same(definitions[H_out], sp.floor((H + 2 * P - K_2) / S) + 1)


def test_seed_kernel_width_is_k1() -> None:
    """The seed's K_1 is the kernel width (pairs with W), so kernel_size=(K_2, K_1)."""
    assert CONV.kernel_size == (K_2, K_1)
    assert (CONV.out_channels, CONV.stride, CONV.padding) == (C_out, S, P)
    assert (POOL.kernel_size, POOL.stride, POOL.padding) == (K, S_2, P_2)
    assert FC.out_features == N


def test_layer_attributes_are_the_default_input_expressions() -> None:
    """``layer.params`` is ``layer.analyze()["params"].expr``."""
    assert CONV.params == CONV.analyze()["params"].expr
    assert same(CONV.mults, K_1 * K_2 * C_in * W_out * H_out * C_out)
    assert POOL.params == 0 and POOL.mults == 0
    assert same(FC.params, (W * H * C_in + 1) * N)


@pytest.mark.parametrize(
    ("layer", "condition"),
    [
        (CONV, sp.Ge(W + 2 * P, K_1)),
        (CONV, sp.Ge(H + 2 * P, K_2)),
        (POOL, sp.Ge(W + 2 * P_2, K)),
        (POOL, sp.Le(2 * P_2, K)),
    ],
    ids=["conv-width-fits", "conv-height-fits", "pool-width-fits", "pool-padding-half-kernel"],
)
def test_symbolic_layers_record_assumptions(layer: Layer, condition: sp.Basic) -> None:
    """What the symbols must satisfy is recorded, e.g. W + 2P >= K_1."""
    assumptions = layer.analyze().assumptions
    assert any(same(a.lhs - a.rhs, condition.lhs - condition.rhs) and type(a) is type(condition)
               for a in assumptions), assumptions


def test_numeric_layers_assume_nothing() -> None:
    assert Conv2d(64, 128, 3, padding=1).analyze((64, 256, 256)).assumptions == ()
    assert MaxPool2d(2).analyze((64, 256, 256)).assumptions == ()


# ---------------------------------------------------------- the seed numbers

SEED = {
    W: 256, H: 256, K_1: 3, K_2: 3, P: 1, S: 1, C_in: 64, C_out: 128, K: 2, S_2: 2, P_2: 0, N: 1000,
}
SEED = {symbol: sp.Integer(value) for symbol, value in SEED.items()}

SEED_NUMBERS = [
    # layer, input shape, quantity, value
    (CONV, None, "params", 73_856),
    (CONV, None, "mults", 4_831_838_208),
    (CONV, None, "output_shape", (128, 256, 256)),
    (CONV, (64, 256, 256), "params", 73_856),
    (CONV, (64, 256, 256), "mults", 4_831_838_208),
    (CONV, (64, 256, 256), "output_shape", (128, 256, 256)),
    (Conv2d(64, 128, 3, padding=1), (64, 256, 256), "params", 73_856),
    (Conv2d(64, 128, 3, padding=1), (64, 256, 256), "mults", 4_831_838_208),
    (Conv2d(64, 128, 3, padding=1), (64, 256, 256), "output_shape", (128, 256, 256)),
    (POOL, None, "output_shape", (64, 128, 128)),
    (POOL, None, "params", 0),
    (POOL, None, "mults", 0),
    (MaxPool2d(2), (64, 256, 256), "output_shape", (64, 128, 128)),
    (FC, None, "params", 4_194_305_000),
    (FC, None, "mults", 4_194_304_000),
    (FC, None, "output_shape", (1000,)),
    (Linear(in_features=256 * 256 * 64, out_features=1000), None, "params", 4_194_305_000),
    (Linear(in_features=256 * 256 * 64, out_features=1000), None, "mults", 4_194_304_000),
    (Linear(256 * 256 * 64, 1000), (256 * 256 * 64,), "params", 4_194_305_000),
]


@pytest.mark.parametrize(
    ("layer", "shape", "key", "expected"),
    SEED_NUMBERS,
    ids=[
        f"{type(layer).__name__}-{'numeric' if shape else 'symbolic'}-input-{key}"
        for layer, shape, key, _ in SEED_NUMBERS
    ],
)
def test_seed_numbers(layer: Layer, shape: tuple[int, ...] | None, key: str, expected: object) -> None:
    """The assignment's values give its numbers, exactly (sympy Integers, no floats)."""
    value = bound(layer.analyze(shape), SEED)[key]
    if key == "output_shape":
        for size in value:
            assert_exact_integer(size)
        assert tuple(int(size) for size in value) == expected
    else:
        assert_exact_integer(value)
        assert int(value) == expected


def test_every_seed_quantity_is_an_exact_integer() -> None:
    """Bound to the seed values, no quantity of any seed layer is a float or symbolic."""
    for layer in (CONV, POOL, FC):
        for key, value in bound(layer.analyze(), SEED).items():
            for item in value if key == "output_shape" else (value,):
                assert_exact_integer(item)


def test_trillion_parameter_linear_is_exact() -> None:
    """10^12 weights and more: integers all the way, past float64's exact range (2^53)."""
    analysis = Linear(10**6, 10**6).analyze((10**6,))
    for key, expected in (("params", 10**12 + 10**6), ("mults", 10**12), ("output_features", 10**6)):
        assert_exact_integer(analysis[key].expr)
        assert int(analysis[key].expr) == expected
    huge = Linear(10**9 + 1, 10**9 + 7).analyze((10**9 + 1,))["params"].expr
    assert_exact_integer(huge)
    assert int(huge) == (10**9 + 2) * (10**9 + 7)  # beyond float64's 2^53


# ------------------------------------------------------------ ceil_mode, dropped

#: (kernel, stride, padding, input size, torch's output size with ceil_mode=True)
CEIL_CASES = [
    (3, 2, 1, 10, 6),
    (2, 2, 1, 5, 3),  # ceil would give 4, torch drops the window starting in the right padding
    (2, 2, 1, 1, 1),  # the same rule on a one-pixel input
    (3, 2, 0, 6, 3),  # ceil keeps the partial window the floor drops
    (3, 2, 0, 7, 3),
    (3, 3, 1, 4, 2),
    (2, 2, 0, 7, 4),
    (3, 3, 0, 10, 4),
]


@pytest.mark.parametrize(("kernel", "stride", "padding", "size", "expected"), CEIL_CASES)
@pytest.mark.parametrize("pool", [MaxPool2d, AvgPool2d])
def test_ceil_mode_matches_torch(pool: type, kernel: int, stride: int, padding: int, size: int,
                                 expected: int) -> None:
    """The ceil_mode piecewise, numeric and symbolic, gives torch's output size (values from torch 2.13)."""
    numeric = pool(kernel, stride, padding, ceil_mode=True).analyze((1, size, size))
    assert tuple(numeric.output_shape) == (1, expected, expected)
    symbolic = pool(K, S_2, P_2, ceil_mode=True).analyze()
    values = {K: kernel, S_2: stride, P_2: padding, W: size, H: size}
    width = value_of(symbolic["output_width"].expr, {k: sp.Integer(v) for k, v in values.items()})
    assert_exact_integer(width)
    assert width == expected


@pytest.mark.parametrize(
    ("layer", "size", "columns"),
    [
        (Conv2d(1, 1, 3, stride=2), 6, 1),  # (6 + 0 - 3) mod 2: the last column is never read
        (Conv2d(1, 1, 3, stride=2), 7, 0),
        (Conv2d(1, 1, 3, stride=3, padding=1), 6, 2),
        (MaxPool2d(2), 7, 1),
        (MaxPool2d(3, 2, 1), 8, 1),
    ],
)
def test_dropped_columns(layer: Layer, size: int, columns: int) -> None:
    """dropped_columns = (W + 2P - K) mod S: the padded columns the floor leaves unread."""
    analysis = layer.analyze((1, size, size))
    assert analysis["dropped_columns"].expr == columns
    assert analysis["dropped_rows"].expr == columns


def test_dropped_symbolic_with_values() -> None:
    """The symbolic dropped_columns with W=6, K_1=3, S=2, P=0 is 1."""
    dropped = CONV.analyze()["dropped_columns"].value({W: sp.Integer(6), K_1: sp.Integer(3),
                                                       S: sp.Integer(2), P: sp.Integer(0)})
    assert dropped == 1
