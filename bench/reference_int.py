"""The floor: symcnn's numeric summary in plain Python integers, as a yardstick for its speed.

Reads the same TOML network specs (``tomllib``) and prints the same JSON as
``symcnn summary --json`` for chains of Conv2d, MaxPool2d, AvgPool2d, Linear,
Flatten, ReLU, BatchNorm2d and Dropout with numbers only: output shapes,
parameters, multiplications, additions, activation elements and receptive
fields, with symcnn's counting conventions (README, "Counting conventions").
No sympy, no validation beyond what the arithmetic needs: a benchmark's
reference, not a second implementation to use.

    python bench/reference_int.py examples/vgg16.toml [--batch 8]
    python bench/reference_int.py --verify     # identical JSON to symcnn's on the examples and random chains
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

KINDS = {"Conv2d": "conv", "MaxPool2d": "pool", "AvgPool2d": "pool", "Linear": "fc", "Flatten": "flatten",
         "ReLU": "relu", "BatchNorm2d": "bn", "Dropout": "dropout"}


def pair(value: Any) -> tuple[int, int]:
    """torch's (height, width) reading of ``3`` or ``[3, 5]``."""
    if isinstance(value, list):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """⌊(W + 2P - D(K - 1) - 1)/S⌋ + 1, or torch's ceil_mode rule."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    steps = -(-span // stride)
    return steps if steps * stride >= size + padding else steps + 1


def expand(table: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """The [[layers]] entries with ``repeat`` unrolled, as (given name, entry)."""
    layers: list[tuple[str | None, dict[str, Any]]] = []
    for entry in table["layers"]:
        repeat, name = entry.get("repeat", 1), entry.get("name")
        if name is None:
            layers += [(None, entry)] * repeat
        else:
            layers += [(name if repeat == 1 else f"{name}_{k}", entry) for k in range(1, repeat + 1)]
    return layers


def summary(table: dict[str, Any], batch: int | None = None) -> dict[str, Any]:
    """The JSON object of ``symcnn summary --json`` for a numeric spec."""
    shape = [int(size) for size in table["input"]]
    first = list(shape)
    jump, lo, hi = [1, 1], [0, 0], [0, 0]  # per axis (rows, columns): neuron i sees jump*i + lo .. jump*i + hi
    flat = False
    counters: dict[str, int] = {}
    rows = []
    totals = {"params": 0, "mults": 0, "adds": 0, "activation_elements": 0, "conv_linear_mults": 0}
    previous = "input"
    for given, entry in expand(table):
        kind = entry["type"]
        counters[KINDS[kind]] = counters.get(KINDS[kind], 0) + 1
        name = given or f"{KINDS[kind]}{counters[KINDS[kind]]}"
        params = mults = adds = 0
        windows = None
        if kind in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            channels, height, width = shape
            conv = kind == "Conv2d"
            kernel = pair(entry["kernel_size"])
            stride = pair(entry.get("stride", 1 if conv else entry["kernel_size"]))
            padding = pair(entry.get("padding", 0))
            dilation = pair(entry.get("dilation", 1)) if kind != "AvgPool2d" else (1, 1)
            ceil_mode = entry.get("ceil_mode", False)
            windows = list(zip(kernel, stride, padding, dilation))
            size = [out_size(s, *w, ceil_mode) for s, w in zip((height, width), windows)]
            if conv:
                out_channels, groups = int(entry["out_channels"]), int(entry.get("groups", 1))
                weights = kernel[0] * kernel[1] * (channels // groups)
                bias = entry.get("bias", True)
                params = (weights + 1) * out_channels if bias else weights * out_channels
                mults = weights * size[0] * size[1] * out_channels
                adds = (weights if bias else weights - 1) * size[0] * size[1] * out_channels
                shape = [out_channels, *size]
            else:
                shape = [channels, *size]
                if kind == "AvgPool2d":
                    adds = (kernel[0] * kernel[1] - 1) * size[0] * size[1] * channels
        elif kind in ("Linear", "Flatten"):
            features = shape[0] if len(shape) == 1 else shape[0] * shape[1] * shape[2]
            if kind == "Linear":
                out_features = int(entry["out_features"])
                bias = entry.get("bias", True)
                params = (features + 1) * out_features if bias else features * out_features
                mults = features * out_features
                adds = (features if bias else features - 1) * out_features
                features = out_features
            shape = [features]
        elif kind == "BatchNorm2d":
            elements = shape[0] * shape[1] * shape[2]
            params = 2 * shape[0] if entry.get("affine", True) else 0
            mults = adds = elements
        elements = shape[0] if len(shape) == 1 else shape[0] * shape[1] * shape[2]
        flat = flat or len(shape) == 1
        field = None
        if not flat:
            for axis, window in enumerate(windows or ()):
                kernel_, stride_, padding_, dilation_ = window
                extent = dilation_ * (kernel_ - 1) + 1
                lo[axis], hi[axis] = lo[axis] - jump[axis] * padding_, hi[axis] + jump[axis] * (extent - 1 - padding_)
                jump[axis] *= stride_
            field = {"size": [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1], "jump": list(jump), "start": list(lo)}
        rows.append({"name": name, "type": kind, "inputs": [previous], "output_shape": list(shape), "params": params,
                     "mults": mults, "adds": adds, "activation_elements": elements, "receptive_field": field})
        previous = name
        if kind in ("Conv2d", "Linear"):
            totals["conv_linear_mults"] += mults
        for key, value in (("params", params), ("mults", mults), ("adds", adds), ("activation_elements", elements)):
            totals[key] += value
    result: dict[str, Any] = {"name": table.get("name", "network"), "input": first, "layers": rows, "totals": totals}
    if batch is not None:
        result["batch"] = batch
    return result


def random_chain(seed: int) -> str:
    """A TOML spec of a random valid chain of every supported layer type (numbers only)."""
    import random

    rng = random.Random(seed)
    channels, height, width = rng.randint(1, 8), rng.randint(24, 96), rng.randint(24, 96)
    lines = [f'name = "random chain {seed}"', f"input = [{channels}, {height}, {width}]"]
    for _ in range(rng.randint(3, 30)):
        kind = rng.choice(["Conv2d", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "BatchNorm2d", "Dropout"])
        entry = [f'type = "{kind}"']
        if kind == "Conv2d":
            groups = rng.choice([1, 1, channels]) if channels > 1 else 1
            out = groups * rng.randint(1, 6)
            kernel = (rng.randint(1, 5), rng.randint(1, 5))
            dilation = rng.choice([1, 1, 2])
            padding = (rng.randint(0, 2), rng.randint(0, 2))
            stride = rng.choice([1, 1, 2])
            if any(size + 2 * p < dilation * (k - 1) + 1 for size, p, k in zip((height, width), padding, kernel)):
                continue
            entry += [f"out_channels = {out}", f"kernel_size = [{kernel[0]}, {kernel[1]}]",
                      f"stride = {stride}", f"padding = [{padding[0]}, {padding[1]}]",
                      f"dilation = {dilation}", f"groups = {groups}", f"bias = {rng.choice(['true', 'false'])}"]
            height, width = (out_size(s, k, stride, p, dilation, False)
                             for s, k, p in zip((height, width), kernel, padding))
            channels = out
        elif kind in ("MaxPool2d", "AvgPool2d"):
            kernel = rng.randint(1, 3)
            stride, padding, ceil_mode = rng.randint(1, 3), rng.randint(0, kernel // 2), rng.random() < 0.3
            if min(height, width) + 2 * padding < kernel:
                continue
            entry += [f"kernel_size = {kernel}", f"stride = {stride}", f"padding = {padding}",
                      f"ceil_mode = {'true' if ceil_mode else 'false'}"]
            height, width = (out_size(s, kernel, stride, padding, 1, ceil_mode) for s in (height, width))
        elif kind == "BatchNorm2d":
            entry.append(f"affine = {rng.choice(['true', 'false'])}")
        lines += ["", "[[layers]]", *entry]
        if min(height, width) < 3:
            break
    if rng.random() < 0.7:
        lines += ["", "[[layers]]", 'type = "Flatten"', "", "[[layers]]", 'type = "Linear"',
                  f"out_features = {rng.randint(1, 100)}", f"bias = {rng.choice(['true', 'false'])}"]
    return "\n".join(lines) + "\n"


GRAPH_ANALYSES = ("validity", "inference")
"""What symcnn's summary proves or walks beyond the layer-by-layer numbers (valid input sizes, the inference
peak); the reference leaves them out, so it is the floor of the layer arithmetic alone."""


def verify(count: int = 40) -> int:
    """Assert identical JSON to ``symcnn summary --json`` on the examples and ``count`` random chains."""
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from symcnn.cnn.summary import as_json, summarize
    from symcnn.files.spec import network_from_table

    specs = [(str(p), p.read_text()) for p in (root / "examples" / n for n in
                                                 ("vgg16.toml", "alexnet.toml", "seed_network.toml"))]
    specs += [(f"random chain {seed}", random_chain(seed)) for seed in range(count)]
    for where, text in specs:
        table = tomllib.loads(text)
        for batch in (None, 8):
            ours = summary(table, batch)
            network, values = network_from_table(table, where)
            theirs = as_json(summarize(network, values, batch=batch))
            for analysis in GRAPH_ANALYSES:
                theirs.pop(analysis, None)
            assert ours == theirs, f"{where} (batch {batch}): the reference and symcnn differ"
    print(f"identical JSON on {len(specs)} specs (3 examples, {count} random chains), with and without --batch, "
          f"but for symcnn's {' and '.join(GRAPH_ANALYSES)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", help="network spec (TOML), numbers only")
    parser.add_argument("--batch", type=int)
    parser.add_argument("--verify", action="store_true", help="compare with symcnn on examples and random chains")
    args = parser.parse_args(argv)
    if args.verify:
        return verify()
    if args.spec is None:
        parser.error("give a spec file, or --verify")
    with open(args.spec, "rb") as handle:
        print(json.dumps(summary(tomllib.load(handle), args.batch), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
