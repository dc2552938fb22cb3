"""Benchmark of graph networks: is the cost per node of a graph no more than a chain's?

Times build + summarize (validity, receptive fields, memory) + as_table on:
a 1,000-node random graph (convolutions, ReLUs, residual adds, concatenations,
stride-2 steps, on a symbolic (3, H, W) input) against a 1,000-layer chain of
the same layers; the zoo's ResNet-50 and DenseNet-121 on (3, 224, 224) and on
a symbolic (3, H, W). Each case runs in a fresh process (cold sympy cache, as
one CLI call).

    python bench/bench_graph.py           # prints a Markdown table
    python bench/bench_graph.py --write   # also replaces the graph section of bench/results.md
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symcnn.cnn.graph import Node, build_graph  # noqa: E402
from symcnn.cnn.joins import Add, Concat  # noqa: E402
from symcnn.cnn.layers import Conv2d, ReLU  # noqa: E402
from symcnn.cnn.summary import as_table, summarize  # noqa: E402
from symcnn.files.spec import network_from_table, read_toml  # noqa: E402

MARK = "<!-- graph benchmark -->"


def random_graph(nodes: int, seed: int = 0) -> tuple[list[Node], bool]:
    """A random graph: each node reads a recent node; joins pair nodes of one shape."""
    rng = random.Random(seed)
    out: list[Node] = []
    channels = {"input": 3}
    level = {"input": 0}
    names = ["input"]
    for k in range(1, nodes + 1):
        name = f"n{k}"
        roll = rng.random()
        source = names[-1] if rng.random() < 0.7 else rng.choice(names[-20:])
        same = [n for n in names[-20:] if n != source and level[n] == level[source]]
        if roll < 0.15 and same:
            other = rng.choice(same)
            if channels[other] == channels[source]:
                out.append(Node(name, Add(), (source, other)))
                channels[name] = channels[source]
            else:
                out.append(Node(name, Concat(), (source, other)))
                channels[name] = min(channels[source] + channels[other], 64)
                if channels[name] == 64:  # keep widths bounded: concatenate, then squeeze
                    out[-1] = Node(name, Add(), (source, source))
                    channels[name] = channels[source]
        elif roll < 0.3:
            out.append(Node(name, ReLU(), (source,)))
            channels[name] = channels[source]
        else:
            stride = 2 if rng.random() < 0.01 and level[source] < 5 else 1
            width = rng.choice((8, 16, 32))
            out.append(Node(name, Conv2d(out_channels=width, kernel_size=3, stride=stride, padding=1), (source,)))
            channels[name] = width
            level[name] = level[source] + (stride == 2)
        level.setdefault(name, level[source])
        names.append(name)
    return out, True


def chain(nodes: int) -> list[Node]:
    """The chain counterpart: the graph's layers one after the other, each join replaced by a ReLU."""
    return [Node(n.name, ReLU() if isinstance(n.layer, (Add, Concat)) else n.layer) for n in random_graph(nodes)[0]]


def _case(kind: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start = time.perf_counter()
    if kind in ("graph", "chain"):
        nodes = random_graph(1000)[0] if kind == "graph" else chain(1000)
        network = build_graph(nodes, (3, "H", "W"), kind)
        values = {}
    else:
        name, symbolic = kind.split(":")
        table = read_toml(ROOT / "examples" / f"{name}.toml")
        if symbolic == "HW":
            table["input"] = [3, "H", "W"]
        network, values = network_from_table(table, name)
    built = time.perf_counter()
    summary = summarize(network, values)
    summarized = time.perf_counter()
    as_table(summary)
    done = time.perf_counter()
    queue.put((len(network.layers), built - start, summarized - built, done - summarized,
               summary.validity.condition if summary.validity else ""))


def run(kind: str) -> tuple:  # type: ignore[type-arg]
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    process = multiprocessing.get_context("fork").Process(target=_case, args=(kind, queue))
    process.start()
    result = queue.get(timeout=600)
    process.join()
    return result


CASES = ["chain", "graph", "resnet50:224", "resnet50:HW", "densenet121:224", "densenet121:HW"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="replace the graph section of bench/results.md")
    args = parser.parse_args()
    lines = [MARK, "## Graph networks (bench/bench_graph.py)", "",
             "| Case | Nodes | Build (s) | Summarize (s) | Table (s) | ms per node | Valid inputs |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for kind in CASES:
        nodes, build, summ, table, condition = run(kind)
        total = build + summ + table
        lines.append(f"| {kind} | {nodes} | {build:.2f} | {summ:.2f} | {table:.2f} | "
                     f"{1000 * total / nodes:.2f} | {condition} |")
        print(lines[-1], flush=True)
    lines.append("")
    if args.write:
        path = ROOT / "bench" / "results.md"
        text = path.read_text(encoding="utf-8")
        kept = text.split(MARK)[0].rstrip() + "\n\n"
        path.write_text(kept + "\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
