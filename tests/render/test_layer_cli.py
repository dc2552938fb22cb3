"""`symcnn layer "Conv2d(...)" --input C,H,W`: torch call syntax read without eval, answers checked against torch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from symcnn import cli
from symcnn.errors import SpecError
from symcnn.files.layer_call import input_sizes, layer_table
from symcnn.render.layer_cli import layer_solution
from symcnn.solutions.solution import Answer


@pytest.mark.parametrize("text, table", [
    ("Conv2d(64, 128, 3, padding=1)",
     {"type": "Conv2d", "in_channels": 64, "out_channels": 128, "kernel_size": 3, "padding": 1}),
    ("nn.MaxPool2d(kernel_size=(2, 3), stride=None)", {"type": "MaxPool2d", "kernel_size": [2, 3]}),
    ("torch.nn.Conv2d(3, 8, kernel_size='K', bias=False,)",
     {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": "K", "bias": False}),
    ('Conv2d(C_in, 16, "2*P + 1", padding=P)',
     {"type": "Conv2d", "in_channels": "C_in", "out_channels": 16, "kernel_size": "2*P + 1", "padding": "P"}),
    ("Dropout(p=0.25)", {"type": "Dropout", "p": 0.25}),
])
def test_calls_become_tables(text: str, table: dict[str, object]) -> None:
    assert layer_table(text) == table


@pytest.mark.parametrize("text, message", [
    ("Conv2d(1, 2, 3", "expected ')'"),
    ("Conv2d(1, 2, 3)(x)", "after the call"),
    ("__import__('os').system('true')", "cannot read"),
    ("Conv4d(1, 2, 3)", "unknown layer 'Conv4d'"),
    ("Linear(1, 2, True, 4)", "at most 3 positional"),
    ("Conv2d(out_channels=2, 1)", "positional argument follows"),
    ("Conv2d(1, 2, 3, in_channels=1)", "both by position and by name"),
    ("Conv2d(1, 2, kernel_size=3, kernel_size=3)", "given twice"),
    ("Conv2d(1; 2)", "cannot read"),
])
def test_bad_calls_are_refused(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        layer_table(text)


def test_input_sizes() -> None:
    assert input_sizes("64,256,256") == [64, 256, 256]
    assert input_sizes("[C_in, H, W]") == ["C_in", "H", "W"]
    with pytest.raises(SpecError, match="C,H,W"):
        input_sizes("64,,256")


CASES = [
    ("Conv2d(64, 128, 3, padding=1)", (64, 256, 256), torch.nn.Conv2d(64, 128, 3, padding=1)),
    ("Conv2d(8, 16, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=4, bias=False)", (8, 31, 29),
     torch.nn.Conv2d(8, 16, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=4, bias=False)),
    ("MaxPool2d(3, stride=2)", (4, 255, 255), torch.nn.MaxPool2d(3, stride=2)),
    ("ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)", (16, 5, 7),
     torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)),
    ("AvgPool2d(2)", (4, 9, 9), torch.nn.AvgPool2d(2)),
    ("Linear(4096, 10)", (4096,), torch.nn.Linear(4096, 10)),
    ("Linear(512, 10)", (2, 16, 16), None),
    ("BatchNorm2d(8)", (8, 5, 5), torch.nn.BatchNorm2d(8)),
    ("ReLU()", (8, 5, 5), torch.nn.ReLU()),
    ("Flatten()", (8, 5, 5), torch.nn.Flatten()),
    ("Dropout(0.5)", (8, 5, 5), torch.nn.Dropout(0.5)),
    ("Conv1d(3, 8, 3, stride=2)", (3, 100), torch.nn.Conv1d(3, 8, 3, stride=2)),
    ("Conv3d(3, 4, 3, padding=1)", (3, 6, 10, 10), torch.nn.Conv3d(3, 4, 3, padding=1)),
    ("AdaptiveAvgPool2d((7, 7))", (8, 15, 15), torch.nn.AdaptiveAvgPool2d((7, 7))),
    ("Upsample(scale_factor=2)", (3, 8, 8), torch.nn.Upsample(scale_factor=2)),
]


@pytest.mark.parametrize("call, shape, module", CASES, ids=[c[0] for c in CASES])
def test_every_layer_type_against_torch(call: str, shape: tuple[int, ...], module: torch.nn.Module | None) -> None:
    solution = layer_solution(call, ",".join(map(str, shape)))
    answers = {item.question: item for item in solution.sections[0].items if isinstance(item, Answer)}
    if module is None:  # a Linear given a feature map sees it flattened
        module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(512, 10))
    x = torch.zeros(1, *shape)
    module.eval()
    with FlopCounterMode(display=False) as counter:
        y = module(x)
    assert answers["input_elements"].result[0] == x.numel()
    if "output_shape" in answers:
        width, height, channels = answers["output_shape"].result
        assert (channels, height, width) == tuple(y.shape[1:])
    elif "output_features" in answers:
        assert answers["output_features"].result[0] == y.shape[-1]
    else:
        assert answers["output_elements"].result[0] == y.numel()
    assert answers["params"].result[0] == sum(p.numel() for p in module.parameters())
    if isinstance(module, (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d, torch.nn.ConvTranspose2d,
                           torch.nn.Linear, torch.nn.Sequential)):
        assert answers["mults"].result[0] == counter.get_total_flops() // 2


def test_the_one_line_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["layer", "Conv2d(64, 128, 3, padding=1)", "--input", "64,256,256"]) == 0
    out = capsys.readouterr().out
    assert "n_in = W*H*C_in = 256*256*64 = 4,194,304" in out
    assert "W_out = floor((W + 2*P - K_1)/S) + 1 = floor((256 + 2*1 - 3)/1) + 1" in out
    assert "|theta| = (K_1*K_2*C_in + 1)*C_out = (3*3*64 + 1)*128 = 577*128 = 73,856" in out
    assert "4,831,838,208" in out and "relation 3: half (same) padding" in out


def test_symbols_give_the_general_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["layer", 'Conv2d(C_in, 128, kernel_size="K", padding=1)', "--input", "C_in,H,W"]) == 0
    out = capsys.readouterr().out
    assert "W_out = floor((W + 2*1 - K)/1) + 1" in out and "(K*K*C_in + 1)*128" in out


def test_the_document_has_its_diagram(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["layer", "Conv2d(3, 8, 3, stride=2, padding=1)", "--input", "3,6,6", "--format", "md",
                     "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer.md", "window_1.png"]
    text = (tmp_path / "layer.md").read_text()
    assert "![Conv2d windows](window_1.png)" in text
    assert "The last 1 column is never covered: that is the floor" in text and "relation 6" in text


@pytest.mark.parametrize("arguments, message", [
    (["layer", "Conv2d(3, 8, 3)", "--input", "3,2,2"], "larger than the padded input"),
    (["layer", "Conv2d(3, 8)", "--input", "3,8,8"], "kernel_size is required"),
    (["layer", "Conv2d(3, 8, 3)", "--format", "md"], "-o DIR"),
    (["layer", "eval('1')"], "unknown layer 'eval'"),
])
def test_bad_input_is_one_line(arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and message in captured.err
