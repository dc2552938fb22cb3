"""The pieces of symcnn check: regions, plain formulas, equality, variants, slips, composition rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symcnn.check.batch_mistakes import swapped_unit
from symcnn.check.diagnosis import formula_variants, size_variants
from symcnn.check.region_check import chain
from symcnn.check.slips import digit_slip, find_slip
from symcnn.cnn.layers import Conv2d
from symcnn.cnn.memory import parse_budget
from symcnn.errors import SpecError
from symcnn.files.assignment import read_assignment
from symcnn.files.claims import parse_region
from symcnn.formula.equality import POINTS, Domain, compare
from symcnn.formula.evaluation import evaluated, value_of
from symcnn.formula.expr import parse_expression
from symcnn.formula.plain import plain, region_text
from symcnn.formula.symbols import K_1, P, S, W
from tests.helpers import reproducible

SEED = read_assignment(None)
CONV = SEED.parts[0].analysis
NETWORK = SEED.parts[4].network


@pytest.mark.parametrize(
    "text, expected",
    [
        ("16i - 44 : 16i + 75", ((16, -44, 75), (16, -44, 75), 1)),
        ("[16i-44: 16i+75, 16j-44 : 16j+75]", ((16, -44, 75), (16, -44, 75), 2)),
        ("(i - 1 : i + 1, 2j : 2j + 3)", ((1, -1, 1), (2, 0, 3), 2)),
        ("j - 1 : j + 1", ((1, -1, 1), (1, -1, 1), 1)),
        ("−2 + 4i : 4i + 9", ((4, -2, 9), (4, -2, 9), 1)),
    ],
)
def test_regions(text: str, expected: tuple) -> None:
    region = parse_region(text)
    rows, columns, axes = expected
    assert (region.rows.jump, region.rows.first, region.rows.last) == rows
    assert (region.columns.jump, region.columns.first, region.columns.last) == columns
    assert region.axes == axes


@pytest.mark.parametrize(
    "text",
    [
        "16i - 44",
        "i : j, j : j",
        "2i : 3i",
        "i*i : i",
        "a : b",
        "i : i, j : j, i : i",
        "i : ",
        "16i - 44 : 16i + 75)",
    ],
)
def test_malformed_regions(text: str) -> None:
    with pytest.raises(SpecError, match="malformed region"):
        parse_region(text)


@pytest.mark.parametrize(
    "key", ["input_elements", "output_width", "params", "mults", "adds", "output_elements"]
)
def test_plain_formulas_read_back(key: str) -> None:
    quantity = CONV[key]
    assert parse_expression(plain(quantity.formula)) == quantity.expr


def test_region_text() -> None:
    region = parse_region("16i - 62 : 16i + 77")
    assert region_text(region.rows, region.columns, 1) == "16i - 62 : 16i + 77"
    assert region_text(region.rows, region.columns) == "16i - 62 : 16i + 77, 16j - 62 : 16j + 77"


def test_admissible_points_meet_the_assumptions() -> None:
    width = CONV["output_width"].expr
    points = [full for _, full in Domain(CONV.definitions, CONV.assumptions, seed="seed").points([width])]
    assert len(points) >= 200
    for point in points:
        assert point[W] + 2 * point[P] >= point[K_1]
        assert point[P] >= 0 and point[S] >= 1
    assert any(point[S] > 1 for point in points) and any(point[P] == 0 for point in points)
    assert points == [full for _, full in Domain(CONV.definitions, CONV.assumptions, seed="seed").points([width])]


def test_compare_proves_and_finds_counterexamples() -> None:
    truth, definitions = CONV["params"].expr, CONV.definitions
    same = compare(parse_expression("K_1*K_2*C_in*C_out + C_out"), truth, definitions, CONV.assumptions, "a")
    assert same.equal and same.proved and 0 < same.points <= POINTS
    differs = compare(parse_expression("K_1*K_2*C_in*C_out"), truth, definitions, CONV.assumptions, "b")
    assert not differs.equal and differs.counterexample is not None
    point, mine, theirs = differs.counterexample
    assert theirs - mine == point[sp.Symbol("C_out", integer=True, positive=True)]


def test_compare_floors_written_differently() -> None:
    width = CONV["output_width"].expr
    shifted = parse_expression("floor((W + 2P - K_1 + S)/S)")
    assert compare(shifted, width, CONV.definitions, CONV.assumptions, "c").equal
    ceiling = parse_expression("ceil((W + 2P - K_1 + 1)/S)")  # equal to floor((x)/S) + 1 for integers
    assert compare(ceiling, width, CONV.definitions, CONV.assumptions, "d").equal


def test_variants_of_the_multiplications() -> None:
    variants = {
        (v.findings[0].code, str(v.findings[0].fields.get("factor"))): v
        for v in formula_variants(CONV["mults"], CONV)
    }
    missing = variants[("missing_factor", "C_in")]
    assert missing.expr == parse_expression("K_1*K_2*W_out*H_out*C_out")
    assert {key for key in variants if key[0] == "missing_factor"} == {
        ("missing_factor", name) for name in ("K_1", "K_2", "C_in", "W_out", "H_out", "C_out")
    }


def test_variants_of_the_output_width() -> None:
    found = {v.findings[0].code: v.expr for v in formula_variants(CONV["output_width"], CONV)}
    assert found["no_plus_one"] == parse_expression("floor((W + 2P - K_1)/S)")
    assert found["padding_once"] == parse_expression("floor((W + P - K_1)/S) + 1")
    assert found["ceil_for_floor"] == parse_expression("ceil((W + 2P - K_1)/S) + 1")
    assert found["padding_ignored"] == parse_expression("floor((W - K_1)/S) + 1")
    sizes = {finding.fields["inner"].code for finding, _ in size_variants(CONV)}
    assert {"no_plus_one", "padding_once", "ceil_for_floor", "padding_ignored"} <= sizes


def test_variants_of_the_parameters() -> None:
    found = {v.findings[0].code: v.expr for v in formula_variants(CONV["params"], CONV)}
    assert found["bias_forgotten"] == parse_expression("K_1*K_2*C_in*C_out")
    assert found["bias_twice"] == parse_expression("(K_1*K_2*C_in + 2)*C_out")


def test_slip_in_one_sub_expression() -> None:
    tree = parse_expression("3*3*((256+2-3)/1+1)*((256+2-3)/1+1)*128", evaluate=False)
    slip = find_slip(tree, 74_908_800)
    assert plain(slip.node) == "(256 + 2 - 3)/1 + 1" and (slip.right, slip.used) == (256, 255)
    assert find_slip(tree, 75_497_472) is None  # no slip: that is the value
    assert find_slip(tree, 1) is None  # far off: not a slip


@pytest.mark.parametrize(
    "right, used, kind",
    [
        (4831838208, 4831838209, "one digit"),
        (73856, 73865, "two digits swapped"),
        (73856, 73856, None),
        (73856, 7385, None),
        (73856, 83765, None),
    ],
)
def test_digit_slips(right: int, used: int, kind: str | None) -> None:
    assert digit_slip(sp.Integer(right), sp.Integer(used)) == kind


def test_composition_rules_on_the_seed_network() -> None:
    values = NETWORK.values(SEED.values)

    def text(rule: str, layer: str) -> str:
        rows, columns = chain(NETWORK, layer, rule, values)
        return region_text(rows, columns, 1)

    assert text("right", "conv10") == "16i - 62 : 16i + 77"
    assert text("no_jump", "conv10") == "16i - 10 : 16i + 14"
    assert text("reversed", "pool1") == "2i - 4 : 2i + 5"
    assert text("reversed", "pool4") == "16i - 60 : 16i + 75"
    # conv1 ... conv10 read the same backwards, so the reversed composition is right there
    assert text("reversed", "conv10") == text("right", "conv10")
    assert chain(NETWORK, "fc1", "right", values) is None


def test_swapped_units() -> None:
    assert swapped_unit(parse_budget("12GiB")).bytes == 12 * 10**9
    assert swapped_unit(parse_budget("12GB")).bytes == 12 * 2**30
    assert swapped_unit(parse_budget("100B")) is None


@reproducible(max_examples=30)
@given(
    w=st.integers(4, 64),
    k=st.integers(1, 4),
    p=st.integers(0, 2),
    s=st.integers(1, 3),
    c_in=st.integers(2, 16),
    c_out=st.integers(1, 16),
)
def test_missing_c_in_is_diagnosed_at_any_values(
    w: int, k: int, p: int, s: int, c_in: int, c_out: int
) -> None:
    """For any conv layer, K·K·W_out·H_out·C_out (no C_in) is recognised, and the true number is correct."""
    from symcnn.check.checker import _check_scalar
    from symcnn.check.truth import Truth
    from symcnn.files.claims import Claimed
    from symcnn.formula.evaluation import bind

    analysis = Conv2d(c_in, c_out, k, s, p).analyze((c_in, w, w))
    bound = bind(analysis.definitions, {})
    quantity = analysis["mults"]
    truth = Truth(quantity.expr, {}, bound, quantity, analysis)
    right = truth.value
    assert _check_scalar(Claimed("number", int(right), right, right), truth, "h").verdict == "correct"
    wrong = right / c_in
    outcome = _check_scalar(Claimed("number", int(wrong), wrong, wrong), truth, "h")
    assert outcome.verdict == "wrong"
    explanations = [outcome.findings, *outcome.alternatives]
    assert any(f.code == "missing_factor" and f.fields["factor"] == c_in for e in explanations for f in e)
    assert value_of(quantity.expr, bound) == right



@pytest.mark.parametrize(
    "text, swapped",
    [
        ("1.5GB", (3 * 2**29, "GiB", "1.5GiB")),
        ("1.5GiB", (1_500_000_000, "GB", "1.5GB")),
        ("0.5kb", (512, "KiB", "0.5KiB")),
        ("1.25 MB", (5 * 2**18, "MiB", "1.25MiB")),
        ("2TiB", (2 * 10**12, "TB", "2TB")),
    ],
)
def test_swapped_units_exact(text: str, swapped: tuple) -> None:
    """The swap is exact arithmetic (no float text re-parsed), and swapping back gives the budget."""
    budget = parse_budget(text)
    other = swapped_unit(budget)
    assert (other.bytes, other.unit, other.text) == swapped
    assert evaluated(other.formula) == other.bytes
    assert swapped_unit(other).bytes == budget.bytes


@pytest.mark.parametrize("text", ["1.3GB", "1.001KB", "0.3MB", "1.7TB"])
def test_swapped_unit_not_whole_bytes_is_none(text: str) -> None:
    """1.3 GB is whole bytes but 1.3 GiB is not: that unit mistake gives no batch."""
    assert swapped_unit(parse_budget(text)) is None


def test_max_batch_with_a_budget_whose_swap_is_not_whole_bytes(tmp_path: Path) -> None:
    """memory = "1.3GB" used to crash the checker ("'1.3GiB' is not a positive whole number of bytes")."""
    from symcnn.check.checker import check_claims
    from symcnn.files.claims import read_claims

    network = Path(__file__).resolve().parents[2] / "examples" / "seed_network.toml"
    path = tmp_path / "c.toml"
    path.write_text(
        f'network = "{network.as_posix()}"\nmemory = "1.3GB"\n'
        '[[claims]]\nquantity = "max_batch"\nclaimed = 77\n'
        '[[claims]]\nquantity = "max_batch"\nclaimed = 5\n'
    )
    right, wrong = check_claims(read_claims(path)).checked
    assert right.verdict == "correct"
    assert right.outcome.expected.value == 1_300_000_000 // (4 * 4_194_304)
    assert wrong.verdict == "wrong"
    assert all(f.code != "unit_confused" for f in wrong.outcome.findings)
