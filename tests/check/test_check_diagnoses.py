"""The diagnoses a new user met wrong or missing (issue 8), each with its exact wording.

Each claim is built by making the mistake by hand (plain integer arithmetic
here, independent of symcnn), so the diagnosis is shown to reproduce the
claimed number, and, where steps are written, the steps too.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from symcnn.check.checker import check_claims
from symcnn.check.diagnosis import formula_variants
from symcnn.cnn.layers import Conv2d
from symcnn.files.claims import read_claims
from symcnn.render.check_report import as_json, as_table, diagnosis
from symcnn.render.documents import words

FOLDER = Path(tempfile.mkdtemp(prefix="symcnn-diagnoses-"))
WORDS = words()
CONV = 'layer = { type = "Conv2d" }\n[values]\nW = 32\nH = 32\nK_1 = 5\nK_2 = 5\nP = 2\nS = 2\nC_in = 3\nC_out = 8\n'
W, P, K, S, C_IN, C_OUT = 32, 2, 5, 2, 3, 8
WIDTH = (W + 2 * P - K) // S + 1  # 16


def checked(header: str, rows: list[dict[str, object]]) -> list:
    lines = [header]
    for row in rows:
        lines.append("[[claims]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in row.items()]
    path = FOLDER / "claims.toml"
    path.write_text("\n".join(lines) + "\n")
    return list(check_claims(read_claims(path)).checked)


def said(checked_claim: object) -> str:
    return diagnosis(checked_claim.outcome, WORDS)  # type: ignore[attr-defined]


def test_padding_once_is_named_from_the_written_step() -> None:
    claimed = (W + P - K) // S + 1  # the padding counted once
    assert claimed == 15 and claimed != WIDTH
    (claim,) = checked(CONV, [{"quantity": "output_width", "claimed": claimed,
                               "intermediate": ["floor((32 + 2 - 5)/2) + 1"]}])
    assert said(claim) == (
        "Your step 1 (floor((32 + 2 - 5)/2) + 1) is where the answer leaves the right track: it evaluates to 15, "
        "where the right value is 16. Counted the padding P once; it is added on both sides of the input, so it "
        "counts twice (2 x P)."
    )


def test_a_step_without_the_plus_one_is_named_so() -> None:
    claimed = (W + 2 * P - K) // S  # the + 1 dropped
    (claim,) = checked(CONV, [{"quantity": "output_width", "claimed": claimed,
                               "intermediate": ["floor((32 + 4 - 5)/2)"]}])
    assert "Dropped the + 1 of the output size" in said(claim)
    assert "padding" not in said(claim)


def test_a_rounded_step_is_no_arithmetic_slip() -> None:
    (claim,) = checked(CONV, [{"quantity": "output_width", "claimed": 15, "intermediate": ["(32 + 2 - 5)/2 + 1"]}])
    text = said(claim)
    assert "slip" not in text and "28" not in text
    assert text.endswith(
        "Your step 1 ((32 + 2 - 5)/2 + 1) is 31/2, not a whole number, and the result rounds it down to 15: "
        "write that rounding in the formula (floor(...) or ceil(...)) where it belongs."
    )


def test_the_bias_counted_as_a_multiplication() -> None:
    inputs, neurons = 5 * 5 * 5, 10
    claimed = neurons * (inputs + 1)
    header = 'layer = { type = "Linear", out_features = 10 }\ninput = [5, 5, 5]\n'
    (claim,) = checked(header, [{"quantity": "mults", "claimed": claimed}])
    assert claim.verdict == "wrong"
    assert said(claim) == (
        "Counted the bias as a multiplication: the bias costs an addition, not a multiplication, so no product "
        "is counted for it."
    )


def test_flops_where_macs_were_asked_as_number_and_formula() -> None:
    macs = K * K * C_IN * C_OUT * WIDTH * WIDTH
    number, formula = checked(CONV, [
        {"quantity": "mults", "claimed": 2 * macs},
        {"quantity": "mults", "claimed": "2*K_1*K_2*C_in*C_out*W_out*H_out"},
    ])
    sentence = (
        "Gave FLOPs where multiplications (MACs) were asked: FLOPs count a multiplication and an addition per "
        "weight–input product, 2 × MACs; the multiplications are half of that."
    )
    assert said(number) == sentence
    assert said(formula).startswith(sentence + " Your formula is exactly the one this mistake gives")


def test_a_missing_floor_is_named() -> None:
    (claim,) = checked(CONV, [{"quantity": "output_width", "claimed": "(W + 2P - K_1)/S + 1"}])
    assert said(claim).startswith(
        "Left out the floor: the window's steps (W + 2P - K)/S need not be a whole number, and the output size "
        "counts only whole steps, so it takes floor((W + 2P - K)/S). Your formula is exactly the one"
    )


def test_dilation_ignored_in_a_size() -> None:
    header = CONV.replace('{ type = "Conv2d" }', '{ type = "Conv2d", dilation = 2 }')
    claimed = (W + 2 * P - K) // S + 1  # the undilated size; the right one spans 2*(5 - 1) + 1 = 9
    assert claimed != (W + 2 * P - 9) // S + 1
    number, formula = checked(header, [
        {"quantity": "output_width", "claimed": claimed},
        {"quantity": "output_width", "claimed": "floor((W + 2P - K_1)/S) + 1"},
    ])
    sentence = (
        "Ignored the dilation 2: a dilated kernel spans D(K - 1) + 1 input positions, not K, so the room the "
        "window slides over shrinks by that span."
    )
    assert said(number) == sentence
    assert said(formula).startswith(sentence)


NETWORK = (
    'network = { input = [3, 64, 64], layers = ['
    '{ type = "Conv2d", name = "conv1", out_channels = 8, kernel_size = 3, padding = 1 }, '
    '{ type = "MaxPool2d", name = "pool1", kernel_size = 2, stride = 2 }, '
    '{ type = "Conv2d", name = "conv2", out_channels = 8, kernel_size = 3, padding = 1 }, '
    '{ type = "MaxPool2d", name = "pool2", kernel_size = 2, stride = 2 }, '
    '{ type = "Conv2d", name = "conv3", out_channels = 8, kernel_size = 3, padding = 2, dilation = 2 }] }'
)


def _region(layers: list[tuple[int, int, int, int]]) -> tuple[int, int, int]:
    """(jump, first, last) of neuron 0 through (kernel, stride, padding, dilation) layers, by hand."""
    jump, first, last = 1, 0, 0
    for kernel, stride, padding, dilation in layers:
        extent = dilation * (kernel - 1) + 1
        first, last = first - jump * padding, last + jump * (extent - 1 - padding)
        jump *= stride
    return jump, first, last


def test_receptive_field_without_strides_or_dilation() -> None:
    layers = [(3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 2, 2)]
    jump, first, last = _region([(k, 1, p, d) for k, _, p, d in layers])
    no_stride = f"{jump}i {first:+d} : {jump}i {last:+d}".replace("1i", "i").replace("+", "+ ").replace("-", "- ")
    jump, first, last = _region([(k, s, p, 1) for k, s, p, _ in layers])
    no_dilation = f"{jump}i - {-first} : {jump}i + {last}"
    assert _region(layers) != _region([(k, s, p, 1) for k, s, p, _ in layers])
    strides, dilation = checked(NETWORK, [
        {"layer": "conv3", "quantity": "receptive_field", "claimed": no_stride},
        {"layer": "conv3", "quantity": "receptive_field", "claimed": no_dilation},
    ])
    assert said(strides) == (
        "Left out the strides: this is the region if every layer had stride 1. Each stride multiplies the jump "
        "(how far the region moves from one neuron to the next), and the offsets of every layer above it count "
        "in jumps of the layers below."
    )
    assert said(dilation) == (
        "Ignored the dilation: a dilated kernel spans D(K - 1) + 1 input positions, not K, so each dilated layer "
        "widens the region by (D - 1)(K - 1) of its jumps more than this."
    )


def test_ceil_mode_is_shown_in_the_notation_with_the_last_window_rule() -> None:
    header = (
        'layer = { type = "MaxPool2d", kernel_size = "K", stride = "S_2", ceil_mode = true }\n'
        "[values]\nW = 15\nH = 15\nK = 2\nS_2 = 2\nC_in = 3\n"
    )
    (claim,) = checked(header, [{"quantity": "output_width", "claimed": "ceil((W - K)/S_2) + 1"}])
    report = claim.outcome
    shown = as_json(type("R", (), {"checked": (claim,)})())["claims"][0]["expected"]  # type: ignore[arg-type]
    assert "Piecewise" not in shown and ", or " in shown and " when " in shown
    assert said(claim).startswith(
        "Kept the last window in every case: with ceil_mode, torch rounds the steps up, but drops a last window "
        "that would start in the right padding or past the input"
    )
    assert report.verdict == "wrong"


def test_ceil_mode_table_has_no_raw_piecewise(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('layer = { type = "MaxPool2d", kernel_size = 3, stride = 2, ceil_mode = true }\n'
                    '[[claims]]\nquantity = "output_width"\nclaimed = "floor((W - 3)/2) + 1"\n')
    assert "Piecewise" not in as_table(check_claims(read_claims(path)))


def test_groups_forgotten() -> None:
    header = 'layer = { type = "Conv2d", groups = "G" }\n[values]\nG = 4\nC_in = 8\nC_out = 16\nK_1 = 3\nK_2 = 3\n'
    (claim,) = checked(header, [{"quantity": "params", "claimed": "C_out*(K_1*K_2*C_in + 1)"}])
    assert said(claim).startswith(
        "Forgot the groups: with groups = G each filter sees only C_in/G of the input channels, so the count "
        "divides by G."
    )


def test_a_size_has_no_missing_factor_alternatives() -> None:
    """'Left out the factor P' makes no sense for a width: such alternatives are not offered."""
    for key in ("output_width", "output_height"):
        codes = {v.findings[0].code for v in formula_variants(Conv2d().analyze()[key], Conv2d().analyze())}
        assert "missing_factor" not in codes
    (claim,) = checked(CONV, [{"quantity": "output_width", "claimed": (W + 2 - K) // S + 1}])
    assert "Left out the factor" not in said(claim)
