"""The new layers in worked solutions: derivations that end at torch's numbers, textbook LaTeX.

A transposed convolution's solution shows Dumoulin and Visin's relations
(stretched input, padding of the equivalent direct convolution, the columns
it drops); every layer's every quantity derives step by step without sympy
artefacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from symcnn.cnn.layer_types import LAYER_TYPES
from symcnn.files.assignment import read_assignment
from symcnn.formula.steps import derive_all
from symcnn.solutions.solution import Answer, solve

torch = pytest.importorskip("torch")

ASSIGNMENT = """
title = "Up-sampling"
[values]
W = 7
H = 5
C_in = 4
[[parts]]
title = "Transposed convolution"
questions = ["output_shape", "params", "mults", "stretched_width", "direct_padding_width",
             "direct_remainder_width", "stretched_height"]
[parts.layer]
type = "ConvTranspose2d"
in_channels = "C_in"
out_channels = 6
kernel_size = 3
stride = 2
padding = 1
output_padding = 1
"""


def test_transposed_convolution_solution_matches_torch(tmp_path: Path) -> None:
    path = tmp_path / "assignment.toml"
    path.write_text(ASSIGNMENT)
    solution = solve(read_assignment(path))
    answers = {item.question: item for item in solution.sections[0].items if isinstance(item, Answer)}
    module = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
    out = module(torch.zeros(1, 4, 5, 7))
    assert tuple(int(v) for v in answers["output_shape"].result) == (out.shape[3], out.shape[2], out.shape[1])
    assert int(answers["params"].result[0]) == sum(p.numel() for p in module.parameters())
    # the direct convolution: stride 1 on the stretched input (W - 1)·2 + 1 = 13, padded by 3 - 1 - 1 = 1
    # on the left and 1 + 1 on the right, kernel 3: 13 + 1 + 2 - 3 + 1 = 14 = torch's width
    stretched, padding = int(answers["stretched_width"].result[0]), int(answers["direct_padding_width"].result[0])
    assert (stretched, padding) == (13, 1)
    assert stretched + 2 * padding + 1 - 3 + 1 == out.shape[3]
    assert int(answers["direct_remainder_width"].result[0]) == 1  # = output_padding
    assert r"\tilde{W} = \left(W - 1\right) \cdot 2 + 1" in answers["stretched_width"].derivations[0].latex()


@pytest.mark.parametrize("name", sorted(LAYER_TYPES))
def test_every_layer_derives_without_artefacts(name: str) -> None:
    """Each layer type with small arguments on a small input: every quantity's steps are clean."""
    arguments = {
        "Conv2d": {"out_channels": 2, "kernel_size": 3}, "Conv1d": {"out_channels": 2, "kernel_size": 3},
        "Conv3d": {"out_channels": 2, "kernel_size": 3}, "ConvTranspose2d": {"out_channels": 2, "kernel_size": 3},
        "MaxPool2d": {"kernel_size": 2}, "AvgPool2d": {"kernel_size": 2}, "MaxPool1d": {"kernel_size": 2},
        "AvgPool1d": {"kernel_size": 2}, "MaxPool3d": {"kernel_size": 2}, "AvgPool3d": {"kernel_size": 2},
        "AdaptiveAvgPool2d": {"output_size": 3}, "AdaptiveMaxPool2d": {"output_size": (2, 3)},
        "Linear": {"out_features": 3}, "Upsample": {"scale_factor": 2, "mode": "bilinear"},
        "ZeroPad2d": {"padding": (1, 0, 2, 1)}, "Softmax": {"dim": 1},
        "GroupNorm": {"num_groups": 2, "num_channels": 4}, "LayerNorm": {"normalized_shape": (6, 6)},
    }.get(name, {})
    cls = LAYER_TYPES[name]
    rank = getattr(cls, "rank", 2)
    shape = {"Linear": (8,), "BatchNorm1d": (4, 9)}.get(name, (4, *(6,) * rank) if rank != 2 else (4, 6, 6))
    if name.endswith("3d"):
        shape = (4, 6, 6, 6)
    analysis = cls(**arguments).analyze(shape)
    for derivation in derive_all(analysis, {"B": 4}):  # BatchNorm: a training step on a batch of 4
        text = derivation.latex()
        assert derivation.result.is_Integer, (name, derivation.title)
        for artefact in ("^{-1}", r"\left(-1\right)", "1 \\left(", "operatorname", "Max"):
            assert artefact not in text, (name, text)


def test_sequence_and_video_networks_in_solutions(tmp_path: Path) -> None:
    """Activation tables of 1-D and 3-D networks label their layers per axis; a receptive-field
    question on them is refused with the reason (summary shows their per-axis fields)."""
    from symcnn import cli
    from symcnn.cnn.layers_nd import Conv1d, Conv3d, MaxPool3d
    from symcnn.errors import SpecError
    from symcnn.render.documents import describe

    assert describe(Conv1d(3, 8, 5)) == "Conv1d 5, s=1, p=0, 8 ch"
    assert describe(Conv3d(3, 8, (3, 7, 7), stride=(1, 2, 2))) == "Conv3d 3 × 7 × 7, s=1×2×2, p=0, 8 ch"
    assert describe(MaxPool3d(2)) == "MaxPool3d 2 × 2 × 2, s=2, p=0"
    from symcnn.cnn.layers_transposed import ConvTranspose2d

    assert describe(ConvTranspose2d(8, 4, 2, stride=2)) == "ConvT 2 × 2, s=2, p=0, 4 ch"
    network = ('network = { input = [2, 8, 16, 16], layers = [{ type = "Conv3d", out_channels = 4, '
               'kernel_size = 3 }, { type = "AvgPool3d", kernel_size = 2 }] }')
    path = tmp_path / "video.toml"
    path.write_text(f'title = "Video"\n[[parts]]\ntitle = "3-D"\n{network}\nquestions = ["activation_table"]\n')
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "out"), "--format", "md"]) == 0
    text = (tmp_path / "out" / "solution.md").read_text()
    assert r"$B \times 4 \times 6 \times 14 \times 14$" in text and "AvgPool3d 2 × 2 × 2" in text
    path.write_text(f'title = "Video"\n[[parts]]\ntitle = "3-D"\n{network}\nquestions = ["receptive_field"]\n')
    with pytest.raises(SpecError, match=r"needs a network on \[C, H, W\] images"):
        read_assignment(path)
