"""Sound verdicts: a wrong formula is never called correct or equivalent; a truly equal one is never wrong.

The wrong verdicts once seen (issue 8) are pinned first; then hypothesis
generates mutations of the true formulas (changes only at large values, only
at G > 1, only at D > 1, anywhere) and rewritings that are equal for every
integer (expanded, floors shifted, ceil for floor + 1, // for floor).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcnn.check.checker import check_claims
from symcnn.cnn.layers import Conv2d
from symcnn.cnn.network import build_network
from symcnn.files.claims import read_claims
from symcnn.formula.equality import Domain
from symcnn.formula.expr import parse_expression
from symcnn.formula.plain import plain

FOLDER = Path(tempfile.mkdtemp(prefix="symcnn-soundness-"))
GROUPED = 'layer = { type = "Conv2d", groups = "G", dilation = "D" }'
VALUES = "[values]\nW = 32\nH = 32\nK_1 = 3\nK_2 = 3\nC_in = 8\nC_out = 16\nG = 4\nD = 1\nS = 1\nP = 1\n"


def check(header: str, rows: list[dict[str, object]], name: str = "c.toml") -> list:
    """The outcomes of ``rows`` (quantity, claimed, ...) checked against the target ``header``."""
    lines = [header]
    for row in rows:
        lines.append("[[claims]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in row.items()]
    path = FOLDER / name
    path.write_text("\n".join(lines) + "\n")
    return [c.outcome for c in check_claims(read_claims(path)).checked]


# --- the wrong verdicts seen, each now wrong with an admissible counterexample ----------

SEEN_WRONG = [
    ("groups forgotten in params", "params", "C_out*(K_1*K_2*C_in + 1)"),
    ("groups forgotten in mults", "mults", "K_1*K_2*C_in*C_out*W_out*H_out"),
    ("differs only for W >= 300", "output_width", "floor((W + 2P - D*(K_1 - 1) - 1)/S) + 1 + floor(W/300)"),
    ("differs only for 10 <= C_in <= 31", "params", "(K_1*K_2*C_in/G + 1)*C_out + floor(31/C_in)*floor(C_in/10)"),
    ("differs only for K_1 >= 8", "params", "(K_1*K_2*C_in/G + 1)*C_out + floor(K_1/8)"),
    ("dilation ignored", "output_width", "floor((W + 2P - K_1)/S) + 1"),
]


@pytest.mark.parametrize("name, quantity, claimed", SEEN_WRONG, ids=[row[0] for row in SEEN_WRONG])
def test_once_called_equivalent_now_wrong(name: str, quantity: str, claimed: str) -> None:
    (outcome,) = check(GROUPED + "\n" + VALUES, [{"quantity": quantity, "claimed": claimed}])
    assert outcome.verdict == "wrong", name
    finding = next(f for f in outcome.findings if f.code in ("counterexample", "right_at_values_only"))
    assert finding.fields["used"] != finding.fields["right"]


def test_a_kernel_larger_than_small_inputs_is_still_sampled() -> None:
    """A 100 x 100 kernel on [3, H, W]: admissible points exist (W >= 100); zero points never agree."""
    header = 'layer = { type = "Conv2d", kernel_size = 100, out_channels = 4 }\ninput = [3, "H", "W"]'
    wrong, right = check(header, [
        {"quantity": "output_width", "claimed": "W + 5"},
        {"quantity": "output_width", "claimed": "floor((W*W - 99*W)/W)"},
    ])
    assert wrong.verdict == "wrong"
    assert int(wrong.findings[-1].fields["point"][sp.Symbol("W", integer=True, positive=True)]) >= 100
    assert right.verdict == "equivalent", right.findings
    assert right.findings[0].fields["points"] > 50


def test_no_admissible_point_is_unverifiable() -> None:
    """Conditions no point meets give 'unverifiable' with the reason, never agreement."""
    never = sp.Ge(sp.Symbol("K_1", integer=True, positive=True), 10**6)
    width = Conv2d().analyze()["output_width"].expr
    assert Domain({}, [never], seed="x").points([width]) == []


def test_network_counterexamples_meet_every_layers_conditions() -> None:
    """On a symbolic network the counterexample is a point where every layer exists (W_k conditions)."""
    header = (
        'network = { input = [3, "H", "W"], layers = ['
        '{ type = "Conv2d", name = "conv1", out_channels = 8, kernel_size = 7, stride = 2 }, '
        '{ type = "MaxPool2d", name = "pool1", kernel_size = 3, stride = 2 }, '
        '{ type = "Conv2d", name = "conv2", out_channels = 8, kernel_size = 5 }] }'
    )
    (outcome,) = check(header, [{"layer": "conv2", "quantity": "output_width", "claimed": "W/4 - 7"}])
    assert outcome.verdict == "wrong"
    point = outcome.findings[-1].fields["point"]
    layers = [
        ("conv1", Conv2d(out_channels=8, kernel_size=7, stride=2)),
        ("conv2", Conv2d(out_channels=8, kernel_size=5)),
    ]
    from symcnn.cnn.layers import MaxPool2d

    layers.insert(1, ("pool1", MaxPool2d(kernel_size=3, stride=2)))
    shape = (sp.Integer(3), point.get(sp.Symbol("H", integer=True, positive=True), sp.Integer(64)),
             point[sp.Symbol("W", integer=True, positive=True)])
    build_network(layers, shape, "numeric")  # raises if any layer cannot exist at the point


@pytest.mark.parametrize("layer", ["ReLU", "Dropout", "BatchNorm2d"])
def test_every_layer_has_an_output_shape(layer: str) -> None:
    header = (
        'network = { input = [3, "H", "W"], layers = ['
        '{ type = "Conv2d", name = "conv1", out_channels = 8, kernel_size = 3 }, '
        f'{{ type = "{layer}", name = "x" }}] }}'
    )
    shape, height, wrong = check(header, [
        {"layer": "x", "quantity": "output_shape", "claimed": [8, "H - 2", "W - 2"]},
        {"layer": "x", "quantity": "output_height", "claimed": "H - 2"},
        {"layer": "x", "quantity": "output_width", "claimed": "W"},
    ])
    assert (shape.verdict, height.verdict, wrong.verdict) == ("equivalent", "equivalent", "wrong")


def test_huge_numbers_compared_exactly() -> None:
    header = 'layer = { type = "Linear" }\ninput = [64, 256, 256]\n[values]\nN = 1000'
    outcomes = check(header, [
        {"quantity": "params", "claimed": "10^40"},
        {"quantity": "params", "claimed": str(10**60)},
        {"quantity": "params", "claimed": "4194305000 + 10^90 - 10^90"},
    ])
    assert [o.verdict for o in outcomes] == ["wrong", "wrong", "correct"]


# --- properties: mutations are never accepted, rewritings never rejected ----------------

CONV = Conv2d(groups="G", dilation="D").analyze()
TRUTHS = {key: CONV[key].expr for key in ("output_width", "params", "mults", "adds", "output_elements")}
SYMBOLS = {s.name: s for key in TRUTHS for s in TRUTHS[key].free_symbols}
W, G, D, C_in, K_1 = (sp.Symbol(n, integer=True, positive=True) for n in ("W", "G", "D", "C_in", "K_1"))
LARGE_ONLY = {W: (300, 4000), C_in: (17, 400), K_1: (8, 12)}


def _verdict(quantity: str, claimed: sp.Expr, tag: str) -> str:
    (outcome,) = check(GROUPED, [{"quantity": quantity, "claimed": plain(claimed)}], f"{tag}.toml")
    return outcome.verdict


PROPERTY = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(
    quantity=st.sampled_from(sorted(TRUTHS)),
    symbol=st.sampled_from(sorted(LARGE_ONLY, key=str)),
    fraction=st.floats(0, 1),
    coefficient=st.sampled_from([-2, -1, 1, 3]),
)
def test_a_change_only_at_large_values_is_wrong(quantity: str, symbol: sp.Symbol, fraction: float,
                                                coefficient: int) -> None:
    low, high = LARGE_ONLY[symbol]
    threshold = low + int(fraction * (high - low))
    claimed = TRUTHS[quantity] + coefficient * sp.floor(symbol / threshold)
    assert _verdict(quantity, claimed, "large") == "wrong"


@PROPERTY
@given(quantity=st.sampled_from(["params", "mults", "adds"]), which=st.sampled_from(["G", "D"]))
def test_a_change_only_at_g_or_d_above_1_is_wrong(quantity: str, which: str) -> None:
    symbol = G if which == "G" else D
    claimed = TRUTHS[quantity].xreplace({symbol: sp.Integer(1)})
    if claimed == TRUTHS[quantity]:  # params has no D: make it depend on D - 1 instead
        claimed = TRUTHS[quantity] + (symbol - 1) * sp.Symbol("C_out", integer=True, positive=True)
    assert _verdict(quantity, claimed, f"only_{which}") == "wrong"


MUTATIONS = [
    lambda e: e + 1,
    lambda e: 2 * e,
    lambda e: e - sp.floor(W / 7),
    lambda e: e.xreplace({sp.floor: sp.ceiling}) if e.has(sp.floor) else e + G - 1,
    lambda e: e * C_in / G if not e.has(sp.floor) else e + sp.floor(K_1 / 5),
    lambda e: e.replace(lambda x: isinstance(x, sp.floor), lambda x: sp.ceiling(x.args[0])) + 0,
]


@PROPERTY
@given(quantity=st.sampled_from(sorted(TRUTHS)), mutation=st.sampled_from(range(len(MUTATIONS))))
def test_mutations_are_never_correct_or_equivalent(quantity: str, mutation: int) -> None:
    claimed = MUTATIONS[mutation](TRUTHS[quantity])
    if claimed == TRUTHS[quantity]:
        return
    assert _verdict(quantity, claimed, "mutation") not in ("correct", "equivalent")


SIZE = "floor((W + 2*P - D*(K_1 - 1) - 1)/S) + 1"
REWRITINGS = [
    lambda m: f"floor((W + 2*P - D*(K_1 - 1) - 1 + {m}*S)/S) + {1 - m}",
    lambda m: f"ceil((W + 2*P - D*(K_1 - 1) + {m}*S)/S) - {m}",
    lambda m: f"(W + 2*P - D*K_1 + D - 1 + {m}*S)//S + {1 - m}",
    lambda m: f"-floor((D*(K_1 - 1) - W - 2*P - {m}*S)/S) - {m}",
    lambda m: f"floor((W + 2*P - D*(K_1 - 1) - 1)/S + {m}) + {1 - m}",
]


@PROPERTY
@given(rewriting=st.sampled_from(range(len(REWRITINGS))), shift=st.integers(-5, 5))
def test_equal_rewritings_of_a_size_are_proved(rewriting: int, shift: int) -> None:
    claimed = REWRITINGS[rewriting](shift)
    (outcome,) = check(GROUPED, [{"quantity": "output_width", "claimed": claimed}], "rewrite.toml")
    assert outcome.verdict in ("correct", "equivalent"), claimed


@PROPERTY
@given(
    quantity=st.sampled_from(["params", "mults", "adds", "output_elements"]),
    form=st.sampled_from(["expand", "factor", "sizes written out", "both"]),
)
def test_equal_rewritings_of_counts_are_never_wrong(quantity: str, form: str) -> None:
    expr = TRUTHS[quantity]
    if form in ("sizes written out", "both"):
        expr = expr.xreplace({s: v for s, v in CONV.definitions.items()})
    if form in ("expand", "both"):
        expr = sp.expand(expr)
    elif form == "factor":
        expr = sp.factor(expr)
    assert _verdict(quantity, expr, "count") in ("correct", "equivalent")


def test_parsed_rewritings_stay_equal() -> None:
    """The rewriting templates themselves are equal to the size (so the property above tests the checker)."""
    truth = parse_expression(SIZE)
    domain = Domain(CONV.definitions, CONV.assumptions, seed="t")
    points = [full for _, full in domain.points([truth])]
    for template in REWRITINGS:
        claim = parse_expression(template(3))
        assert all(domain.value(claim, p) == domain.value(truth, p) for p in points), template(3)


def test_equal_but_unproved_agrees_with_points_and_ranges() -> None:
    """Hermite's floor(W/2) + floor((W + 1)/2) = W is beyond the prover: 'agrees', never 'equivalent'."""
    from symcnn.render.check_report import as_json

    header = 'layer = { type = "Conv2d", kernel_size = 1, out_channels = 4 }\ninput = [3, "H", "W"]'
    path = FOLDER / "agrees.toml"
    path.write_text(header + '\n[[claims]]\nquantity = "output_width"\nclaimed = "floor(W/2) + floor((W + 1)/2)"\n')
    report = check_claims(read_claims(path))
    (claim,) = as_json(report)["claims"]
    assert claim["verdict"] == "agrees" and report.exit_code == 0
    assert claim["diagnosis"].startswith(f"Agrees at {claim['sampling']['points']} points, not proved")
    low, high = claim["sampling"]["ranges"]["W"]
    assert low == 1 and high >= 1000 and claim["sampling"]["proved"] is False
