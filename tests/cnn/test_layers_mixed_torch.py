"""Whole chains of the new layers against torch.nn.Sequential: every layer's shape, the parameters,
and the weight multiplications (FlopCounterMode FLOPs / 2) apart from the conventions' other counts."""

from __future__ import annotations

import pytest

from symcnn import (
    GELU,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool3d,
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose2d,
    Flatten,
    GroupNorm,
    Hardswish,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    MaxPool1d,
    MaxPool3d,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
    Upsample,
    ZeroPad2d,
    build_network,
)

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

nn = torch.nn
CHAINS = {
    "2-D": ((3, 20, 18), [
        (Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)),
        (BatchNorm2d(8), nn.BatchNorm2d(8)), (ReLU6(), nn.ReLU6()),
        (Conv2d(8, 8, 3, padding=1, groups=8), nn.Conv2d(8, 8, 3, padding=1, groups=8)),
        (GroupNorm(2, 8), nn.GroupNorm(2, 8)), (Hardswish(), nn.Hardswish()),
        (ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
         nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)),
        (ZeroPad2d((1, 0, 0, 2)), nn.ZeroPad2d((1, 0, 0, 2))),
        (Upsample(scale_factor=2, mode="bilinear"), nn.Upsample(scale_factor=2, mode="bilinear")),
        (SiLU(), nn.SiLU()), (AdaptiveMaxPool2d((5, 3)), nn.AdaptiveMaxPool2d((5, 3))),
        (LayerNorm([4, 5, 3]), nn.LayerNorm([4, 5, 3])), (Identity(), nn.Identity()),
        (AdaptiveAvgPool2d(1), nn.AdaptiveAvgPool2d(1)), (Flatten(), nn.Flatten()),
        (Linear(4, 10), nn.Linear(4, 10)), (GELU(), nn.GELU()), (Softmax(1), nn.Softmax(1)),
    ]),
    "1-D": ((2, 40), [
        (Conv1d(2, 6, 5, padding=2), nn.Conv1d(2, 6, 5, padding=2)), (BatchNorm1d(6), nn.BatchNorm1d(6)),
        (LeakyReLU(0.1), nn.LeakyReLU(0.1)), (MaxPool1d(2), nn.MaxPool1d(2)),
        (Conv1d(6, 6, 3, dilation=2), nn.Conv1d(6, 6, 3, dilation=2)),
        (AvgPool1d(3, stride=2), nn.AvgPool1d(3, stride=2)),
        (Tanh(), nn.Tanh()), (Flatten(), nn.Flatten()), (Linear(42, 3), nn.Linear(42, 3)), (Sigmoid(), nn.Sigmoid()),
    ]),
    "3-D": ((3, 8, 16, 16), [
        (Conv3d(3, 4, (3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2)),
         nn.Conv3d(3, 4, (3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2))),
        (BatchNorm3d(4), nn.BatchNorm3d(4)), (MaxPool3d((1, 2, 2)), nn.MaxPool3d((1, 2, 2))),
        (AvgPool3d(2), nn.AvgPool3d(2)), (Flatten(), nn.Flatten()), (Linear(64, 5), nn.Linear(64, 5)),
    ]),
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_chains_match_torch(name: str) -> None:
    shape, pairs = CHAINS[name]
    network = build_network([layer for layer, _ in pairs], shape)
    model = nn.Sequential(*(module for _, module in pairs)).eval()
    x = torch.zeros(1, *shape)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        for analysis, module in zip(network.layers, model, strict=True):
            x = module(x)
            assert tuple(int(v) for v in analysis.output_shape) == tuple(x.shape[1:]), analysis.name
    assert int(network.total("params")) == sum(p.numel() for p in model.parameters())
    assert 2 * int(network.total("weight_mults")) == counter.get_total_flops()
    assert int(network.total("mults")) >= int(network.total("weight_mults"))
