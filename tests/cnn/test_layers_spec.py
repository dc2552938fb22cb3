"""Every layer type from a spec table (TOML values: lists, strings, booleans), in summary and --json."""

from __future__ import annotations

import json

import pytest

from symcnn import cli
from symcnn.cnn.layer_types import LAYER_TYPES
from symcnn.errors import SpecError
from symcnn.files.spec import layer_from_table, network_from_table

TABLES = {
    "ConvTranspose2d": ({"out_channels": 4, "kernel_size": [3, 2], "stride": 2, "output_padding": [1, 0]},
                        {"out_channels": 4, "kernel_size": (3, 2), "stride": 2, "output_padding": (1, 0)}),
    "AdaptiveAvgPool2d": ({"output_size": [2, 3]}, {"output_size": (2, 3)}),
    "AdaptiveMaxPool2d": ({"output_size": 1}, {"output_size": 1}),
    "Upsample": ({"size": [10, 12], "mode": "bilinear", "align_corners": True},
                 {"size": (10, 12), "mode": "bilinear", "align_corners": True}),
    "ZeroPad2d": ({"padding": [1, 2, 3, 4]}, {"padding": (1, 2, 3, 4)}),
    "Conv3d": ({"out_channels": 2, "kernel_size": [1, 3, 3], "padding": [0, 1, 1]},
               {"out_channels": 2, "kernel_size": (1, 3, 3), "padding": (0, 1, 1)}),
    "Conv1d": ({"out_channels": 2, "kernel_size": 3, "dilation": 2}, {"out_channels": 2, "kernel_size": 3,
                                                                        "dilation": 2}),
    "LayerNorm": ({"normalized_shape": [4, 5]}, {"normalized_shape": (4, 5)}),
    "GroupNorm": ({"num_groups": 2, "num_channels": "C"}, {"num_groups": 2, "num_channels": "C"}),
    "GELU": ({"approximate": "tanh"}, {"approximate": "tanh"}),
    "LeakyReLU": ({"negative_slope": 0.2, "inplace": True}, {"negative_slope": 0.2, "inplace": True}),
    "Softmax": ({"dim": -1}, {"dim": -1}),
}


@pytest.mark.parametrize("kind", sorted(TABLES))
def test_a_table_builds_the_layer_python_builds(kind: str) -> None:
    table, arguments = TABLES[kind]
    assert layer_from_table({"type": kind, **table}, "spec") == LAYER_TYPES[kind](**arguments)


@pytest.mark.parametrize(("table", "message"), [
    ({"type": "Softmax", "dim": "1"}, "dim must be an integer"),
    ({"type": "GELU", "approximate": 1}, "approximate must be a string"),
    ({"type": "ZeroPad2d", "padding": [1, 2]}, r"\[left, right, top, bottom\]"),
    ({"type": "Upsample", "scale_factor": 2, "align_corners": "yes"}, "true or false"),
    ({"type": "Upsample", "scale_factor": 1.5}, "whole number"),
    ({"type": "ConvTranspose2d", "out_channels": 2, "kernel_size": 2, "stride": 2, "output_padding": 2},
     "smaller than the stride"),
    ({"type": "AdaptiveAvgPool2d"}, "output_size is required"),
    ({"type": "ConvTransposed2d"}, "did you mean 'ConvTranspose2d'"),
])
def test_bad_tables_say_what_to_fix(table, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError, match=message):
        layer_from_table(table, "spec")


@pytest.mark.parametrize(("first", "second", "message"), [
    ({"bias": True}, {"bias": 1}, "bias must be true or false"),
    ({"kernel_size": [3, 3]}, {"kernel_size": [3, True]}, "expected an integer"),
    ({"kernel_size": 3}, {"kernel_size": 3.0}, "expected an integer"),
])
def test_an_entry_equal_to_one_before_only_in_python_s_eyes_is_still_checked(first, second, message) -> None:  # type: ignore[no-untyped-def]
    """A spec's equal entries share one layer; ``1`` and ``true`` (``3`` and ``3.0``) are not equal entries."""
    layers = [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3, **entry} for entry in (first, second)]
    with pytest.raises(SpecError, match=f"layer 2: .*{message}"):
        network_from_table({"input": [1, 8, 8], "layers": layers}, "spec")


def test_summary_and_json_of_new_layers(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "net.toml"
    spec.write_text("\n".join([
        'input = [3, 32, 32]',
        '[[layers]]\ntype = "Conv2d"\nout_channels = 8\nkernel_size = 3\nstride = 2\npadding = 1',
        '[[layers]]\ntype = "ReLU6"',
        '[[layers]]\ntype = "ConvTranspose2d"\nout_channels = 4\nkernel_size = 2\nstride = 2',
        '[[layers]]\ntype = "AdaptiveAvgPool2d"\noutput_size = 1',
    ]))
    assert cli.main(["summary", str(spec)]) == 0
    table = capsys.readouterr().out
    assert "tconv1 (ConvTranspose2d)" in table and "varies with the output index, past tconv1" in table
    assert cli.main(["summary", str(spec), "--json"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [layer["output_shape"] for layer in layers] == [[8, 16, 16], [8, 16, 16], [4, 32, 32], [4, 1, 1]]
    assert layers[2]["params"] == 8 * 4 * 2 * 2 + 4 and layers[2]["mults"] == 8 * 4 * 2 * 2 * 16 * 16
    assert layers[1]["receptive_field"] == {"size": [3, 3], "jump": [2, 2], "start": [-1, -1]}
    assert layers[2]["receptive_field"] is None and "1/S" in layers[2]["receptive_field_note"]
    video = tmp_path / "video.toml"
    video.write_text('input = [3, 8, 16, 16]\n[[layers]]\ntype = "Conv3d"\nout_channels = 2\n'
                     'kernel_size = [3, 5, 5]\nstride = [1, 2, 2]\n')
    assert cli.main(["summary", str(video), "--json"]) == 0
    (conv,) = json.loads(capsys.readouterr().out)["layers"]
    assert conv["receptive_field"] == {"size": [3, 5, 5], "jump": [1, 2, 2], "start": [0, 0, 0]}


def test_network_with_every_type_is_summarised() -> None:
    """A spec may name any layer type; a bad input rank names the layer and what it needs."""
    with pytest.raises(SpecError, match=r"layer 1 \(conv1\).*needs a \(C, L\) input"):
        network_from_table({"input": [3, 8, 8], "layers": [{"type": "Conv1d", "out_channels": 2,
                                                               "kernel_size": 3}]}, "spec")


def test_every_argument_is_read_as_its_resolved_annotation_says() -> None:
    """The spec reader reads the layers' annotations as written (no get_type_hints per type): the same kinds."""
    from dataclasses import fields

    from symcnn.files.spec import _kinds, _resolved_kind

    for cls in LAYER_TYPES.values():
        kinds = _kinds(cls)
        assert list(kinds) == [field.name for field in fields(cls) if field.init]
        for key, kind in kinds.items():
            assert kind == _resolved_kind(cls, key), (cls.__name__, key)


def test_equal_layer_tables_make_one_layer_and_errors_name_the_first() -> None:
    """Entries equal but for name and repeat are read once (as a repeat's copies are one layer)."""
    conv = {"type": "Conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1}
    table = {"input": [3, 8, 8], "layers": [conv, dict(conv, name="second"), dict(conv, padding=0), dict(conv)]}
    network, _ = network_from_table(table, "net.toml")
    first, second, third, fourth = (a.layer for a in network.layers)
    assert second is first and fourth is first and third is not first and third.padding == 0
    assert [a.name for a in network.layers] == ["conv1", "second", "conv3", "conv4"]
    bad = {"type": "Conv2d", "out_channels": 3, "kernel_size": 0}
    with pytest.raises(SpecError, match=r"net.toml: layer 1: Conv2d: kernel_size must be a positive integer"):
        network_from_table({"input": [3, 8, 8], "layers": [bad, dict(bad)]}, "net.toml")
