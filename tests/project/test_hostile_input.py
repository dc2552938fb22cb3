"""Hostile input: any string, any TOML file ends in a clean answer or a clean refusal, in seconds.

Thousands of generated strings go to the parser; hundreds of generated TOML
files go to ``summary``, ``solve`` and ``check`` (in-process calls of
:func:`symcnn.cli.main`, plus a few real processes). Every run must exit 0, 1
(a claim is wrong), 2 (bad input, one line) or 3 (TeX), print no traceback,
never reach the catch-all for unforeseen errors, and take under a few seconds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symcnn.cli import main
from symcnn.errors import ExpressionError
from symcnn.formula.expr import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_LENGTH, parse_expression

SECONDS = 5.0
ATOMS = ["W", "H", "K_1", "P", "S", "C_in", "G", "D", "N", "B", "0", "1", "2", "9", "10", "99", "100"]
HOSTILE = [
    "2^2^2^2^2^2^2^2", "10^10^10", "9^9^9", "2^1000", "10^100", "((9^99)^99)^99", "2^-1000", "0^-1",
    "W/0", "1/(W - W)", "２２４", "W\u3000+ 1", "W\u00a0", "٣", "𝟚", "1e5", "1.5", "inf", "nan", "W**W", "W^K",
    "(" * 300 + "W" + ")" * 300, "(" * (MAX_DEPTH + 1) + "W" + ")" * (MAX_DEPTH + 1), "-" * 300 + "W",
    "9" * (MAX_DIGITS + 1), "9" * 5000, "1" + "0" * 4400, "floor(" * 60 + "W" + ")" * 60, "W" * (MAX_LENGTH + 1),
    "__import__('os')", "eval(1)", "exp(1)", "sqrt(W)", "W;W", "W\nW", "", " ", "()", "floor", "floor()",
    "ceil(W", "W)", "2W3", "W_", "_W", "Wé", "W^(1/2)", f"2^{MAX_EXPONENT + 1}", f"10^{MAX_EXPONENT}*10^{MAX_EXPONENT}",
]


def hostile_strings(count: int, seed: int = 8) -> list[str]:
    """``HOSTILE`` plus ``count`` random strings of atoms, operators and odd characters."""
    rng = random.Random(seed)
    pieces = [*ATOMS, "+", "-", "*", "/", "//", "^", "**", "(", ")", "floor(", "ceil(", " ", "２", "×", "·",
              "−", "\t", "é", "[", ",", ":", "'", '"', "\\", "9" * 40, "^99", "^100", "^101"]
    out = list(HOSTILE)
    while len(out) < count:
        out.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))))
    return out


def test_the_parser_answers_or_refuses_every_string_quickly() -> None:
    for text in hostile_strings(3000):
        start = time.perf_counter()
        try:
            parse_expression(text)
            parse_expression(text, evaluate=False)
        except ExpressionError as error:
            assert "\n" not in str(error).strip(), text
        assert time.perf_counter() - start < 1.0, text


def test_full_width_digits_are_refused_with_their_column() -> None:
    with pytest.raises(ExpressionError, match="column 5"):
        parse_expression("W + ２２４")


def test_limits_are_checked_before_the_work() -> None:
    for text in ("2^2^2^2^2^2^2^2", "10^10^10", "9^9^9", "((9^99)^99)^99", "9" * 5000):
        start = time.perf_counter()
        with pytest.raises(ExpressionError):
            parse_expression(text)
        assert time.perf_counter() - start < 0.1, text


# --- whole files through the command line ------------------------------------------------

LAYERS = ["Conv2d", "MaxPool2d", "Conv2d", "ReLU", "Dropout", "BatchNorm2d", "Flatten", "Linear", "Nope"]
QUANTITIES = ["params", "mults", "adds", "output_width", "output_height", "output_shape", "output_elements",
              "receptive_field", "activation_elements", "max_batch", "comparisons", "bogus"]


SANE = {
    "out_channels": [1, 4, 16, "C_out"], "kernel_size": [1, 2, 3, [3, 1]], "stride": [1, 2, "S"],
    "padding": [0, 1, "P"], "dilation": [1, 2], "groups": [1], "ceil_mode": [True, False],
    "out_features": [10, "N"], "p": [0.5, 0], "num_features": [4], "inplace": [False],
}
SANE_CLAIMS = [7, 100, "W - 2", "floor((W + 2P - K_1)/S) + 1", "(K_1*K_2*C_in + 1)*C_out", "C_out*W_out*H_out",
               "2*K_1*K_2*C_in*C_out*W_out*H_out", "ceil((W - 1)/S)", "i - 1 : i + 1", "B*W*H", "73,856"]


def _value(rng: random.Random, strings: list[str], key: str = "", hostile: bool = True) -> object:
    """A hostile value, or (``hostile`` False) a sane one for ``key``."""
    if not hostile:
        if key == "claimed":
            return rng.choice(SANE_CLAIMS)
        return rng.choice(SANE.get(key, [1, 2, 3, 8, 32]))
    kind = rng.random()
    if kind < 0.5:
        return rng.choice(strings)
    if kind < 0.7:
        return rng.choice([0, 1, 3, 7, 64, 256, -1, 10**30, 2**63, 10**99])
    if kind < 0.8:
        return rng.choice([1.5, -1.0, float("nan"), float("inf"), True, [], {}])
    return rng.choice(ATOMS)


def _toml(value: object) -> str:
    """A TOML value; TOML spells nan and inf without quotes, and JSON strings are TOML strings."""
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == {}:
        return "{}"
    return json.dumps(value)


def _layer(rng: random.Random, strings: list[str], odds: float) -> str:
    keys = {"Conv2d": ["out_channels", "kernel_size", "stride", "padding", "dilation", "groups"],
            "MaxPool2d": ["kernel_size", "stride", "padding", "ceil_mode"], "Linear": ["out_features"],
            "Dropout": ["p"], "BatchNorm2d": ["num_features"], "ReLU": ["inplace"]}
    kind = rng.choice(LAYERS[:-1]) if rng.random() > odds else rng.choice(LAYERS)
    own = keys.get(kind, [])
    required = {"Conv2d": ["out_channels", "kernel_size"], "MaxPool2d": ["kernel_size"]}.get(kind, [])
    optional = [key for key in own if key not in required] + (["x"] if rng.random() < odds else [])
    chosen = required + rng.sample(optional, k=min(len(optional), rng.randint(0, 2)))
    args = "".join(f", {key} = {_toml(_value(rng, strings, key, rng.random() < odds))}" for key in chosen)
    repeat = f", repeat = {rng.choice([1, 2, 10**8, 0, -3])}" if rng.random() < odds / 4 else ""
    return f'{{ type = "{kind}"{args}{repeat} }}'


def hostile_files(count: int, seed: int = 88) -> list[tuple[str, str]]:
    """(command, TOML text) pairs: networks for summary, claims for check, assignments for solve.

    Each value is hostile with a small probability, so that most files reach the deep code
    (sampling, diagnoses, rendering) with one odd value somewhere.
    """
    rng = random.Random(seed)
    strings = hostile_strings(400, seed)
    files = []
    for k in range(count):
        odds = rng.choice([0.05, 0.15, 0.5])

        def pick(key: str = "") -> object:
            return _value(rng, strings, key, rng.random() < odds)  # noqa: B023 - used within the loop

        shape = _toml([pick() for _ in range(rng.choice([3, 3, 3, 1, 2]))] if rng.random() < odds
                      else rng.choice([[3, 32, 32], ["C_in", "H", "W"], [3, "H", "W"], [8, 9, 7]]))
        layers = ", ".join(_layer(rng, strings, odds) for _ in range(rng.randint(1, 4)))
        values = "".join(f"{name} = {_toml(_value(rng, strings, name, rng.random() < odds / 3))}\n"
                         for name in rng.sample(ATOMS[:10], 3))
        network = f"input = {shape}\nlayers = [{layers}]\n[values]\n{values}"
        if k % 10 == 0:
            files.append(("solve", f'title = "t"\n[values]\n{values}[[parts]]\ntitle = "p"\n'
                                   f'layer = {_layer(rng, strings, odds)}\nquestions = ["params", "output_width"]\n'))
        elif k % 2 == 0:
            files.append(("summary", network))
        else:
            target = f"network = {{ {network.split(chr(10) + '[values]')[0].replace(chr(10), ', ')} }}"
            if rng.random() < 0.5:
                target = f"layer = {_layer(rng, strings, odds)}"
            claims = "".join(
                f"[[claims]]\nquantity = {_toml(rng.choice(QUANTITIES[:-1]) if rng.random() > odds else 'bogus')}\n"
                f"claimed = {_toml(pick('claimed'))}\n"
                + (f"intermediate = [{_toml(rng.choice(strings))}]\n" if rng.random() < 0.3 else "")
                for _ in range(rng.randint(1, 3))
            )
            files.append(("check", f"{target}\n[values]\n{values}{claims}"))
    files += [("summary", "x = [" * 400 + "]" * 400), ("summary", "\x00\xff"), ("check", "claims = 1")]
    return files


def _run(command: str, path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = [command, str(path)]
    if command == "solve":
        argv += ["-o", str(folder / "out"), "--format", "md"]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def test_generated_files_end_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow, crashes = [], []
    for k, (command, text) in enumerate(hostile_files(400)):
        path = tmp_path / f"f{k}.toml"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        start = time.perf_counter()
        code, err = _run(command, path, tmp_path, capsys)
        took = time.perf_counter() - start
        assert code in (0, 1, 2, 3), (command, text)
        assert "Traceback" not in err, (command, text, err)
        errors = [line for line in err.splitlines() if not line.startswith("symcnn: warning: ")]
        assert code != 2 or (len(errors) == 1 and errors[0].startswith("symcnn: error: ")), (command, text, err)
        if "could not be handled" in err:
            crashes.append((command, text, err))
        if took > SECONDS:
            slow.append((command, took, text))
    assert not crashes, crashes[:3]
    assert not slow, slow[:3]


def test_the_examples_in_the_issue_end_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "repeat": ("summary", 'input = [3, 8, 8]\n[[layers]]\ntype = "ReLU"\nrepeat = 100000000\n'),
        "dropout": ("summary", 'input = [3, 8, 8]\n[[layers]]\ntype = "Dropout"\np = 1.5\n'),
        "dropout nan": ("summary", 'input = [3, 8, 8]\n[[layers]]\ntype = "Dropout"\np = nan\n'),
        "full width": ("summary", 'input = [3, "２２４", 224]\n[[layers]]\ntype = "ReLU"\n'),
        "tower in values": ("summary", 'input = [3, "W", "W"]\n[values]\nW = "2^2^2^2^2^2^2^2"\n'
                            '[[layers]]\ntype = "ReLU"\n'),
        "digits": ("summary", "input = [3, " + "9" * 5000 + ', 8]\n[[layers]]\ntype = "ReLU"\n'),
        "tower in claim": ("check", 'layer = { type = "Conv2d" }\n[[claims]]\nquantity = "params"\n'
                           'claimed = "9^9^9"\n'),
        "tower in region": ("check", 'network = { input = [3, 32, 32], layers = [{ type = "Conv2d", name = "c", '
                            'out_channels = 4, kernel_size = 3 }] }\n[[claims]]\nlayer = "c"\n'
                            'quantity = "receptive_field"\nclaimed = "10^10^10 i : i"\n'),
        "step power": ("check", 'layer = { type = "Conv2d" }\n[values]\nW = 8\nH = 8\nK_1 = 3\nK_2 = 3\nP = 0\n'
                       'S = 1\nC_in = 1\nC_out = 1\n[[claims]]\nquantity = "params"\nclaimed = 11\n'
                       'intermediate = ["10^100", "2^100"]\n'),
        "huge claim": ("check", 'layer = { type = "Conv2d" }\n[values]\nW = 8\nH = 8\nK_1 = 3\nK_2 = 3\nP = 0\n'
                       'S = 1\nC_in = 1\nC_out = 1\n[[claims]]\nquantity = "params"\nclaimed = "10^99*10^99"\n'),
        "nested": ("check", 'layer = { type = "Conv2d" }\n[[claims]]\nquantity = "params"\nclaimed = "'
                   + "(" * 200 + "W" + ")" * 200 + '"\n'),
    }
    for name, (command, text) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.toml"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        code, err = _run(command, path, tmp_path, capsys)
        assert time.perf_counter() - start < SECONDS, name
        assert "Traceback" not in err and "could not be handled" not in err, (name, err)
        expected = 1 if name in ("step power", "huge claim") else 2
        assert code == expected, (name, code, err)


@pytest.mark.parametrize("text", [
    'input = [3, "10^10^10", 8]\n[[layers]]\ntype = "ReLU"\n',
    'input = [3, 8, 8]\n[[layers]]\ntype = "ReLU"\nrepeat = 100000000\n',
    "[[[",
])
def test_real_processes_refuse_in_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.toml"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-m", "symcnn", "summary", str(path)], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("symcnn: error: ")
    assert done.stdout == ""
