"""Variants: conditions in the restricted parser, draws fixed by seed and id, conditions always held."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
import torch
from hypothesis import given
from hypothesis import strategies as st

from symcnn.classroom.variants import (
    draw,
    evaluate,
    for_students,
    holds,
    numbered,
    read_variant_space,
    variant_assignment,
)
from symcnn.errors import ExpressionError, SpecError
from symcnn.formula.expr import parse_condition
from symcnn.formula.symbols import symbol
from tests.helpers import reproducible

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed_assignment.toml"
W, P, K_1, S = (symbol(n) for n in ("W", "P", "K_1", "S"))


@pytest.mark.parametrize(("text", "env", "expected"), [
    ("(W + 2*P - K_1) % S == 0", {W: 256, P: 1, K_1: 3, S: 1}, True),
    ("(W + 2*P - K_1) % S == 0", {W: 256, P: 1, K_1: 3, S: 2}, False),
    ("W >= 8 and (K_1 < 5 or S == 1)", {W: 8, K_1: 7, S: 1}, True),
    ("W >= 8 and (K_1 < 5 or S == 1)", {W: 8, K_1: 7, S: 2}, False),
    ("not W > 3", {W: 3}, True),
    ("floor(W / S) != W // 2", {W: 7, S: 2}, False),
    ("2W + 1 <= (W + 1) * 2", {W: 5}, True),
])
def test_conditions_read_and_evaluated_exactly(text: str, env: dict, expected: bool) -> None:
    assert evaluate(parse_condition(text), env) is expected


@pytest.mark.parametrize("text", [
    "__import__('os') == 1", "eval(W) == 1", "W = 3", "W and S", "W ==", "(W == 3", "W", "W ; 1 == 1",
    "W.real == 1", "and == 2",
])
def test_conditions_outside_the_grammar_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_condition(text)


@reproducible(max_examples=60)
@given(st.integers(1, 500), st.integers(0, 5), st.integers(1, 11), st.integers(1, 4))
def test_evaluation_agrees_with_python(w: int, p: int, k: int, s: int) -> None:
    condition = parse_condition("(W + 2*P - K_1) % S == 0 and W + 2*P >= K_1 or S > 3")
    env = {W: w, P: p, K_1: k, S: s}
    assert evaluate(condition, env) is (((w + 2 * p - k) % s == 0 and w + 2 * p >= k) or s > 3)
    assert evaluate(parse_expression_mod("W % S"), env) == w % s


def parse_expression_mod(text: str) -> sp.Expr:
    from symcnn.formula.expr import parse_expression

    return parse_expression(text)


def test_a_students_numbers_depend_only_on_seed_and_id() -> None:
    space = read_variant_space(SEED)
    ids = [f"s{k}" for k in range(20)]
    first = for_students(space, "fall", ids)
    assert for_students(space, "fall", ids) == first
    more = for_students(space, "fall", ["new", *reversed(ids)])  # a new student, another order
    assert all(more[student] == first[student] for student in ids)
    assert for_students(space, "spring", ids) != first
    assert len({tuple(v.values()) for v in first.values()}) == len(ids)  # a large space: all distinct


def test_every_variant_meets_the_conditions_and_the_layers() -> None:
    space = read_variant_space(SEED)
    for k in range(200):
        v = draw(space, "check", str(k))
        # the seed's require, by hand, and the layers' own conditions
        assert (v["W"] + 2 * v["P"] - v["K_1"]) % v["S"] == 0 and (v["H"] + 2 * v["P"] - v["K_2"]) % v["S"] == 0
        assert 2 * v["P"] < v["K_1"] and 2 * v["P"] < v["K_2"]
        assert v["W"] + 2 * v["P"] >= v["K_1"] and v["H"] >= 2
        assert set(v) == set(space.choices) and all(v[n] in space.choices[n] for n in v)


def _small(tmp_path: Path, variants: str) -> Path:
    path = tmp_path / "a.toml"
    path.write_text(f"""title = "small"
[values]
W = 8
K_1 = 3
S = 1
P = 0
C_in = 1
C_out = 4
[[parts]]
title = "conv"
network = {{ input = ["C_in", "W", "W"], layers = [{{ type = "Conv2d", out_channels = "C_out", \
kernel_size = "K_1", stride = "S" }}] }}
questions = ["bottleneck"]
[variants]
{variants}
""")
    return path


def test_numbered_variants_are_distinct_then_say_how_many_exist(tmp_path: Path) -> None:
    table = 'W = [8, 9, 10]\nK_1 = [3, 5]\nrequire = ["(W - K_1) % 2 == 0 or W == 10 and K_1 == 3"]'
    space = read_variant_space(_small(tmp_path, table))
    valid = [{"W": w, "K_1": k} for w, k in itertools.product((8, 9, 10), (3, 5))
             if (w - k) % 2 == 0 or (w, k) == (10, 3)]
    four, distinct = numbered(space, 1, 4)
    assert distinct == len(valid) == 3
    assert sorted(map(str, four[:3])) == sorted(map(str, valid)) and four[3] == four[0]
    assert numbered(space, 1, 2)[0] == four[:2]  # asking for more changes none of the earlier ones
    assert all(holds(space, v) for v in four)


def test_network_sizes_from_variant_symbols_match_torch(tmp_path: Path) -> None:
    table = "W = [9, 12, 17]\nC_in = [1, 3]\nC_out = [2, 5]\nK_1 = [1, 3]\nS = [1, 2]"
    space = read_variant_space(_small(tmp_path, table))
    for k in range(6):
        values = draw(space, 3, str(k))
        network = variant_assignment(space, values).parts[0].network
        conv = torch.nn.Conv2d(values["C_in"], values["C_out"], values["K_1"], stride=values["S"])
        out = conv(torch.zeros(1, values["C_in"], values["W"], values["W"]))
        assert tuple(int(n) for n in network.layers[0].output_shape) == tuple(out.shape[1:])


def test_impossible_conditions_are_one_clear_error(tmp_path: Path) -> None:
    path = _small(tmp_path, 'W = [8, 9]\nrequire = ["W > 100"]')
    with pytest.raises(SpecError, match="no combination of the choices meets the conditions"):
        numbered(read_variant_space(path), 1, 3)
    run = subprocess.run([sys.executable, "-m", "symcnn", "variants", str(path), "--count", "2", "--seed", "1",
                          "-o", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "W > 100" in run.stderr


@pytest.mark.parametrize(("entry", "message"), [
    ("W = []", "give a list of integers"),
    ("W = { min = 9, max = 3 }", "min <= max"),
    ("Q = [1, 2]", "not under [values]"),
    ('require = ["W >> 2"]', "require[1]"),
    ('require = ["Z > 2"]', "'Z' has no value"),
    ('require = ["W ^ (1/2) > 3"]', "exponent must be a whole number"),
])
def test_bad_variants_tables_name_the_place(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(SpecError, match=message.replace("[", r"\[")):
        read_variant_space(_small(tmp_path, entry))
