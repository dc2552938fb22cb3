"""Claims about graph networks: blocks, stages and joins, checked like layers of a chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from symcnn.check.checker import check_claims
from symcnn.errors import SpecError
from symcnn.files.claims import read_claims
from symcnn.files.spec import network_from_table, read_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_resnet18_block_claims() -> None:
    report = check_claims(read_claims(EXAMPLES / "resnet18_claims.toml"))
    verdicts = [result.verdict for result in report.checked]
    assert verdicts == ["correct", "wrong", "correct", "correct", "correct"]


def test_block_parameters_are_the_sum_of_its_layers() -> None:
    network, _ = read_network(EXAMPLES / "resnet50.toml")
    block = network.block("layer1.0")
    assert [a.name for a in block][:2] == ["layer1.0.conv1", "layer1.0.bn1"]
    # torchvision's Bottleneck(64, 64, downsample=1x1 conv to 256 + BN): 75,008 parameters
    assert sum(int(a["params"].expr) for a in block) == 75_008
    assert network.layer("layer1.0").name == "layer1.0.relu3"


def spec(layers: list[dict], blocks: dict | None = None) -> dict:  # type: ignore[type-arg]
    table = {"name": "t", "input": [3, "H", "W"], "layers": layers}
    if blocks:
        table["blocks"] = blocks
    return table


def test_disagreeing_branches_name_both() -> None:
    layers = [
        {"type": "Conv2d", "name": "main", "out_channels": 8, "kernel_size": 3, "stride": 2},
        {"type": "Conv2d", "name": "shortcut", "input": "input", "out_channels": 8, "kernel_size": 1, "stride": 2},
        {"type": "Add", "inputs": ["main", "shortcut"]},
    ]
    with pytest.raises(SpecError, match=r"main .*shortcut.*disagree for every admissible H"):
        network_from_table(spec(layers), "t.toml")
    numeric = {**spec(layers), "input": [3, 32, 32]}
    with pytest.raises(SpecError, match=r"main gives \[8, 15, 15\] but shortcut gives \[8, 16, 16\]"):
        network_from_table(numeric, "t.toml")


@pytest.mark.parametrize(("entry", "message"), [
    ({"type": "Add", "inputs": ["nowhere", "input"]}, "reads 'nowhere'"),
    ({"block": "nope"}, "unknown block 'nope'"),
    ({"block": "pair", "width": 4, "depth": 2}, "no argument 'depth'"),
    ({"block": "pair"}, "needs width"),
    ({"type": "ReLU", "inputs": ["input", "input"]}, "join them first"),
    ({"type": "Add"}, "needs at least two inputs"),
])
def test_bad_graph_specs_are_one_line(entry: dict, message: str) -> None:  # type: ignore[type-arg]
    blocks = {"pair": {"args": ["width"], "layers": [{"type": "Conv2d", "out_channels": "width", "kernel_size": 1}]}}
    with pytest.raises(SpecError, match=message):
        network_from_table(spec([entry], blocks), "t.toml")


def test_block_arguments_reach_the_layers() -> None:
    blocks = {"expand": {"args": {"width": 4, "t": 6}, "layers": [
        {"type": "Conv2d", "name": "up", "out_channels": "t * width", "kernel_size": 1},
        {"type": "Conv2d", "name": "down", "out_channels": "width", "kernel_size": 3, "padding": 1},
        {"type": "Add", "inputs": ["down", "in"]},
    ]}}
    layers = [{"type": "Conv2d", "out_channels": 8, "kernel_size": 1},
              {"block": "expand", "name": "stage", "repeat": 2, "width": 8}]
    network, _ = network_from_table(spec(layers, blocks), "t.toml")
    names = [a.name for a in network.layers]
    assert names == ["conv1", "stage.0.up", "stage.0.down", "stage.0.add1", "stage.1.up", "stage.1.down",
                     "stage.1.add1"]
    assert network.layer("stage.1.up").output_shape[0] == 48
    assert [network.node_name(k) for k in network.inputs_of(names.index("stage.1.add1"))] == [
        "stage.1.down", "stage.0.add1"]


def test_solution_receptive_field_of_a_block(tmp_path: Path) -> None:
    from symcnn.files.assignment import read_assignment
    from symcnn.solutions.solution import solve

    (tmp_path / "a.toml").write_text(
        f'title = "t"\n[[parts]]\ntitle = "GoogLeNet"\nnetwork = "{(EXAMPLES / "googlenet.toml").as_posix()}"\n'
        f'receptive_field_layer = "inception3a"\nquestions = ["receptive_field"]\n')
    (section,) = solve(read_assignment(tmp_path / "a.toml")).sections
    (answer,) = section.items
    # stem: 7x7/2 (7), pool 3/2 (11), 3x3 (19), pool 3/2 (27, jump 8); the 3x3 branches add 2 x 8 on each side
    assert answer.chosen.name == "inception3a.cat1"
    assert (int(answer.chosen.rows.size), int(answer.chosen.rows.jump), int(answer.chosen.rows.start)) == (43, 8, -15)
    assert answer.closed_forms == {}  # a union over paths: no single chain's closed forms
