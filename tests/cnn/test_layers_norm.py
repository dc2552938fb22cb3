"""GroupNorm, LayerNorm and BatchNorm (training and inference) against torch and a counted implementation.

The counting convention (symcnn/cnn/norm_counts.py) is checked by running a
straightforward normalisation on numbers that count their own operations;
its output must equal torch's, so the counted program is the real thing.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
import sympy as sp

from symcnn.cnn.layers import BatchNorm2d
from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
from symcnn.errors import LayerError
from symcnn.formula.symbols import symbol

torch = pytest.importorskip("torch")

OPS: Counter[str] = Counter()


class Counted(float):
    """A float that counts the arithmetic done with it."""

    def _op(self, key: str, value: float) -> Counted:
        OPS[key] += 1
        return Counted(value)

    def __add__(self, other: float) -> Counted:  # type: ignore[override]
        return self._op("adds", float(self) + float(other))

    def __sub__(self, other: float) -> Counted:  # type: ignore[override]
        return self._op("adds", float(self) - float(other))

    def __mul__(self, other: float) -> Counted:  # type: ignore[override]
        return self._op("mults", float(self) * float(other))

    def __truediv__(self, other: float) -> Counted:  # type: ignore[override]
        return self._op("divisions", float(self) / float(other))


def normalise(values: list[Counted], weight: list[float] | None, bias: list[float] | None, eps: float) -> list[float]:
    """The convention's program: mean, deviations, variance, sqrt, divide, affine."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    mean = total / len(values)
    deviations = [v - mean for v in values]
    squares = [d * d for d in deviations]
    spread = squares[0]
    for s in squares[1:]:
        spread = spread + s
    variance = spread / len(values)
    OPS["square_roots"] += 1
    sigma = Counted(math.sqrt(variance + eps))
    out = [d / sigma for d in deviations]
    if weight is not None and bias is not None:
        out = [o * w + b for o, w, b in zip(out, weight, bias, strict=True)]
    elif weight is not None:  # LayerNorm(bias=False): scaled only
        out = [o * w for o, w in zip(out, weight, strict=True)]
    return [float(o) for o in out]


def counted(analysis, prefix: str = "") -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {key: int(analysis[prefix + key].expr) for key in ("mults", "adds", "divisions", "square_roots")}


@pytest.mark.parametrize(("groups", "shape", "affine"),
                         [(2, (4, 3, 5), True), (4, (4, 2, 2), False), (1, (6, 7), True)])
def test_group_norm(groups: int, shape: tuple[int, ...], affine: bool) -> None:
    module = torch.nn.GroupNorm(groups, shape[0], affine=affine).double()
    if affine:
        with torch.no_grad():
            module.weight.uniform_(0.5, 2), module.bias.uniform_(-1, 1)
    x = torch.randn(1, *shape, dtype=torch.float64)
    analysis = GroupNorm(groups, shape[0], affine=affine).analyze(shape)
    assert int(analysis["params"].expr) == sum(p.numel() for p in module.parameters())
    OPS.clear()
    per = shape[0] // groups
    spatial = math.prod(shape[1:])
    flat = x[0].reshape(shape[0], spatial)
    for g in range(groups):
        block = flat[g * per:(g + 1) * per]
        weight = bias = None
        if affine:
            weight = [float(module.weight[g * per + c]) for c in range(per) for _ in range(spatial)]
            bias = [float(module.bias[g * per + c]) for c in range(per) for _ in range(spatial)]
        out = normalise([Counted(v) for v in block.flatten().tolist()], weight, bias, module.eps)
        expected = module(x)[0].reshape(shape[0], spatial)[g * per:(g + 1) * per].flatten()
        assert torch.allclose(torch.tensor(out, dtype=torch.float64), expected)
    assert counted(analysis) == dict(OPS)


@pytest.mark.parametrize(("normalized", "shape", "affine", "bias"), [
    ([3, 5], (4, 3, 5), True, True), (5, (4, 3, 5), True, False),
    ([4, 3, 5], (4, 3, 5), False, True), (7, (7,), True, True),
])
def test_layer_norm(normalized, shape, affine: bool, bias: bool) -> None:  # type: ignore[no-untyped-def]
    module = torch.nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias).double()
    analysis = LayerNorm(normalized, elementwise_affine=affine, bias=bias).analyze(shape)
    assert int(analysis["params"].expr) == sum(p.numel() for p in module.parameters())
    assert tuple(module(torch.zeros(1, *shape, dtype=torch.float64)).shape[1:]) == shape
    n = math.prod(normalized) if isinstance(normalized, list) else normalized
    x = torch.randn(1, *shape, dtype=torch.float64)
    OPS.clear()
    expected = module(x)[0].reshape(-1, n)
    for row, want in zip(x[0].reshape(-1, n), expected, strict=True):
        weight = module.weight.flatten().tolist() if affine else None
        shift = module.bias.flatten().tolist() if affine and bias else None
        out = normalise([Counted(v) for v in row.tolist()], weight, shift, module.eps)
        assert torch.allclose(torch.tensor(out, dtype=torch.float64), want)
    assert counted(analysis) == dict(OPS)


def test_batch_norm_training_step_counts() -> None:
    """A training step on a batch of B normalises each channel over B·H·W values (torch's train mode)."""
    shape, batch = (3, 2, 4), 2
    module = torch.nn.BatchNorm2d(3).double().train()
    x = torch.randn(batch, *shape, dtype=torch.float64)
    expected = module(x)
    OPS.clear()
    for c in range(3):
        values = [Counted(v) for v in x[:, c].flatten().tolist()]
        weight = [float(module.weight[c])] * len(values)
        out = normalise(values, weight, [float(module.bias[c])] * len(values), module.eps)
        assert torch.allclose(torch.tensor(out, dtype=torch.float64), expected[:, c].flatten())
    analysis = BatchNorm2d(3).analyze(shape)
    bound = {symbol("B"): sp.Integer(batch)}
    assert {key: int(analysis[f"batch_{key}"].expr.xreplace(bound)) for key in
            ("mults", "adds", "divisions", "square_roots")} == dict(OPS)
    # inference folds the stored statistics: one multiplication and one addition per element
    assert int(analysis["mults"].expr) == int(analysis["adds"].expr) == math.prod(shape)


def test_batch_norm_ranks_match_torch() -> None:
    for layer, module, shape in ((BatchNorm1d(5), torch.nn.BatchNorm1d(5), (5,)),
                                 (BatchNorm1d(5), torch.nn.BatchNorm1d(5), (5, 9)),
                                 (BatchNorm3d(5, affine=False), torch.nn.BatchNorm3d(5, affine=False), (5, 2, 3, 4))):
        analysis = layer.analyze(shape)
        assert tuple(module.eval()(torch.zeros(1, *shape)).shape[1:]) == tuple(int(v) for v in analysis.output_shape)
        assert int(analysis["params"].expr) == sum(p.numel() for p in module.parameters())
    with pytest.raises(LayerError, match=r"\(C, T, H, W\)"):
        BatchNorm3d(5).analyze((5, 3, 3))


def test_norm_symbolic_and_refusals() -> None:
    C, H, W = (symbol(n) for n in ("C_in", "H", "W"))
    analysis = GroupNorm(4, "C_in").analyze()
    assert sp.expand(analysis["adds"].expr - (4 * C * H * W - 4)) == 0
    assert any(isinstance(a, sp.Eq) for a in analysis.assumptions)  # 4 must divide C_in
    layer = LayerNorm(["C_in", "H", "W"]).analyze()
    assert sp.expand(layer["params"].expr - 2 * C * H * W) == 0 and layer["square_roots"].expr == 1
    with pytest.raises(LayerError, match="not divisible"):
        GroupNorm(3, 4).analyze((4, 2, 2))
    with pytest.raises(LayerError, match="last axes"):
        LayerNorm([4, 4]).analyze((4, 2, 2))
