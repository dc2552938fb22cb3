"""Network spec files through ``symcnn summary``: every bad input, and the JSON schema.

A bad spec exits 2 with one line on stderr naming the file, the layer (index
or name) and the key, and nothing on stdout.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symcnn import cli
from symcnn.files.spec import read_network
from symcnn.formula.evaluation import value_of
from symcnn.formula.expr import parse_expression
from symcnn.formula.symbols import symbol

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED = EXAMPLES / "seed_network.toml"

CONV = """
[[layers]]
type = "Conv2d"
out_channels = 8
kernel_size = 3
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = cli.main(["summary", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_refused(capsys, path: Path | str, *fragments: str, argv: tuple[str, ...] = ()) -> str:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, str(path), *argv)
    assert code == 2, err
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("symcnn: error: "), err
    assert "Traceback" not in err
    for fragment in (str(path), *fragments):
        assert fragment in err, (fragment, err)
    return err


# ---------------------------------------------------------------- bad specs

BAD_SPECS = {
    "unknown-type": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2D"\nout_channels = 8\nkernel_size = 3\n',
        ["layer 1", "type 'Conv2D'", "did you mean 'Conv2d'?"],
    ),
    "typo-key": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernal_size = 3\n',
        ["layer 1", "'kernal_size'", "did you mean 'kernel_size'?"],
    ),
    "typo-key-second-layer-named": (
        'input = [3, 32, 32]\n' + CONV
        + '[[layers]]\ntype = "MaxPool2d"\nname = "down"\nkernel_size = 2\nstrid = 2\n',
        ["layer 2", "down", "'strid'", "did you mean 'stride'?"],
    ),
    "float-kernel": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = 2.5\n',
        ["layer 1", "kernel_size", "2.5"],
    ),
    "string-bias": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = 3\nbias = "yes"\n',
        ["layer 1", "bias", "true or false", "'yes'"],
    ),
    "bool-size": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = true\nkernel_size = 3\n',
        ["layer 1", "out_channels", "True"],
    ),
    "negative-input": (
        'input = [3, -5, 32]\n' + CONV,
        ["input[1]", "positive integer", "-5"],
    ),
    "zero-input": (
        'input = [0, 32, 32]\n' + CONV,
        ["input[0]", "positive integer", "0"],
    ),
    "negative-value": (
        'input = ["C", "H", 32]\n[values]\nC = 3\nH = -5\n' + CONV,
        ["values.H", "positive integer", "-5"],
    ),
    "negative-stride": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = 3\nstride = -1\n',
        ["layer 1", "stride", "-1"],
    ),
    "kernel-too-large-named": (
        'input = [3, 32, 32]\n' + CONV
        + '[[layers]]\ntype = "Conv2d"\nname = "huge"\nout_channels = 8\nkernel_size = 40\n',
        ["huge", "kernel_size 40", "larger than the padded input", "30"],
    ),
    "kernel-too-large-unnamed": (
        'input = [3, 32, 32]\n' + CONV
        + '[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = [3, 31]\n',
        ["conv2", "kernel_size 31", "width 30"],
    ),
    "kernel-too-large-after-binding": (
        'input = ["C", "H", 32]\n[values]\nC = 3\nH = 2\n' + CONV,
        ["conv1", "H >= 3", "2 >= 3"],
    ),
    "attribute-access": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = "W.real"\n',
        ["layer 1", "kernel_size", "'.'", "W.real"],
    ),
    "call-other-than-floor-ceil": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = "exp(W)"\n',
        ["layer 1", "kernel_size", "exp() is not allowed", "floor() and ceil()"],
    ),
    "invalid-toml": (
        'input = [3, 32, 32]\n[[layers]\ntype = "Conv2d"\n',
        ["not valid TOML", "line 2"],
    ),
    "linear-without-flatten": (
        'input = [3, 32, 32]\n' + CONV + '[[layers]]\ntype = "Linear"\nout_features = 10\n',
        ["fc1", "Linear needs a feature vector", "(8, 30, 30)", "add a Flatten layer"],
    ),
    "unknown-top-level-key": (
        'inputs = [3, 32, 32]\n' + CONV,
        ["'inputs'", "did you mean 'input'?"],
    ),
    "no-layers": ('input = [3, 32, 32]\n', ["no layers"]),
    "bad-repeat": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "ReLU"\nrepeat = 0\n',
        ["layer 1", "repeat", "positive integer"],
    ),
    "duplicate-names": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "ReLU"\nname = "a"\n[[layers]]\ntype = "ReLU"\nname = "a"\n',
        ["'a'", "two layers"],
    ),
    "in-channels-mismatch": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\nin_channels = 4\n'
        'out_channels = 8\nkernel_size = 3\n',
        ["conv1", "in_channels is 4", "3"],
    ),
    "pool-padding-too-large": (
        'input = [3, 32, 32]\n[[layers]]\ntype = "MaxPool2d"\nkernel_size = 2\npadding = 2\n',
        ["layer 1", "padding 2", "kernel_size 2"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec(tmp_path: Path, capsys, case: str) -> None:  # type: ignore[no-untyped-def]
    text, fragments = BAD_SPECS[case]
    assert_refused(capsys, write(tmp_path, text), *fragments)


def test_expression_cannot_run_code(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pwned"
    text = (
        'input = [3, 32, 32]\n[[layers]]\ntype = "Conv2d"\n'
        f"out_channels = \"__import__('os').system('touch {marker}')\"\nkernel_size = 3\n"
    )
    assert_refused(capsys, write(tmp_path, text), "layer 1", "out_channels", "unexpected character '_'")
    assert not marker.exists()


def test_missing_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert_refused(capsys, tmp_path / "absent.toml", "no such file")


def test_directory_instead_of_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert_refused(capsys, tmp_path, "is a directory")


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (("--memory", "12 parsecs"), ["memory budget", "'12 parsecs'"]),
        (("--memory", "0GB"), ["memory budget", "positive whole number"]),
        (("--memory", "12GiB", "--dtype", "float8"), ["unknown dtype 'float8'"]),
        (("--memory", "12GiB", "--optimizer", "rmsprop"), ["unknown optimizer 'rmsprop'"]),
        (("--batch", "0"), ["--batch", "positive"]),
    ],
)
def test_bad_options(capsys, argv: tuple[str, ...], fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, str(SEED), *argv)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def test_memory_needs_numbers(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, 'input = ["C_in", "H", "W"]\n[[layers]]\ntype = "Conv2d"\n')
    code, out, err = run(capsys, str(path), "--memory", "12GiB")
    assert code == 2 and out == "" and err.count("\n") == 1 and "numbers" in err


def test_subprocess_exit_code_and_streams(tmp_path: Path) -> None:
    path = write(tmp_path, BAD_SPECS["unknown-type"][0])
    result = subprocess.run([sys.executable, "-m", "symcnn", "summary", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "did you mean 'Conv2d'?" in result.stderr


# ---------------------------------------------------------------- JSON

LAYER_KEYS = {"name", "type", "output_shape", "params", "mults", "adds", "activation_elements",
              "receptive_field", "inputs"}
TOTAL_KEYS = {"params", "mults", "adds", "activation_elements", "conv_linear_mults"}


def summary_json(capsys, path: Path | str, *argv: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    code, out, err = run(capsys, str(path), "--json", *argv)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def check_schema(data: dict) -> None:  # type: ignore[type-arg]
    assert set(data) <= {"name", "input", "layers", "totals", "batch", "memory", "definitions", "validity",
                         "inference"}
    assert {"name", "input", "layers", "totals"} <= set(data)
    assert isinstance(data["name"], str)
    assert isinstance(data["input"], list)
    for layer in data["layers"]:
        assert set(layer) - {"receptive_field_mixed", "receptive_field_note"} == LAYER_KEYS
        assert isinstance(layer["name"], str) and isinstance(layer["type"], str)
        assert isinstance(layer["output_shape"], list)
        field = layer["receptive_field"]
        assert field is None or (set(field) == {"size", "jump", "start"}
                                 and all(isinstance(v, list) and len(v) == 2 for v in field.values()))
    assert set(data["totals"]) == TOTAL_KEYS


def _flat(value):  # type: ignore[no-untyped-def]
    """Every number (or expression string) of a summary: names and types left out."""
    if isinstance(value, dict):
        return [x for k, v in value.items() if k not in ("name", "type", "budget_unit", "dtype", "inputs", "validity",
                                                          "during", "alive",
                                                          "optimizer", "bottleneck") for x in _flat(v)]
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


# conv: (C_in, C_out, H=W); by hand, 3x3 kernels, padding 1
SEED_CONVS = [(1, 64, 256), (64, 64, 256), (64, 128, 128), (128, 128, 128), (128, 256, 64), (256, 256, 64),
              (256, 512, 32), (512, 512, 32), (512, 512, 16), (512, 512, 16)]
SEED_FCS = [(32768, 4096), (4096, 4096), (4096, 2)]


def test_seed_json(capsys) -> None:  # type: ignore[no-untyped-def]
    data = summary_json(capsys, SEED)
    check_schema(data)
    assert "memory" not in data and "batch" not in data
    assert data["name"] == "VGG-13 (assignment)"
    assert data["input"] == [1, 256, 256]
    assert all(type(v) is int for v in _flat(data) if v is not None)  # exact ints: no floats, no strings

    layers = {layer["name"]: layer for layer in data["layers"]}
    assert len(data["layers"]) == 19
    conv1 = layers["conv1"]
    assert conv1 == {
        "name": "conv1", "type": "Conv2d", "output_shape": [64, 256, 256],
        "params": 640, "mults": 9 * 64 * 256 * 256, "adds": 9 * 64 * 256 * 256,
        "activation_elements": 4_194_304,
        "receptive_field": {"size": [3, 3], "jump": [1, 1], "start": [-1, -1]}, "inputs": ["input"],
    }
    assert layers["pool1"]["receptive_field"] == {"size": [6, 6], "jump": [2, 2], "start": [-2, -2]}
    assert layers["conv10"]["receptive_field"] == {"size": [140, 140], "jump": [16, 16], "start": [-62, -62]}
    assert layers["flatten1"]["receptive_field"] is None
    assert layers["flatten1"]["output_shape"] == [32768]
    assert layers["fc3"] == {
        "name": "fc3", "type": "Linear", "output_shape": [2], "params": 4097 * 2, "mults": 4096 * 2,
        "adds": 4096 * 2, "activation_elements": 2, "receptive_field": None, "inputs": ["fc2"],
    }

    conv_mults = sum(9 * c_in * c_out * size * size for c_in, c_out, size in SEED_CONVS)
    fc_mults = sum(n_in * n_out for n_in, n_out in SEED_FCS)
    params = (sum((9 * c_in + 1) * c_out for c_in, c_out, _ in SEED_CONVS)
              + sum((n + 1) * m for n, m in SEED_FCS))
    assert data["totals"] == {
        "params": params,
        "mults": conv_mults + fc_mults,
        "adds": conv_mults + fc_mults,  # (k − 1) sums + 1 bias per output: one add per mult
        "activation_elements": sum(layer["activation_elements"] for layer in data["layers"]),
        "conv_linear_mults": conv_mults + fc_mults,  # no BatchNorm here: every multiplication is a weight's
    }
    assert data["totals"]["params"] == 160_415_170
    assert data["totals"]["mults"] == 14_684_266_496
    assert data["totals"]["activation_elements"] == 18_030_594
    assert sum(layer["params"] for layer in data["layers"]) == params
    assert all(layer["activation_elements"] == math.prod(layer["output_shape"]) for layer in data["layers"])


def test_seed_json_with_memory(capsys) -> None:  # type: ignore[no-untyped-def]
    data = summary_json(capsys, SEED, "--memory", "12GiB", "--batch", "8")
    check_schema(data)
    assert data["batch"] == 8
    assert data["memory"] == {
        "budget_bytes": 12 * 2**30, "budget_unit": "GiB = 2^30 bytes", "dtype": "float32", "optimizer": "sgd",
        "bottleneck": ["conv1", "conv2"], "largest_activation_elements": 4_194_304,
        "max_batch_largest_activation": 768, "max_batch_training": 160,
        "max_batch_inference": 384,  # conv2 is computed while conv1, its input, is alive: 2 x 4,194,304
    }
    adam = summary_json(capsys, SEED, "--memory", "12GiB", "--optimizer", "adam")["memory"]
    assert (adam["max_batch_largest_activation"], adam["max_batch_training"]) == (768, 142)
    si = summary_json(capsys, SEED, "--memory", "12GB", "--dtype", "float16")["memory"]
    assert si["budget_bytes"] == 12 * 10**9
    assert si["max_batch_largest_activation"] == 12 * 10**9 // (2 * 4_194_304)


def test_seed_table_text(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, str(SEED), "--memory", "12GiB")
    assert code == 0 and err == ""
    assert "conv1 (Conv2d)" in out and "4,194,304" in out
    assert "Total params: 160,415,170" in out
    assert "Bottleneck: conv1, conv2 with 4,194,304 elements per sample" in out
    assert "(the assignment's model): 768" in out
    assert "optimizer state): 160" in out
    assert "140 x 140, jump 16, start -62" in out


SYMBOLIC = """
name = "symbolic"
input = ["C_in", "H", "W"]

[values]
H = 32
W = "H"        # an expression of an earlier value

[[layers]]
type = "Conv2d"
out_channels = "C_out"
kernel_size = "K"
padding = 1

[[layers]]
type = "MaxPool2d"
kernel_size = 2

[[layers]]
type = "Flatten"

[[layers]]
type = "Linear"
out_features = 10
"""


def test_symbolic_json(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Quantities that stay symbolic are strings; they parse back and agree with numbers."""
    data = summary_json(capsys, write(tmp_path, SYMBOLIC))
    check_schema(data)
    assert data["input"] == ["C_in", 32, 32]
    conv, pool, flatten, fc = data["layers"]
    assert conv["output_shape"][0] == "C_out"
    assert all(isinstance(v, str) for v in conv["output_shape"])
    assert conv["receptive_field"]["jump"] == [1, 1] and conv["receptive_field"]["start"] == [-1, -1]
    assert conv["receptive_field"]["size"] == ["K", "K"]
    assert fc["output_shape"] == [10] and fc["activation_elements"] == 10
    assert isinstance(fc["params"], str) and isinstance(data["totals"]["params"], str)
    assert pool["params"] == 0 and flatten["receptive_field"] is None

    # every string parses with symcnn's own parser; bound, it equals the fully numeric spec's number
    path = tmp_path / "net.toml"
    network, values = read_network(path)
    numbers = {symbol("C_in"): sp.Integer(3), symbol("C_out"): sp.Integer(8), symbol("K"): sp.Integer(3)}
    full = network.values({**values, **numbers})  # also binds layer symbols (H_1, ...) a string may name
    numeric_text = SYMBOLIC.replace('"C_in"', "3").replace('"C_out"', "8").replace('"K"', "3")
    numeric = summary_json(capsys, write(tmp_path, numeric_text, "numeric.toml"))
    assert all(not isinstance(v, str) for v in _flat(numeric) if v is not None)
    assert numeric["layers"][1]["output_shape"] == [8, 16, 16]

    def bound(value):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            result = value_of(parse_expression(value), full)
            assert result.is_Integer, (value, result)
            return int(result)
        return value

    for key in ("params", "mults", "adds", "activation_elements"):
        assert bound(data["totals"][key]) == numeric["totals"][key], key
        for symbolic_layer, numeric_layer in zip(data["layers"], numeric["layers"], strict=True):
            assert bound(symbolic_layer[key]) == numeric_layer[key], (symbolic_layer["name"], key)
    for symbolic_layer, numeric_layer in zip(data["layers"], numeric["layers"], strict=True):
        assert [bound(v) for v in symbolic_layer["output_shape"]] == numeric_layer["output_shape"]
        if symbolic_layer["receptive_field"] is not None:
            for key, pair in symbolic_layer["receptive_field"].items():
                assert [bound(v) for v in pair] == numeric_layer["receptive_field"][key]


def test_symbolic_values_fully_bound_give_ints(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SYMBOLIC.replace('W = "H"', 'W = "H"\nC_in = 3\nC_out = 8\nK = 3')
    data = summary_json(capsys, write(tmp_path, text))
    assert all(not isinstance(v, str) for v in _flat(data["layers"]) if v is not None)
    assert data["layers"][0]["output_shape"] == [8, 32, 32]
    assert data["layers"][0]["params"] == (27 + 1) * 8


MINIMAL_VGG13 = """
# VGG-13 on a 256 x 256 grey image, two classes (the assignment's network)
name = "VGG-13"
input = [1, 256, 256]   # C, H, W

[[layers]]
type = "Conv2d"         # block 1
out_channels = 64
kernel_size = 3
padding = 1
repeat = 2
[[layers]]
type = "MaxPool2d"
kernel_size = 2         # stride defaults to kernel_size, as in torch
[[layers]]
type = "Conv2d"         # block 2
out_channels = 128
kernel_size = 3
padding = 1
repeat = 2
[[layers]]
type = "MaxPool2d"
kernel_size = 2
[[layers]]
type = "Conv2d"
out_channels = 256
kernel_size = 3
padding = 1
repeat = 2
[[layers]]
type = "MaxPool2d"
kernel_size = 2
[[layers]]
type = "Conv2d"
out_channels = 512
kernel_size = 3
padding = 1
repeat = 2
[[layers]]
type = "MaxPool2d"
kernel_size = 2
[[layers]]
type = "Conv2d"
out_channels = 512
kernel_size = 3
padding = 1
repeat = 2
[[layers]]
type = "MaxPool2d"
kernel_size = 2
[[layers]]
type = "Flatten"
[[layers]]
type = "Linear"
out_features = 4096
repeat = 2
[[layers]]
type = "Linear"
out_features = 2        # two classes
"""

INLINE_VGG13 = """
name = "VGG-13"
input = [1, 256, 256]
layers = [
  { type = "Conv2d", out_channels = 64, kernel_size = 3, padding = 1, repeat = 2 },
  { type = "MaxPool2d", kernel_size = 2, stride = 2 },
  { type = "Conv2d", out_channels = 128, kernel_size = 3, padding = 1, repeat = 2 },
  { type = "MaxPool2d", kernel_size = 2, stride = 2 },
  { type = "Conv2d", out_channels = 256, kernel_size = 3, padding = 1, repeat = 2 },
  { type = "MaxPool2d", kernel_size = 2, stride = 2 },
  { type = "Conv2d", out_channels = 512, kernel_size = 3, padding = 1, repeat = 2 },
  { type = "MaxPool2d", kernel_size = 2, stride = 2 },
  { type = "Conv2d", out_channels = 512, kernel_size = 3, padding = 1, repeat = 2 },
  { type = "MaxPool2d", kernel_size = 2, stride = 2 },
  { type = "Flatten" },
  { type = "Linear", out_features = 4096 },
  { type = "Linear", out_features = 4096 },
  { type = "Linear", out_features = 2 },
]
"""


@pytest.mark.parametrize("text", [MINIMAL_VGG13, INLINE_VGG13], ids=["tables", "inline"])
def test_minimal_vgg13_spec(tmp_path: Path, capsys, text: str) -> None:  # type: ignore[no-untyped-def]
    data = summary_json(capsys, write(tmp_path, text), "--memory", "12GiB")
    seed = summary_json(capsys, SEED, "--memory", "12GiB")
    assert data["name"] == "VGG-13"
    assert data["layers"] == seed["layers"]
    assert data["totals"] == seed["totals"]
    assert data["memory"]["max_batch_largest_activation"] == 768
    assert data["memory"]["max_batch_training"] == 160
    assert data["memory"]["bottleneck"] == ["conv1", "conv2"]


def test_named_repeats(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = ('input = [3, 8, 8]\n[[layers]]\ntype = "Conv2d"\nname = "block"\n'
            'out_channels = 4\nkernel_size = 3\npadding = 1\nrepeat = 3\n')
    data = summary_json(capsys, write(tmp_path, text))
    assert [layer["name"] for layer in data["layers"]] == ["block_1", "block_2", "block_3"]
    assert [layer["params"] for layer in data["layers"]] == [(27 + 1) * 4, (36 + 1) * 4, (36 + 1) * 4]


@pytest.mark.parametrize("spec", ["vgg16.toml", "alexnet.toml"])
def test_examples_json(capsys, spec: str) -> None:  # type: ignore[no-untyped-def]
    data = summary_json(capsys, EXAMPLES / spec, "--memory", "12GiB")
    check_schema(data)
    assert data["totals"]["params"] == {"vgg16.toml": 138_357_544, "alexnet.toml": 61_100_840}[spec]
    assert sp.Integer(data["memory"]["max_batch_largest_activation"]) > 0


def test_torch_padding_words_are_refused_not_read_as_symbols(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "same.toml"
    spec.write_text(
        'input = [3, 8, 8]\n[[layers]]\ntype = "Conv2d"\nout_channels = 4\nkernel_size = 3\npadding = "same"\n'
    )
    assert cli.main(["summary", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "same.toml: layer 1" in err and "padding='same' is not supported" in err


def test_a_network_may_have_10_000_layers_and_no_more(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "deep.toml"
    spec.write_text('input = [3, 8, 8]\n[[layers]]\ntype = "ReLU"\nrepeat = 10000\n')
    assert cli.main(["summary", str(spec), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["layers"]) == 10_000
    spec.write_text('input = [3, 8, 8]\n[[layers]]\ntype = "ReLU"\nrepeat = 5000\n[[layers]]\ntype = "ReLU"\n'
                    'repeat = 5001\n')
    assert cli.main(["summary", str(spec)]) == 2
    assert capsys.readouterr().err.strip().endswith("10,001 layers (repeat included); a network has at most 10,000")
