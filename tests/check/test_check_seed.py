"""symcnn check on the seed document's own answers (examples/seed_claims.toml).

Every claim's verdict and diagnosis is asserted, and the committed report
(reports/seed_check.md, .tex) must be what the check renders today.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symcnn.check.checker import CheckReport, check_claims
from symcnn.files.claims import read_claims
from symcnn.formula.plain import plain, region_text
from symcnn.render.check_report import context
from symcnn.render.documents import render

ROOT = Path(__file__).resolve().parents[2]
SEED_CLAIMS = ROOT / "examples" / "seed_claims.toml"
RF = "receptive_field"

#: claim index -> (quantity, verdict, finding codes)
EXPECTED = {
    1: ("input_elements", "correct", []),
    2: ("output_width", "correct", []),
    3: ("output_height", "correct", []),
    4: ("output_channels", "correct", []),
    5: ("params", "correct", []),
    6: ("mults", "wrong", ["missing_factor", "counterexample"]),
    **{
        k: (q, "correct", [])
        for k, q in zip(
            range(7, 17),
            (
                "input_elements",
                "output_width",
                "output_height",
                "output_channels",
                "params",
                "mults",
                "input_elements",
                "output_features",
                "params",
                "mults",
            ), strict=False,
        )
    },
    17: ("params", "correct", []),
    18: ("mults", "wrong", ["step_diverges", "step_slip"]),
    **{
        k: (q, "correct", [])
        for k, q in zip(
            range(19, 28),
            (
                "output_width",
                "output_height",
                "params",
                "mults",
                "output_width",
                "output_height",
                "params",
                "mults",
                "output_features",
            ), strict=False,
        )
    },
    **{k: ("activation_elements", "correct", []) for k in (28, 29, 30, 31, 32, 33, 34, 35, 36, 41, 44, 45)},
    **{k: ("output_shape", "correct", []) for k in (37, 38, 39, 40, 42, 43, 46, 47)},
    48: ("largest_activation_elements", "correct", []),
    49: ("max_batch", "correct", []),
    50: (RF, "correct", []),
    51: (RF, "correct", []),
    52: (RF, "wrong", ["rf_chain_reversed"]),
    53: (RF, "wrong", ["rf_chain_reversed"]),
    54: (RF, "wrong", ["rf_end_slip"]),
    55: (RF, "wrong", ["rf_step_reversed"]),
    56: (RF, "wrong", ["rf_step_stride_one"]),
    57: (RF, "wrong", ["rf_step_stride_one"]),
    58: (RF, "wrong", ["rf_step_reversed"]),
    59: (RF, "wrong", ["rf_step_stride_one"]),
    60: (RF, "wrong", ["rf_step_stride_one"]),
    61: (RF, "wrong", ["rf_step_reversed"]),
    62: (RF, "wrong", ["rf_step_stride_one"]),
    63: (RF, "wrong", ["rf_step_stride_one"]),
    64: (RF, "wrong", ["rf_other_claimed"]),
}


@pytest.fixture(scope="module")
def report() -> CheckReport:
    return check_claims(read_claims(SEED_CLAIMS))


def by_index(report: CheckReport, index: int):  # noqa: ANN201
    return report.checked[index - 1]


def test_every_answer_is_transcribed_and_checked(report: CheckReport) -> None:
    assert [c.claim.index for c in report.checked] == sorted(EXPECTED) == list(range(1, 65))
    assert report.counts == {"correct": 49, "equivalent": 0, "wrong": 15, "unverifiable": 0}
    assert report.exit_code == 1


@pytest.mark.parametrize("index", list(EXPECTED))
def test_seed_claim(report: CheckReport, index: int) -> None:
    quantity, verdict, codes = EXPECTED[index]
    checked = by_index(report, index)
    assert checked.claim.quantity == quantity
    assert checked.verdict == verdict
    assert [f.code for f in checked.outcome.findings] == codes
    if verdict == "correct":
        assert checked.outcome.alternatives == ()


def test_conv_parameters_73856_correct(report: CheckReport) -> None:
    checked = by_index(report, 17)
    assert checked.outcome.expected.value == 73856
    assert checked.outcome.derivation.latex().endswith("73{,}856")


def test_conv_mults_formula_misses_c_in(report: CheckReport) -> None:
    finding = by_index(report, 6).outcome.findings[0]
    assert finding.fields["factor"] == sp.Symbol("C_in", integer=True, positive=True)
    assert finding.fields["proved"] is True
    assert plain(by_index(report, 6).outcome.expected.formula) == "K_1*K_2*C_in*W_out*H_out*C_out"


def test_conv_mults_number_is_c_in_missing_and_255_for_256(report: CheckReport) -> None:
    """74,908,800 = 3·3·255·255·128: the formula without C_in, and W_out = H_out taken as 255."""
    assert 3 * 3 * 255 * 255 * 128 == 74_908_800
    checked = by_index(report, 18)
    assert checked.outcome.expected.value == 4_831_838_208
    diverges, slip = checked.outcome.findings
    assert diverges.fields["used"] == 3 * 3 * 256 * 256 * 128
    assert [f.code for f in diverges.fields["why"]] == ["missing_factor"]
    assert plain(slip.fields["node"]) == "(256 + 2 - 3)/1 + 1"
    assert (slip.fields["right"], slip.fields["used"]) == (256, 255)


def test_outputs_and_fully_connected_answers(report: CheckReport) -> None:
    assert [by_index(report, k).outcome.expected.value for k in (19, 20, 23, 24)] == [256, 256, 128, 128]
    assert by_index(report, 25).outcome.expected.value == 4_194_305_000
    assert by_index(report, 26).outcome.expected.value == 4_194_304_000


def test_batch_768_under_the_activation_model_with_gib(report: CheckReport) -> None:
    checked = by_index(report, 49)
    assert checked.verdict == "correct"
    part = checked.claim.subject.part
    assert part.budget.bytes == 12 * 2**30
    assert checked.outcome.derivation.result == 768


def test_receptive_fields_wrong_from_pool1_on(report: CheckReport) -> None:
    regions = {by_index(report, k).claim.subject.layer: by_index(report, k) for k in range(50, 64)}
    wrong = [name for name, checked in regions.items() if checked.verdict == "wrong"]
    assert wrong == [
        "pool1",
        "conv3",
        "conv4",
        "pool2",
        "conv5",
        "conv6",
        "pool3",
        "conv7",
        "conv8",
        "pool4",
        "conv9",
        "conv10",
    ]
    true_conv10 = by_index(report, 63).outcome.expected.value
    assert region_text(*true_conv10, 1) == "16i - 62 : 16i + 77"


def test_pooling_rows_apply_the_window_to_the_region(report: CheckReport) -> None:
    """Each pooling row is the student's previous row with i -> 2i: offsets times the stride."""
    for index, previous in ((55, "conv4"), (58, "conv6"), (61, "conv8")):
        finding = by_index(report, index).outcome.findings[0]
        assert finding.code == "rf_step_reversed"
        assert finding.fields["previous"] == previous


def test_conv4_start_is_a_slip(report: CheckReport) -> None:
    finding = by_index(report, 54).outcome.findings[0]
    assert finding.fields["end"] == "start"
    assert finding.fields["used"] == "2i - 4"
    assert region_text(*finding.fields["right"], 1) == "2i - 6 : 2i + 7"


def test_final_answer_is_the_pool4_row(report: CheckReport) -> None:
    finding = by_index(report, 64).outcome.findings[0]
    assert (finding.fields["other"], finding.fields["index"]) == ("pool4", 61)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_committed_report_is_current(report: CheckReport, fmt: str) -> None:
    committed = ROOT / "reports" / f"seed_check.{fmt}"
    assert committed.is_file(), f"regenerate with: symcnn check examples/seed_claims.toml -o {committed}"
    assert committed.read_text() == render(f"check.{fmt}.j2", fmt, **context(report, fmt))


def test_committed_report_explains_each_verdict() -> None:
    text = (ROOT / "reports" / "seed_check.md").read_text()
    for index, (_, _verdict, _) in EXPECTED.items():
        assert f"### {index}. " in text
    assert text.count(": wrong\n") == 15
    assert "**Diagnosis:**" in text
