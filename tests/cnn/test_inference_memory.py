"""The inference peak: tensors freed after their last reader, checked by hand and against a second walk."""

from __future__ import annotations

from pathlib import Path

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.graph import Node, build_graph
from symcnn.cnn.inference_memory import buffers, inference_peak
from symcnn.cnn.joins import Add, Concat
from symcnn.cnn.layers import Conv2d, Flatten, Linear, ReLU
from symcnn.cnn.memory import stored_activations
from symcnn.files.assignment import read_assignment
from symcnn.solutions.solution import InferenceAnswer, solve
from tests.helpers import reproducible

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_residual_input_stays_alive_until_the_add() -> None:
    # input 1x8x8 = 64; a: 2x8x8 = 128; b: 128; shortcut read at the add: the input lives until then
    nodes = [Node("a", Conv2d(1, 2, 3, padding=1)), Node("b", Conv2d(2, 2, 3, padding=1)),
             Node("s", Conv2d(1, 2, 1), ("input",)), Node("sum", Add(), ("b", "s"))]
    network = build_graph(nodes, (1, 8, 8))
    peak = inference_peak(network, {})
    # while s runs: input (64, read by s), b (128, read by sum), s (128): 320; while sum runs: b, s, sum: 384
    assert (peak.elements, peak.during, peak.alive) == (384, "sum", ("b", "s", "sum"))
    assert stored_activations(network) == 64 + 4 * 128  # each stored tensor once, however many readers


def test_in_place_layers_and_views_take_no_new_memory() -> None:
    nodes = [Node("c", Conv2d(1, 4, 3, padding=1)), Node("r", ReLU(inplace=True)), Node("f", Flatten()),
             Node("fc", Linear(256, 10))]
    network = build_graph(nodes, (1, 8, 8))
    assert buffers(network) == [0, 1, 1, 1, 4]
    assert inference_peak(network, {}).elements == 64 + 256  # the input and c; later c (shared by r, f) and fc


def test_chain_peak_is_the_largest_neighbouring_pair() -> None:
    nodes = [Node(None, Conv2d(3, 8, 3, padding=1)), Node(None, Conv2d(8, 16, 3, stride=2, padding=1)),
             Node(None, Conv2d(16, 4, 1))]
    network = build_graph(nodes, (3, 32, 32))
    sizes = [3 * 32 * 32, 8 * 32 * 32, 16 * 16 * 16, 4 * 16 * 16]
    assert inference_peak(network, {}).elements == max(a + b for a, b in zip(sizes, sizes[1:]))


def _second_walk(network) -> int:  # type: ignore[no-untyped-def]
    """An independent statement: at step k, a tensor is alive iff made at or before k and read at or after k."""
    count = len(network.layers)
    owner = buffers(network)
    sizes = [int(sp.Mul(*network.input_shape))] + [int(network.activation(a)) for a in network.layers]
    readers: dict[int, list[int]] = {}
    for position in range(count):
        for source in network.inputs_of(position):
            readers.setdefault(owner[source], []).append(position + 1)
    readers.setdefault(owner[count], []).append(count + 1)
    best = 0
    for step in range(count + 1):
        alive = [k for k in set(owner) if k <= step and (k == step or max(readers.get(k, [k])) >= step)]
        best = max(best, sum(sizes[k] for k in alive))
    return best


@reproducible(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4), st.integers(0, 5)), min_size=1, max_size=12))
def test_peak_matches_a_second_walk(plan: list[tuple[int, int, int]]) -> None:
    nodes: list[Node] = []
    for k, (kind, width, back) in enumerate(plan, start=1):
        source = "input" if k - 1 - back <= 0 else f"n{k - 1 - back}"
        previous = "input" if k == 1 else f"n{k - 1}"
        if kind == 0 or k == 1:
            nodes.append(Node(f"n{k}", Conv2d(out_channels=width, kernel_size=3, padding=1), (source,)))
        elif kind == 1:
            nodes.append(Node(f"n{k}", Concat(), (previous, source)))
        else:
            nodes.append(Node(f"n{k}", ReLU(inplace=bool(width % 2)), (source,)))
    network = build_graph(nodes, (2, 6, 6))
    assert inference_peak(network, {}).elements == _second_walk(network)


def test_solution_answers_the_inference_batch(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(
        f'title = "t"\n[[parts]]\ntitle = "U-Net"\nnetwork = "{(EXAMPLES / "unet.toml").as_posix()}"\n'
        f'memory = "12GiB"\nquestions = ["max_batch_inference"]\n')
    (section,) = solve(read_assignment(tmp_path / "a.toml")).sections
    (answer,) = section.items
    assert isinstance(answer, InferenceAnswer)
    # the last skip (64 ch), the upsampled map (64 ch) and their concatenation (128 ch), at 224 x 224
    assert answer.peak.elements == (64 + 64 + 128) * 224 * 224
    assert answer.derivation.result == 12 * 2**30 // (4 * int(answer.peak.elements))
