"""Random graph networks against torch: shapes, parameters, multiplications, receptive fields, valid sizes.

Each drawn graph reads random earlier nodes and joins branches whose shapes
agree (Add, Concat, Mul with a (C, 1, 1) gate); torch runs the same graph.
Receptive fields: the graph is run again with every weight 1/fan-in, max
pooling as average pooling and an input of ones, so the gradient of one
output neuron is positive exactly on the input pixels it depends on; a
neuron whose predicted field lies inside the image has exactly that bounding
box (the union over all paths), and any neuron's box lies inside its
predicted field clipped to the image.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
import sympy as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from symcnn.cnn.graph import Node, build_graph
from symcnn.cnn.joins import Add, Concat, Mul
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, Conv2d, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d
from symcnn.cnn.receptive_field import receptive_fields
from symcnn.cnn.summary import summarize
from symcnn.cnn.validity import input_validity
from symcnn.formula.symbols import H, W
from tests.helpers import reproducible


@dataclass
class Op:
    kind: str
    sources: tuple[int, ...]
    module: nn.Module | None
    layer: Layer


class Graph(nn.Module):
    """Runs ops in order; node 0 is the input."""

    def __init__(self, ops: list[Op]) -> None:
        super().__init__()
        self.ops = ops
        self.layers = nn.ModuleList([op.module if op.module is not None else nn.Identity() for op in ops])

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        values = [x]
        for op, module in zip(self.ops, self.layers):
            reads = [values[k] for k in op.sources]
            if op.kind == "add":
                values.append(reads[0] + reads[1])
            elif op.kind == "mul":
                values.append(reads[0] * reads[1])
            elif op.kind == "cat":
                values.append(torch.cat(reads, 1))
            else:
                values.append(module(reads[0]))
        return values


def _try(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        with torch.device("meta"):
            return tuple(copy.deepcopy(module).to("meta")(torch.empty((1, *shape), device="meta")).shape[1:])
    except RuntimeError:
        return None


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Op], tuple[int, int, int]]:
    shape = (draw(st.integers(1, 3)), draw(st.integers(10, 34)), draw(st.integers(10, 34)))
    shapes = [shape]
    ops: list[Op] = []
    for _ in range(draw(st.integers(2, 10))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "relu", "add", "cat", "mul"]))
        source = draw(st.integers(0, len(shapes) - 1))
        c, h, w = shapes[source]
        if kind in ("add", "cat", "mul"):
            partners = [k for k, s in enumerate(shapes) if k != source and s[1:] == (h, w)
                        and (kind == "cat" or s[0] == c)]
            if kind == "mul":  # a squeeze-and-excitation gate: pooled to (C, 1, 1)
                gate = nn.AdaptiveAvgPool2d(1)
                ops.append(Op("gap", (source,), gate, AdaptiveAvgPool2d(1)))
                shapes.append((c, 1, 1))
                ops.append(Op("mul", (source, len(shapes) - 1), None, Mul()))
                shapes.append((c, h, w))
                continue
            if partners:
                other = draw(st.sampled_from(partners))
                ops.append(Op(kind, (source, other), None, Add() if kind == "add" else Concat()))
                shapes.append((c + shapes[other][0] if kind == "cat" else c, h, w))
                continue
            kind = "conv"
        if kind == "relu":
            module: nn.Module = nn.ReLU()
            layer: Layer = ReLU()
        elif kind == "conv":
            k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
            p, out, bias = draw(st.integers(0, k // 2 + 1)), draw(st.integers(1, 4)), draw(st.booleans())
            module = nn.Conv2d(c, out, k, s, p, d, bias=bias)
            layer = Conv2d(c, out, k, stride=s, padding=p, dilation=d, bias=bias)
        else:
            k, s = draw(st.integers(2, 3)), draw(st.integers(1, 2))
            p, ceil, use_max = draw(st.integers(0, k // 2)), draw(st.booleans()), draw(st.booleans())
            module = nn.MaxPool2d(k, s, p, ceil_mode=ceil) if use_max else nn.AvgPool2d(k, s, p, ceil_mode=ceil)
            layer = (MaxPool2d if use_max else AvgPool2d)(k, s, p, ceil_mode=ceil)
        out_shape = _try(module, shapes[source])
        if out_shape is None or min(out_shape[1:]) < 1:
            continue
        ops.append(Op(kind, (source,), module, layer))
        shapes.append(out_shape)
    return ops, shape


def network_of(ops: list[Op], shape: tuple[int, ...]):  # type: ignore[no-untyped-def]
    nodes = [Node(f"n{k}", op.layer, tuple("input" if s == 0 else f"n{s}" for s in op.sources))
             for k, op in enumerate(ops, start=1)]
    return build_graph(nodes, shape, "random")


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs())
def test_shapes_params_and_mults_match_torch(drawn) -> None:  # type: ignore[no-untyped-def]
    ops, shape = drawn
    if not ops:
        return
    torch.manual_seed(0)
    model = Graph(ops)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        values = model(torch.zeros((1, *shape)))
    network = network_of(ops, shape)
    summary = summarize(network)
    for row, value in zip(summary.rows, values[1:]):
        assert tuple(int(v) for v in row.output_shape) == tuple(value.shape[1:]), row.name
    assert summary.totals["params"] == sum(p.numel() for p in model.parameters())
    assert summary.totals["conv_linear_mults"] * 2 == counter.get_total_flops()


def dependency_model(ops: list[Op]) -> Graph:
    """Weights 1/fan-in, no bias, max pooling as average pooling: gradients mark dependencies."""
    model = Graph(ops)
    for k, module in enumerate(model.layers):
        if isinstance(module, nn.Conv2d):
            nn.init.constant_(module.weight, 1.0 / module.weight[0].numel())
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        if isinstance(module, nn.MaxPool2d):
            model.layers[k] = nn.AvgPool2d(module.kernel_size, module.stride, module.padding, module.ceil_mode)
    return model.double()


@SETTINGS
@given(graphs())
def test_receptive_fields_by_autograd(drawn) -> None:  # type: ignore[no-untyped-def]
    ops, shape = drawn
    if not ops:
        return
    network = network_of(ops, shape)
    fields = receptive_fields(network)
    model = dependency_model(ops)
    image = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    outputs = model(image)
    for position, (field, op) in enumerate(zip(fields.fields, ops)):
        out = outputs[position + 1]
        if field is None or field.mixed is not None or op.kind in ("gap", "mul") or min(out.shape[2:]) < 1:
            continue
        for i, j in {(0, 0), (out.shape[2] // 2, out.shape[3] // 2), (out.shape[2] - 1, out.shape[3] - 1)}:
            image.grad = None
            out[0, :, i, j].sum().backward(retain_graph=True)
            seen = image.grad[0].abs().sum(0).nonzero()  # type: ignore[union-attr]
            if len(seen) == 0:
                continue  # a neuron that sees only padding
            predicted = [(int(a.jump) * n + int(a.first), int(a.jump) * n + int(a.last))
                         for a, n in ((field.rows, i), (field.columns, j))]
            boxes = [(int(seen[:, 0].min()), int(seen[:, 0].max())), (int(seen[:, 1].min()), int(seen[:, 1].max()))]
            for (first, last), (low, high), size in zip(predicted, boxes, shape[1:]):
                assert max(first, 0) <= low and high <= min(last, size - 1)
                if 0 <= first and last < size and not _holes(ops):
                    assert (low, high) == (first, last), network.layers[position].name


def _holes(ops: list[Op]) -> bool:
    """Dilation or a padding past the kernel can leave a field's ends unread (see test_receptive_field)."""
    return any(isinstance(op.module, nn.Conv2d) and (op.module.dilation != (1, 1)
               or op.module.padding[0] >= op.module.kernel_size[0]) for op in ops)


@reproducible(max_examples=25)
@given(graphs(), st.lists(st.integers(1, 48), min_size=4, max_size=4))
def test_valid_sizes_match_torch(drawn, heights: list[int]) -> None:  # type: ignore[no-untyped-def]
    ops, shape = drawn
    if not ops:
        return
    network = network_of(ops, (shape[0], H, W))
    validity = input_validity(network)
    assert validity.admits({H: shape[1], W: shape[2]}) is True
    model = Graph([Op(o.kind, o.sources, o.module, o.layer) for o in ops]).to("meta")
    for height in heights:
        try:
            outputs = model(torch.empty((1, shape[0], height, shape[2]), device="meta"))
            accepted = all(min(v.shape[2:]) >= 1 for v in outputs)
        except RuntimeError:
            accepted = False
        assert accepted == (height in validity.sets[0]), height


def test_symbolic_sizes_stay_symbols() -> None:
    """Building on (3, H, W) keeps one symbol per size: nothing nests the whole graph."""
    nodes = [Node("a", Conv2d(3, 4, 3, stride=2, padding=1)), Node("b", Conv2d(3, 4, 1, stride=2), ("input",)),
             Node("sum", Add(), ("a", "b"))]
    network = build_graph(nodes, (3, H, W))
    assert network.layers[-1].output_shape[1] == sp.Symbol("H_1", integer=True, positive=True)
    with pytest.raises(Exception, match="a.*b|branches"):
        build_graph([Node("a", Conv2d(3, 4, 3, stride=2)), Node("b", Conv2d(3, 4, 1), ("input",)),
                     Node("sum", Add(), ("a", "b"))], (3, 16, 16))


def test_paths_of_different_jumps_are_stated_and_their_union_is_what_autograd_sees() -> None:
    """A 1x1 stride-2 path (jump 2) meets a 5x5 stride-1 path (jump 1) on 8 x 8 -> 4 x 4."""
    nodes = [Node("strided", Conv2d(1, 1, 1, stride=2)), Node("wide", Conv2d(1, 1, 5), ("input",)),
             Node("sum", Add(), ("strided", "wide"))]
    network = build_graph(nodes, (1, 8, 8))
    field = receptive_fields(network).fields[2]
    assert field is not None and field.mixed is not None
    assert "paths of jumps 2, 1 meet" in field.mixed and "2i : 2i" in field.mixed and "i : i + 4" in field.mixed
    strided, wide = nn.Conv2d(1, 1, 1, stride=2, bias=False), nn.Conv2d(1, 1, 5, bias=False)
    for conv in (strided, wide):
        nn.init.constant_(conv.weight, 1.0)
    image = torch.ones((1, 1, 8, 8), requires_grad=True)
    out = strided(image) + wide(image)
    for i in range(4):
        image.grad = None
        out[0, 0, i, i].backward(retain_graph=True)
        seen = image.grad[0, 0].nonzero()  # type: ignore[index]
        ends = [(int(p.jump) * i + int(p.first), int(p.jump) * i + int(p.last)) for p in field.paths[0]]
        assert (int(seen[:, 0].min()), int(seen[:, 0].max())) == (min(a for a, _ in ends), max(b for _, b in ends))
