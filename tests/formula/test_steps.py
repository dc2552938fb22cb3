"""The step printer and the derivation engine."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symcnn.cnn.layers import Conv2d, Linear, MaxPool2d
from symcnn.formula import trees as f
from symcnn.formula.evaluation import evaluated, value_of
from symcnn.formula.latex import StepPrinter, latex
from symcnn.formula.steps import Derivation, Step, derive, derive_all, stages
from symcnn.formula.symbols import K_1, K_2, P_2, S_2, C_in, C_out, H, K, N, P, S, W, W_out
from symcnn.formula.trees import substituted

FORBIDDEN = (r"\left(-1\right)", "2^{-1}", "^{-1}", r"1 \left(")
neg, frac = f.neg, f.div


def tree(build):
    """Build a tree the way the layers do: nothing evaluated."""
    with sp.evaluate(False):
        return build()


SPAN = lambda: f.sub(f.add(W, f.mul(2, P)), K_1)  # noqa: E731

PRINTED = [
    # floor and ceiling
    (lambda: sp.floor(frac(W, S)), r"\left\lfloor \frac{W}{S} \right\rfloor"),
    (lambda: sp.Add(sp.floor(frac(SPAN(), S)), 1), r"\left\lfloor \frac{W + 2P - K_1}{S} \right\rfloor + 1"),
    (lambda: sp.ceiling(frac(SPAN(), S)), r"\left\lceil \frac{W + 2P - K_1}{S} \right\rceil"),
    (lambda: sp.floor(frac(255, 1)), r"\left\lfloor \frac{255}{1} \right\rfloor"),
    # fractions
    (lambda: frac(sp.Add(W, 1), S), r"\frac{W + 1}{S}"),
    (lambda: sp.Pow(S, -1), r"\frac{1}{S}"),
    (lambda: sp.Pow(S, -2), r"\frac{1}{S^{2}}"),
    (lambda: frac(3, sp.Add(1, 2)), r"\frac{3}{1 + 2}"),
    (lambda: sp.Mul(2, W, sp.Pow(S, -1), sp.Pow(K, -1)), r"\frac{2W}{S \cdot K}"),
    (lambda: neg(frac(W, S)), r"-\frac{W}{S}"),
    (lambda: sp.Rational(7, 2), r"\frac{7}{2}"),
    (lambda: sp.Rational(-1, 2), r"-\frac{1}{2}"),
    # products: juxtaposition and \cdot
    (lambda: sp.Mul(2, P), "2P"),
    (lambda: sp.Mul(K_1, K_2, C_in), r"K_1 \cdot K_2 \cdot C_{in}"),
    (lambda: sp.Mul(2, 1), r"2 \cdot 1"),
    (lambda: sp.Mul(3, 3, 64), r"3 \cdot 3 \cdot 64"),
    (lambda: sp.Mul(sp.Mul(K_1, K_2, C_in), W_out), r"K_1 \cdot K_2 \cdot C_{in} \cdot W_{out}"),
    (lambda: sp.Mul(sp.Mul(3, 3, 3), W_out), r"3 \cdot 3 \cdot 3 \cdot W_{out}"),
    (lambda: sp.Mul(sp.Add(sp.Mul(K_1, K_2, C_in), 1), C_out),
     r"\left(K_1 \cdot K_2 \cdot C_{in} + 1\right) \cdot C_{out}"),
    (lambda: sp.Mul(2, sp.Add(K, -1)), r"2 \cdot \left(K - 1\right)"),
    (lambda: sp.Mul(2, sp.Pow(K, 2)), "2K^{2}"),
    (lambda: neg(W), "-W"),
    (lambda: neg(3), "-3"),
    (lambda: neg(sp.Add(W, 1)), r"-\left(W + 1\right)"),
    (lambda: sp.Mul(-2, P), "-2P"),
    (lambda: sp.Mul(3, -2), r"3 \cdot \left(-2\right)"),
    (lambda: sp.Mul(2, neg(W)), "-2W"),
    (lambda: sp.Mul(neg(3), 2), r"-3 \cdot 2"),
    (lambda: neg(-3), r"-\left(-3\right)"),
    # sums and subtraction
    (lambda: sp.Add(W, neg(K_1)), "W - K_1"),
    (SPAN, "W + 2P - K_1"),
    (lambda: sp.Add(sp.Add(256, sp.Mul(2, 1)), neg(3)), r"256 + 2 \cdot 1 - 3"),
    (lambda: sp.Add(sp.Add(sp.Mul(3, 3, 64), -1), 1), r"3 \cdot 3 \cdot 64 - 1 + 1"),
    (lambda: sp.Add(5, -3), "5 - 3"),
    (lambda: sp.Add(5, neg(sp.Add(1, 2))), r"5 - \left(1 + 2\right)"),
    (lambda: sp.Add(5, neg(-3)), r"5 - \left(-3\right)"),
    (lambda: sp.Add(neg(W), 1), "-W + 1"),
    (lambda: sp.Add(W, sp.Mul(-2, sp.Add(K, -1))), r"W - 2 \cdot \left(K - 1\right)"),
    # powers
    (lambda: sp.Pow(K, 2), "K^{2}"),
    (lambda: sp.Add(sp.Pow(K, 2), -1), "K^{2} - 1"),
    (lambda: sp.Pow(sp.Add(K, 1), 2), r"\left(K + 1\right)^{2}"),
    (lambda: sp.Pow(sp.Mul(2, K), 2), r"\left(2K\right)^{2}"),
    (lambda: sp.Pow(-2, 3), r"\left(-2\right)^{3}"),
    (lambda: sp.Mul(12, sp.Pow(2, 30), sp.Pow(sp.Pow(2, 24), -1)), r"\frac{12 \cdot 2^{30}}{2^{24}}"),
    # integers: thousands grouped from 10,000 up
    (lambda: sp.Integer(2048), "2048"),
    (lambda: sp.Integer(9999), "9999"),
    (lambda: sp.Integer(10000), "10{,}000"),
    (lambda: sp.Integer(73856), "73{,}856"),
    (lambda: sp.Integer(4831838208), "4{,}831{,}838{,}208"),
    (lambda: sp.Integer(-73856), "-73{,}856"),
    (lambda: sp.Integer(0), "0"),
    (lambda: sp.Mul(576, 65536), r"576 \cdot 65{,}536"),
    # modulo
    (lambda: sp.Mod(W, S), r"W \bmod S"),
    (lambda: sp.Mod(SPAN(), S), r"\left(W + 2P - K_1\right) \bmod S"),
    (lambda: sp.Add(sp.Mod(W, S), 1), r"\left(W \bmod S\right) + 1"),
    # nested parentheses
    (lambda: sp.Mul(2, sp.Add(sp.Mul(3, sp.Add(1, 2)), 4)),
     r"2 \cdot \left(3 \cdot \left(1 + 2\right) + 4\right)"),
    # symbols, relations, cases
    (lambda: C_in, "C_{in}"),
    (lambda: W_out, "W_{out}"),
    (lambda: sp.Ge(sp.Add(W, sp.Mul(2, P)), K_1), r"W + 2P \geq K_1"),
    (lambda: sp.Le(sp.Mul(2, P_2), K), r"2P_2 \leq K"),
    (lambda: sp.Eq(C_in, 3), "C_{in} = 3"),
    (lambda: sp.Piecewise((W, sp.Ge(W, K)), (K, True)),
     r"\begin{cases} W & \text{for}\: W \geq K \\K & \text{otherwise} \end{cases}"),
]


@pytest.mark.parametrize("build, expected", PRINTED)
def test_printer(build, expected):
    assert latex(tree(build)) == expected
    assert StepPrinter().doprint(tree(build)) == expected


CONV = Conv2d().analyze()
REFERENCE = {W: 256, P: 1, K_1: 3, S: 1}


def test_reference_output_width():
    derivation = derive(CONV["output_width"], REFERENCE)
    assert derivation.latex() == (
        r"W_{out} = \left\lfloor \frac{W + 2P - K_1}{S} \right\rfloor + 1"
        r" = \left\lfloor \frac{256 + 2 \cdot 1 - 3}{1} \right\rfloor + 1"
        r" = \left\lfloor \frac{255}{1} \right\rfloor + 1 = 255 + 1 = 256"
    )
    assert [step.kind for step in derivation.steps] == [
        "formula", "substituted", "arithmetic", "arithmetic", "result"]
    assert derivation.result == 256 and derivation.title == "Output width"


def test_reference_params():
    derivation = derive(CONV["params"], {K_1: 3, K_2: 3, C_in: 64, C_out: 128})
    assert derivation.latex() == (
        r"|\theta| = \left(K_1 \cdot K_2 \cdot C_{in} + 1\right) \cdot C_{out}"
        r" = \left(3 \cdot 3 \cdot 64 + 1\right) \cdot 128 = 577 \cdot 128 = 73{,}856"
    )
    assert derivation.result == 73856


DERIVED = [
    (lambda: sp.Mul(12, sp.Pow(2, 30), sp.Pow(sp.Pow(2, 24), -1)), {},
     r"\frac{12 \cdot 2^{30}}{2^{24}} = \frac{12{,}884{,}901{,}888}{16{,}777{,}216} = 768"),
    (lambda: sp.Mul(2, sp.Add(sp.Mul(3, sp.Add(1, 2)), 4)), {},
     r"2 \cdot \left(3 \cdot \left(1 + 2\right) + 4\right) = 2 \cdot \left(3 \cdot 3 + 4\right)"
     r" = 2 \cdot 13 = 26"),
    (lambda: frac(sp.Add(W, 1), 2), {W: 6}, r"\frac{W + 1}{2} = \frac{6 + 1}{2} = \frac{7}{2}"),
    (lambda: sp.Add(frac(6, 2), 1), {}, r"\frac{6}{2} + 1 = 3 + 1 = 4"),
    (lambda: sp.Add(sp.Pow(K, 2), sp.floor(frac(7, 2))), {K: 3},
     r"K^{2} + \left\lfloor \frac{7}{2} \right\rfloor = 3^{2} + \left\lfloor \frac{7}{2} \right\rfloor"
     r" = 3^{2} + 3 = 12"),
    (lambda: sp.Add(5, neg(sp.Add(1, 4))), {}, r"5 - \left(1 + 4\right) = 5 - 5 = 0"),
    (lambda: sp.Mul(sp.Add(1, -4), 2), {}, r"\left(1 - 4\right) \cdot 2 = -3 \cdot 2 = -6"),
    (lambda: sp.Pow(sp.Add(K, 1), 2), {K: 3},
     r"\left(K + 1\right)^{2} = \left(3 + 1\right)^{2} = 4^{2} = 16"),
    (lambda: sp.Mod(SPAN(), S), {W: 7, P: 0, K_1: 2, S: 2},
     r"\left(W + 2P - K_1\right) \bmod S = \left(7 + 2 \cdot 0 - 2\right) \bmod 2 = 5 \bmod 2 = 1"),
]


@pytest.mark.parametrize("build, values, expected", DERIVED)
def test_derivation_of_tree(build, values, expected):
    derivation = derive(tree(build), values, lhs="x")
    assert derivation.latex() == "x = " + expected
    assert derivation.steps[-1].kind == "result"


def test_rational_result():
    derivation = derive(tree(lambda: frac(sp.Add(W, 1), 2)), {W: 6})
    assert derivation.result == sp.Rational(7, 2) and derivation.lhs == ""


def test_no_symbols_skips_the_substituted_step():
    derivation = derive(Conv2d(3, 8, 3).analyze()["params"], {})
    assert derivation.latex() == r"|\theta| = \left(3 \cdot 3 \cdot 3 + 1\right) \cdot 8 = 28 \cdot 8 = 224"
    assert [step.kind for step in derivation.steps] == ["formula", "arithmetic", "result"]


def test_products_in_a_sum_wait_for_the_sum():
    analysis = Conv2d(3, 8, 3, stride=2, padding=1, dilation=2).analyze()
    assert derive(analysis["output_width"], {W: 10}).latex() == (
        r"W_{out} = \left\lfloor \frac{W + 2 \cdot 1 - 2 \cdot \left(3 - 1\right) - 1}{2} \right\rfloor + 1"
        r" = \left\lfloor \frac{10 + 2 \cdot 1 - 2 \cdot \left(3 - 1\right) - 1}{2} \right\rfloor + 1"
        r" = \left\lfloor \frac{10 + 2 \cdot 1 - 2 \cdot 2 - 1}{2} \right\rfloor + 1"
        r" = \left\lfloor \frac{7}{2} \right\rfloor + 1 = 3 + 1 = 4"
    )


@pytest.mark.parametrize("width, tail", [
    (7, r"= \left\lceil \frac{7 + 2 \cdot 1 - 2}{2} \right\rceil = \left\lceil \frac{7}{2} \right\rceil = 4"),
    (8, r"= \left\lceil \frac{8 + 2 \cdot 1 - 2}{2} \right\rceil + 1"
        r" = \left\lceil \frac{8}{2} \right\rceil + 1 = 4 + 1 = 5"),
])
def test_piecewise_takes_the_branch_whose_condition_holds(width, tail):
    quantity = MaxPool2d(ceil_mode=True).analyze()["output_width"]
    derivation = derive(quantity, {W: width, K: 2, S_2: 2, P_2: 1})
    assert derivation.latex().endswith(tail)
    assert [step.kind for step in derivation.steps][:2] == ["formula", "substituted"]
    assert r"\begin{cases}" in derivation.steps[1].latex


def test_formula_equal_to_lhs_is_dropped():
    assert derive(CONV["output_channels"], {C_out: 128}).latex() == "C_{out} = 128"
    assert derive(MaxPool2d().analyze()["params"], {}).latex() == r"|\theta| = 0"


def test_missing_value_is_an_error():
    with pytest.raises(ValueError, match="W_out"):
        derive(CONV["mults"], {K_1: 3, K_2: 3, C_in: 64, C_out: 128, H: 5})


def test_derive_all_binds_the_definitions():
    values = {"W": 256, "H": 256, "P": 1, "K_1": 3, "K_2": 3, "S": 1, "C_in": 64, "C_out": 128}
    derivations = {d.title: d for d in derive_all(CONV, values)}
    assert len(derivations) == len(CONV.quantities)
    mults = derivations["Number of multiplications"]
    assert mults.latex() == (
        r"n_{\times} = K_1 \cdot K_2 \cdot C_{in} \cdot W_{out} \cdot H_{out} \cdot C_{out}"
        r" = 3 \cdot 3 \cdot 64 \cdot 256 \cdot 256 \cdot 128 = 4{,}831{,}838{,}208"
    )


def test_dataclasses_are_frozen_and_display():
    derivation = derive(CONV["output_width"], REFERENCE)
    assert isinstance(derivation, Derivation) and isinstance(derivation.steps[0], Step)
    with pytest.raises(dataclasses.FrozenInstanceError):
        derivation.result = 1  # type: ignore[misc]
    assert derivation._repr_latex_().startswith("$\\displaystyle \\begin{aligned}\nW_{out} &= \\left\\lfloor")
    assert derivation._repr_markdown_().startswith("**Output width**\n\n$$\n\\begin{aligned}")
    assert CONV["output_width"]._repr_latex_().startswith(r"$\displaystyle W_{out} = \left\lfloor")


def test_stages_stop_on_symbols():
    assert stages(tree(lambda: sp.Add(W, 1))) == [tree(lambda: sp.Add(W, 1))]


# --- property: every step has the derivation's value ------------------------

sizes = st.integers(1, 300)
channels = st.integers(1, 512)


@st.composite
def conv_case(draw):
    k1, k2 = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    p, s = draw(st.integers(0, 3)), draw(st.integers(1, 4))
    w = draw(st.integers(max(1, k1 - 2 * p), 300))
    h = draw(st.integers(max(1, k2 - 2 * p), 300))
    return Conv2d(), {W: w, H: h, K_1: k1, K_2: k2, P: p, S: s, C_in: draw(channels), C_out: draw(channels)}


@st.composite
def pool_case(draw):
    k, s = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    p = draw(st.integers(0, k // 2))
    w, h = (draw(st.integers(max(1, k - 2 * p), 300)) for _ in range(2))
    layer = MaxPool2d(ceil_mode=draw(st.booleans()))
    return layer, {W: w, H: h, K: k, S_2: s, P_2: p, C_in: draw(channels)}


@st.composite
def linear_case(draw):
    return Linear(), {W: draw(sizes), H: draw(sizes), C_in: draw(channels), N: draw(st.integers(1, 4096))}


@st.composite
def dilated_case(draw):
    layer = Conv2d(3, 8, 3, stride=2, padding=1, dilation=2)
    return layer, {W: draw(st.integers(3, 300)), H: draw(st.integers(3, 300))}


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.one_of(conv_case(), pool_case(), linear_case(), dilated_case()))
def test_every_step_has_the_result(case):
    layer, values = case
    analysis = layer.analyze()
    bound = {sym: sp.Integer(value) for sym, value in values.items()}
    for sym, expr in analysis.definitions.items():
        bound[sym] = value_of(expr, bound)
    for derivation in derive_all(analysis, values):
        assert derivation.steps[-1].kind == "result"
        for step in derivation.steps:
            assert evaluated(substituted(step.tree, bound)) == derivation.result, (derivation.latex(), step)
            assert not any(bad in step.latex for bad in FORBIDDEN), step.latex
