"""symcnn check: a hand-made set of claims, each with its verdict and diagnosis.

The claims are about the seed assignment (W = H = 256, K_1 = K_2 = 3, P = 1,
S = 1, C_in = 64, C_out = 128, K = 2, S_2 = 2, P_2 = 0, N = 1000, memory 12 GiB),
one file for all of them, checked once. Each row: what is claimed, the
verdict, and the codes of the findings in order (``in_output_size:x`` names
the output-size mistake inside).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

from symcnn.check.checker import CheckReport, check_claims
from symcnn.files.claims import read_claims

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASSIGNMENT = EXAMPLES / "seed_assignment.toml"
NETWORK = EXAMPLES / "seed_network.toml"


def toml(value: object) -> str:
    """A TOML value (JSON strings and arrays are TOML too)."""
    return json.dumps(value)


def claims_file(folder: Path, name: str, header: str, rows: list[dict[str, object]]) -> Path:
    lines = [header]
    for row in rows:
        lines.append("[[claims]]")
        lines += [f"{key} = {toml(value)}" for key, value in row.items()]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def codes(findings: tuple) -> list[str]:
    """Finding codes in order; an output-size mistake with its inner code."""
    out = []
    for finding in findings:
        if finding.code == "in_output_size":
            out.append(f"in_output_size:{finding.fields['inner'].code}")
        else:
            out.append(finding.code)
    return out


# (id, part, layer, quantity, claimed, intermediate, verdict, codes, fields of the first finding)
class ClaimRow(NamedTuple):
    """One claim about the seed assignment and what the checker must say of it."""

    name: str
    part: int
    layer: str | None
    quantity: str
    claimed: object
    steps: list[str] | None
    verdict: str
    codes: list[str]
    fields: dict[str, str]


_ASSIGNMENT_ROWS = [
    # --- correct: the same value, or the same formula once evaluated ---------------------
    ("params formula", 1, None, "params", "(K_1*K_2*C_in + 1)*C_out", None, "correct", [], {}),
    ("params grouped", 1, None, "params", "73,856", None, "correct", [], {}),
    ("width formula", 1, None, "output_width", "floor((W + 2P - K_1)/S) + 1", None, "correct", [], {}),
    ("mults number", 1, None, "mults", 4831838208, None, "correct", [], {}),
    ("mults as arithmetic", 1, None, "mults", "3*3*64*256*256*128", None, "correct", [], {}),
    ("adds: -1 + 1 cancel", 1, None, "adds", "K_1*K_2*C_in*W_out*H_out*C_out", None, "correct", [], {}),
    ("pool width", 2, None, "output_width", 128, None, "correct", [], {}),
    ("pool params", 2, None, "params", 0, None, "correct", [], {}),
    (
        "pool by title",
        "A pooling layer",
        None,
        "comparisons",
        "(K^2 - 1)*W_out*H_out*C_in",
        None,
        "correct",
        [],
        {},
    ),
    ("fc params", 3, None, "params", "4,194,305,000", None, "correct", [], {}),
    ("batch", 4, None, "max_batch", 768, None, "correct", [], {}),
    ("activation B·n", 4, "conv1", "activation_elements", "B * 4194304", None, "correct", [], {}),
    ("network params", 4, None, "params", 160415170, None, "correct", [], {}),
    (
        "conv10 region",
        5,
        "conv10",
        "receptive_field",
        "16i - 62 : 16i + 77, 16j - 62 : 16j + 77",
        None,
        "correct",
        [],
        {},
    ),
    ("conv shape", 1, None, "output_shape", [128, 256, 256], None, "correct", [], {}),
    # --- equivalent: equal for every admissible value, another form ----------------------
    (
        "params expanded",
        1,
        None,
        "params",
        "K_1*K_2*C_in*C_out + C_out",
        None,
        "equivalent",
        ["equivalent"],
        {},
    ),
    (
        "width, +1 inside",
        1,
        None,
        "output_width",
        "floor((W + 2P - K_1 + S)/S)",
        None,
        "equivalent",
        ["equivalent"],
        {},
    ),
    (
        "elements, W_out written out",
        1,
        None,
        "output_elements",
        "C_out*(floor((W+2P-K_1)/S)+1)*(floor((H+2P-K_2)/S)+1)",
        None,
        "equivalent",
        ["equivalent"],
        {},
    ),
    ("fc params expanded", 3, None, "params", "W*H*C_in*N + N", None, "equivalent", ["equivalent"], {}),
    (
        "mults, one W_out written out",
        1,
        None,
        "mults",
        "C_in*K_1*K_2*C_out*(floor((W + 2P - K_1)/S) + 1)*H_out",
        None,
        "equivalent",
        ["equivalent"],
        {},
    ),
    (
        "pool elements",
        2,
        None,
        "output_elements",
        "C_in*(floor((W + 2P_2 - K)/S_2) + 1)*H_out",
        None,
        "equivalent",
        ["equivalent"],
        {},
    ),
    # --- wrong formulas: the known variant, then where the formula differs ---------------
    (
        "mults without C_in",
        1,
        None,
        "mults",
        "K_1 × K_2 × W_out × H_out × C_out",
        None,
        "wrong",
        ["missing_factor", "counterexample"],
        {"factor": "C_in", "proved": "True"},
    ),
    (
        "mults without K_2",
        1,
        None,
        "mults",
        "K_1*C_in*W_out*H_out*C_out",
        None,
        "wrong",
        ["missing_factor", "counterexample"],
        {"factor": "K_2"},
    ),
    (
        "params without bias",
        1,
        None,
        "params",
        "K_1*K_2*C_in*C_out",
        None,
        "wrong",
        ["bias_forgotten", "counterexample"],
        {},
    ),
    (
        "params bias twice",
        1,
        None,
        "params",
        "(K_1*K_2*C_in + 2)*C_out",
        None,
        "wrong",
        ["bias_twice", "counterexample"],
        {},
    ),
    (
        "width without +1",
        1,
        None,
        "output_width",
        "floor((W + 2P - K_1)/S)",
        None,
        "wrong",
        ["no_plus_one", "counterexample"],
        {},
    ),
    (
        "width, padding once",
        1,
        None,
        "output_width",
        "floor((W + P - K_1)/S) + 1",
        None,
        "wrong",
        ["padding_once", "counterexample"],
        {"padding": "P"},
    ),
    (
        "width with ceil (same as floor at S = 1)",
        1,
        None,
        "output_width",
        "ceil((W + 2P - K_1)/S) + 1",
        None,
        "wrong",
        ["ceil_for_floor", "right_at_values_only"],
        {},
    ),
    (
        "width without padding",
        1,
        None,
        "output_width",
        "floor((W - K_1)/S) + 1",
        None,
        "wrong",
        ["padding_ignored", "counterexample"],
        {},
    ),
    (
        "width without the stride",
        1,
        None,
        "output_width",
        "W + 2P - K_1 + 1",
        None,
        "wrong",
        ["division_dropped", "right_at_values_only"],
        {"divisor": "S"},
    ),
    (
        "fc params without bias",
        3,
        None,
        "params",
        "W*H*C_in*N",
        None,
        "wrong",
        ["bias_forgotten", "counterexample"],
        {},
    ),
    (
        "mults, W_out without +1",
        1,
        None,
        "mults",
        "K_1*K_2*C_in*floor((W+2P-K_1)/S)*floor((H+2P-K_2)/S)*C_out",
        None,
        "wrong",
        ["in_output_size:no_plus_one", "counterexample"],
        {},
    ),
    (
        "width = W: right at the values only",
        1,
        None,
        "output_width",
        "W",
        None,
        "wrong",
        ["right_at_values_only"],
        {"value": "256"},
    ),
    (
        "pool width without padding: right at P_2 = 0 only",
        2,
        None,
        "output_width",
        "floor((W - K)/S_2) + 1",
        None,
        "wrong",
        ["padding_ignored", "right_at_values_only"],
        {},
    ),
    # --- wrong numbers: the variant at the values, slips, the student's steps -----------
    (
        "mults number without C_in",
        1,
        None,
        "mults",
        75497472,
        None,
        "wrong",
        ["missing_factor"],
        {"factor": "C_in"},
    ),
    (
        "seed's mults, no steps",
        1,
        None,
        "mults",
        "74,908,800",
        None,
        "wrong",
        ["missing_factor", "in_output_size:no_plus_one"],
        {"factor": "C_in"},
    ),
    (
        "seed's mults with its step",
        1,
        None,
        "mults",
        "74,908,800",
        ["3 × 3 × ((256 + 2 - 3)/1 + 1) × ((256 + 2 - 3)/1 + 1) × 128"],
        "wrong",
        ["step_diverges", "step_slip"],
        {"step": "1", "used": "75,497,472"},
    ),
    ("params number without bias", 1, None, "params", 73728, None, "wrong", ["bias_forgotten"], {}),
    ("params number bias twice", 1, None, "params", 73984, None, "wrong", ["bias_twice"], {}),
    ("width 255", 1, None, "output_width", 255, None, "wrong", ["no_plus_one"], {}),
    (
        "mults one digit off",
        1,
        None,
        "mults",
        4831838209,
        None,
        "wrong",
        ["digit_slip"],
        {"kind": "one digit"},
    ),
    (
        "params digits swapped",
        1,
        None,
        "params",
        "73,865",
        None,
        "wrong",
        ["digit_slip"],
        {"kind": "two digits swapped"},
    ),
    (
        "mults with 63 for 64",
        1,
        None,
        "mults",
        4756340736,
        None,
        "wrong",
        ["slip"],
        {"node": "64", "right": "64", "used": "63"},
    ),
    (
        "mults slip after a right step",
        1,
        None,
        "mults",
        4812963840,
        ["3*3*64*256*256*128"],
        "wrong",
        ["step_slip"],
        {"node": "256", "used": "255"},
    ),
    ("fc mults without N", 3, None, "mults", 4194304, None, "wrong", ["missing_factor"], {"factor": "N"}),
    ("batch with GB", 4, None, "max_batch", 715, None, "wrong", ["unit_confused"], {}),
    (
        "training batch from one activation",
        4,
        None,
        "max_batch_training",
        768,
        None,
        "wrong",
        ["activation_for_training"],
        {},
    ),
    (
        "activation batch from the training model",
        4,
        None,
        "max_batch",
        160,
        None,
        "wrong",
        ["training_for_activation"],
        {},
    ),
    ("batch with 2 bytes", 4, None, "max_batch", 1536, None, "wrong", ["element_bytes"], {"used": "2"}),
    (
        "network params without fc3",
        4,
        None,
        "params",
        160406976,
        None,
        "wrong",
        ["layer_left_out"],
        {"layer": "fc3"},
    ),
    (
        "shape without +1",
        1,
        None,
        "output_shape",
        [128, 255, 255],
        None,
        "wrong",
        ["component", "component"],
        {},
    ),
    (
        "activation in B^2",
        4,
        "conv1",
        "activation_elements",
        "B^2 * 4194304",
        None,
        "wrong",
        ["not_per_batch"],
        {},
    ),
    # --- receptive fields: the composition rule the region follows ------------------------
    (
        "pool4 composed in reverse",
        4,
        "pool4",
        "receptive_field",
        "16i - 60 : 16i + 75",
        None,
        "wrong",
        ["rf_chain_reversed"],
        {},
    ),
    (
        "conv10 offsets without the jump",
        5,
        "conv10",
        "receptive_field",
        "16i - 10 : 16i + 14",
        None,
        "wrong",
        ["rf_chain_no_jump"],
        {},
    ),
    (
        "pool1 end off",
        5,
        "pool1",
        "receptive_field",
        "2i - 2 : 2i + 4",
        None,
        "wrong",
        ["rf_end_off"],
        {"end": "end"},
    ),
    # --- unverifiable: the target has no such value -----------------------------------------
    (
        "pool has no output_features",
        2,
        None,
        "output_features",
        5,
        None,
        "unverifiable",
        ["no_such_quantity"],
        {},
    ),
    (
        "one layer has no receptive field",
        1,
        None,
        "receptive_field",
        "i : i",
        None,
        "unverifiable",
        ["needs_network"],
        {},
    ),
    ("network width needs a layer", 4, None, "output_width", 5, None, "unverifiable", ["needs_layer"], {}),
    (
        "fc1 sees the whole input",
        4,
        "fc1",
        "receptive_field",
        "i : i",
        None,
        "unverifiable",
        ["whole_input"],
        {},
    ),
    ("width written in W_out", 1, None, "output_width", "W_out", None, "unverifiable", ["circular"], {}),
    ("a layer's max_batch", 4, "conv1", "max_batch", 768, None, "unverifiable", ["network_wide"], {}),
    ("the input has no params", 4, "input", "params", 5, None, "unverifiable", ["input_only"], {}),
]
ASSIGNMENT_CLAIMS = [ClaimRow(*row) for row in _ASSIGNMENT_ROWS]


@pytest.fixture(scope="module")
def assignment_report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    rows = []
    for _, part, layer, quantity, claimed, steps, *_ in ASSIGNMENT_CLAIMS:
        row: dict[str, object] = {"part": part, "quantity": quantity, "claimed": claimed}
        if layer is not None:
            row["layer"] = layer
        if steps is not None:
            row["intermediate"] = steps
        rows.append(row)
    folder = tmp_path_factory.mktemp("claims")
    path = claims_file(folder, "claims.toml", f"assignment = {toml(str(ASSIGNMENT))}", rows)
    return check_claims(read_claims(path))


def _field_text(value: object) -> str:
    from symcnn.formula.plain import grouped

    if isinstance(value, bool):
        return str(value)
    try:
        return grouped(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, AttributeError):
        return str(value)


def test_the_set_is_large_enough() -> None:
    verdicts = [row.verdict for row in ASSIGNMENT_CLAIMS]
    assert len(ASSIGNMENT_CLAIMS) >= 40
    assert {"correct", "equivalent", "wrong", "unverifiable"} <= set(verdicts)


@pytest.mark.parametrize(
    "index, row", list(enumerate(ASSIGNMENT_CLAIMS)), ids=[row.name for row in ASSIGNMENT_CLAIMS]
)
def test_verdict_and_diagnosis(assignment_report: CheckReport, index: int, row: ClaimRow) -> None:
    outcome = assignment_report.checked[index].outcome
    assert outcome.verdict == row.verdict, row.name
    assert codes(outcome.findings) == row.codes, row.name
    for key, value in row.fields.items():
        assert _field_text(outcome.findings[0].fields[key]) == value, (row.name, key)


def test_wrong_claims_show_symcnns_answer_and_derivation(assignment_report: CheckReport) -> None:
    for checked, row in zip(assignment_report.checked, ASSIGNMENT_CLAIMS, strict=False):
        if row.verdict == "wrong" and row.quantity in ("params", "mults", "output_width"):
            assert checked.outcome.expected.kind in ("number", "formula")
        single_layer = checked.claim.subject.network is None
        if (
            row.verdict == "wrong"
            and checked.claim.claimed.kind == "number"
            and single_layer
            and row.quantity in ("params", "mults")
        ):
            assert checked.outcome.derivation is not None
            assert checked.outcome.derivation.result == checked.outcome.expected.value


def test_number_diagnoses_list_other_explanations(assignment_report: CheckReport) -> None:
    """At P = 1, dropping the +1 and counting the padding once give the same 255."""
    index = next(k for k, row in enumerate(ASSIGNMENT_CLAIMS) if row.name == "width 255")
    alternatives = assignment_report.checked[index].outcome.alternatives
    assert [codes(a) for a in alternatives] == [["padding_once"]]


def test_counterexample_is_a_real_difference(assignment_report: CheckReport) -> None:
    """The point a wrong formula is shown at really separates it from symcnn's."""
    from symcnn.formula.equality import expanded
    from symcnn.formula.evaluation import value_of

    for checked in assignment_report.checked:
        for finding in checked.outcome.findings:
            if finding.code in ("counterexample", "right_at_values_only"):
                analysis = checked.claim.subject.part.analysis
                point = finding.fields["point"]
                truth = expanded(analysis[checked.claim.quantity].expr, analysis.definitions)
                claimed = expanded(checked.claim.claimed.value, analysis.definitions)
                assert value_of(truth, point) == finding.fields["right"]
                assert value_of(claimed, point) == finding.fields["used"] != finding.fields["right"]
                assert all(value_of(a, point) for a in analysis.assumptions if a.free_symbols <= set(point))


# --- receptive fields, step by step (one network, the student's own rows) ------------

NETWORK_CLAIMS = [
    ("conv1 = conv2's region", "conv1", "i - 2 : i + 2", ["rf_other_true"], {"other": "conv2"}),
    ("pool1 composed in reverse", "pool1", "2i - 4 : 2i + 5", ["rf_chain_reversed"], {}),
    ("conv3 right from a wrong pool1", "conv3", "2i - 6 : 2i + 7", ["rf_carried"], {"previous": "pool1"}),
    ("conv4 end slip", "conv4", "2i - 8 : 2i + 10", ["rf_end_slip"], {"end": "end", "previous": "conv3"}),
    ("pool2 copies conv4", "pool2", "2i - 8 : 2i + 10", ["rf_other_claimed"], {"other": "conv4"}),
    ("conv5 without the jump", "conv5", "2i - 9 : 2i + 11", ["rf_step_stride_one"], {"previous": "pool2"}),
    (
        "pool3 window applied to the region",
        "pool3",
        "4i - 20 : 4i + 25",
        ["rf_step_reversed"],
        {"previous": "conv5"},
    ),
]


def layer_claims_report(
    factory: pytest.TempPathFactory, target: str, quantity: str, table: list[tuple]
) -> CheckReport:
    """Check one claim of ``quantity`` per row (name, layer, claimed, ...) of ``table`` against ``target``."""
    rows = [{"layer": row[1], "quantity": quantity, "claimed": row[2]} for row in table]
    return check_claims(read_claims(claims_file(factory.mktemp(quantity), "claims.toml", target, rows)))


@pytest.fixture(scope="module")
def network_report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    return layer_claims_report(tmp_path_factory, f"network = {toml(str(NETWORK))}", "receptive_field", NETWORK_CLAIMS)


@pytest.mark.parametrize(
    "index, row", list(enumerate(NETWORK_CLAIMS)), ids=[row[0] for row in NETWORK_CLAIMS]
)
def test_receptive_field_steps(network_report: CheckReport, index: int, row: tuple) -> None:
    name, _, _, expected_codes, fields = row
    outcome = network_report.checked[index].outcome
    assert outcome.verdict == "wrong", name
    assert codes(outcome.findings) == expected_codes, name
    for key, value in fields.items():
        assert str(outcome.findings[0].fields[key]) == value, (name, key)


# --- other targets: one layer, a network with its own memory -------------------------

OTHER_TARGETS = [
    (
        "pool with ceil",
        'layer = { type = "MaxPool2d", kernel_size = 3, stride = 2 }\ninput = [64, 56, 56]',
        {"quantity": "output_width", "claimed": 28},
        "wrong",
        ["ceil_for_floor"],
    ),
    (
        "pool right",
        'layer = { type = "MaxPool2d", kernel_size = 3, stride = 2 }\ninput = [64, 56, 56]',
        {"quantity": "output_width", "claimed": 27},
        "correct",
        [],
    ),
    (
        "symbolic layer without values",
        'layer = { type = "Conv2d" }',
        {"quantity": "params", "claimed": 73856},
        "unverifiable",
        ["no_values"],
    ),
    (
        "symbolic layer, formula",
        'layer = { type = "Conv2d" }',
        {"quantity": "params", "claimed": "C_out + K_1*K_2*C_in*C_out"},
        "equivalent",
        ["equivalent"],
    ),
    (
        "symbolic layer with values",
        'layer = { type = "Conv2d" }\n[values]\nW = 8\nH = 8\nK_1 = 3\nK_2 = 3\nP = 0\n'
        "S = 1\nC_in = 2\nC_out = 4",
        {"quantity": "output_width", "claimed": 6},
        "correct",
        [],
    ),
    (
        "GB taken as 2^30",
        f'network = {toml(str(NETWORK))}\nmemory = "12GB"',
        {"quantity": "max_batch", "claimed": 768},
        "wrong",
        ["unit_confused"],
    ),
    (
        "no memory budget",
        f"network = {toml(str(NETWORK))}",
        {"quantity": "max_batch", "claimed": 768},
        "unverifiable",
        ["no_budget"],
    ),
    (
        "inline network",
        'network = { input = [3, 32, 32], layers = [{ type = "Conv2d", out_channels = 8, '
        "kernel_size = 3 }] }",
        {"layer": "conv1", "quantity": "params", "claimed": 224},
        "correct",
        [],
    ),
    (
        "inline network, bias forgotten",
        'network = { input = [3, 32, 32], layers = [{ type = "Conv2d", '
        "out_channels = 8, kernel_size = 3 }] }",
        {"layer": 1, "quantity": "params", "claimed": 216},
        "wrong",
        ["bias_forgotten"],
    ),
]


@pytest.mark.parametrize(
    "name, header, row, verdict, expected_codes", OTHER_TARGETS, ids=[row[0] for row in OTHER_TARGETS]
)
def test_other_targets(
    tmp_path: Path, name: str, header: str, row: dict, verdict: str, expected_codes: list[str]
) -> None:
    report = check_claims(read_claims(claims_file(tmp_path, "c.toml", header, [row])))
    (checked,) = report.checked
    assert checked.verdict == verdict, name
    assert codes(checked.outcome.findings) == expected_codes, name


# --- activations written per batch, on a network whose sizes stay symbolic -----------

SYMBOLIC_NETWORK = (
    'network = { input = ["C", "H", "W"], layers = ['
    '{ type = "Conv2d", out_channels = "C_out", kernel_size = 3 }, '
    '{ type = "MaxPool2d", kernel_size = 2, stride = 2 }] }'
)

# (id, layer, claimed, verdict, codes); conv1 is C_out·H_1·W_1 (H_1 = H - 2), pool1 C_out·H_2·W_2
PER_BATCH_CLAIMS = [
    ("conv1, B times its symbols", "conv1", "B*C_out*H_1*W_1", "correct", []),
    ("pool1, B times its symbols", "pool1", "B*C_out*H_2*W_2", "correct", []),
    ("input, B times C·H·W", "input", "B*C*H*W", "correct", []),
    ("conv1, sizes written out", "conv1", "B*C_out*(H - 2)*(W - 2)", "equivalent", ["equivalent"]),
    ("conv1 per sample", "conv1", "C_out*H_1*W_1", "correct", []),
    ("conv1 without C_out", "conv1", "B*H_1*W_1", "wrong", ["missing_factor", "counterexample"]),
    ("conv1 with the input's sizes", "conv1", "B*C_out*H*W", "wrong", ["counterexample"]),
    (
        "pool1 as conv1 / 4",
        "pool1",
        "B*C_out*H_1*W_1/4",
        "wrong",
        ["in_output_size:floor_missing", "counterexample"],
    ),
    ("conv1 in B^2", "conv1", "B^2*C_out*H_1*W_1", "wrong", ["not_per_batch"]),
    ("conv1 plus one", "conv1", "B*C_out*H_1*W_1 + 1", "wrong", ["not_per_batch"]),
]


@pytest.fixture(scope="module")
def per_batch_report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    return layer_claims_report(tmp_path_factory, SYMBOLIC_NETWORK, "activation_elements", PER_BATCH_CLAIMS)


@pytest.mark.parametrize(
    "index, row", list(enumerate(PER_BATCH_CLAIMS)), ids=[row[0] for row in PER_BATCH_CLAIMS]
)
def test_symbolic_activation_per_batch(per_batch_report: CheckReport, index: int, row: tuple) -> None:
    """A formula B·n is checked as the formula n per sample, not rejected for keeping symbols."""
    name, _, claimed, verdict, expected_codes = row
    outcome = per_batch_report.checked[index].outcome
    assert outcome.verdict == verdict, name
    assert codes(outcome.findings) == expected_codes, name
    if "B" in claimed and verdict != "unverifiable":
        assert outcome.expected.kind == "per_batch", name


def test_per_batch_counterexample_is_a_real_difference(per_batch_report: CheckReport) -> None:
    """The point shown for a per-batch formula (with B) separates the claim from B times the truth."""
    from symcnn.formula.equality import expanded
    from symcnn.formula.evaluation import value_of
    from symcnn.formula.symbols import B

    shown = 0
    for checked, row in zip(per_batch_report.checked, PER_BATCH_CLAIMS, strict=True):
        network = checked.claim.subject.part.network
        truth = B * network.activation(network.layer(row[1])) if row[1] != "input" else None
        for finding in checked.outcome.findings:
            if finding.code == "counterexample":
                point = finding.fields["point"]
                claimed = expanded(checked.claim.claimed.value, network.definitions)
                assert B in point
                assert value_of(claimed, point) == finding.fields["used"]
                assert value_of(expanded(truth, network.definitions), point) == finding.fields["right"]
                assert finding.fields["used"] != finding.fields["right"]
                shown += 1
    assert shown == 3


def test_per_batch_number_on_a_network_with_values(tmp_path: Path) -> None:
    """With values, B·256 is a number per sample and B·C_out·64 is right at the values only."""
    header = f"{SYMBOLIC_NETWORK}\n[values]\nC = 3\nH = 10\nW = 10\nC_out = 4"
    rows = [
        {"layer": "conv1", "quantity": "activation_elements", "claimed": claimed}
        for claimed in ("B*256", "B*C_out*64", "B*C_out*H_1*W_1", "B*255")
    ]
    report = check_claims(read_claims(claims_file(tmp_path, "c.toml", header, rows)))
    assert [c.verdict for c in report.checked] == ["correct", "wrong", "correct", "wrong"]
    right_at_values = report.checked[1].outcome.findings
    assert codes(right_at_values) == ["right_at_values_only"]
    assert str(right_at_values[0].fields["value"]) == "B*256"
    assert codes(report.checked[3].outcome.findings) == ["digit_slip"]


# --- how sure a formula's match with a known mistake is -----------------------------


def test_formula_match_says_whether_it_was_proved(tmp_path: Path) -> None:
    """A match shown symbolically says so (ceil((x + 1)/S) for floor(x/S) + 1 is proved too)."""
    from symcnn.render.check_report import diagnosis
    from symcnn.render.resources import words

    rows = [
        {"part": 1, "quantity": "mults", "claimed": "K_1*K_2*W_out*H_out*C_out"},
        {
            "part": 1,
            "quantity": "mults",
            "claimed": "K_1*K_2*ceil((W + 2P - K_1 + 1)/S)*ceil((H + 2P - K_2 + 1)/S)*C_out",
        },
        {"part": 1, "quantity": "mults", "claimed": 75497472},
    ]
    header = f"assignment = {toml(str(ASSIGNMENT))}"
    report = check_claims(read_claims(claims_file(tmp_path, "c.toml", header, rows)))
    proved, sampled, number = (c.outcome for c in report.checked)
    assert codes(proved.findings) == codes(sampled.findings) == ["missing_factor", "counterexample"]
    assert proved.findings[0].fields["proved"] is True
    assert proved.findings[0].fields["match"].code == "proved_match"
    assert sampled.findings[0].fields["proved"] is True
    assert sampled.findings[0].fields["match"].code == "proved_match"
    assert "match" not in number.findings[0].fields
    text = words()
    assert "exactly the one this mistake gives" in diagnosis(proved, text)
    assert "exactly the one this mistake gives" in diagnosis(sampled, text)
    for style in ("md", "tex"):
        assert "this mistake gives" in diagnosis(proved, text, style)
    assert "mistake gives" not in diagnosis(number, text)
