"""The floor under symcnn's fully symbolic chain: sympy's own arithmetic for what a summary must derive.

For bench_summary.py's chain (Conv2d(C, K, S, P) and MaxPool2d(K_p, S_p),
alternating), this builds in plain sympy, with no symcnn code, only what any
symbolic summary of it has to construct per layer: the two output sizes
(floor((W + 2P - K)/S) + 1, named W_k and H_k as symcnn names them), the
parameters, the multiplications, the activation size, and one step of the
receptive field (jump, first and last offsets, named as symcnn names them).
No printing, no checks, no valid-input proof. Each depth runs in a fresh
process (a cold sympy cache, as one CLI call); the median of the runs is printed.

    python bench/symbolic_floor.py [DEPTH ...]     # default: 100 1000 3000
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 3


def chain(depth: int) -> float:
    """Seconds to derive ``depth`` layers' sizes, counts and receptive field in plain sympy."""
    import sympy as sp

    def integer(name: str, positive: bool = True) -> sp.Symbol:
        return sp.Symbol(name, integer=True, positive=positive or None)

    padding, kernel, stride, channels, pool, pool_stride, c_in = map(integer, ("P", "K", "S", "C", "K_p", "S_p",
                                                                                "C_in"))
    width, height, depth_channels = integer("W"), integer("H"), c_in
    jump, first, last = sp.Integer(1), sp.Integer(0), sp.Integer(0)
    started = time.perf_counter()
    for k in range(1, depth + 1):
        conv = k % 2 == 1
        window, step, pad = (kernel, stride, padding) if conv else (pool, pool_stride, sp.Integer(0))
        for size in (width, height):
            sp.floor((size + 2 * pad - window) / step, evaluate=False) + 1  # kept as symcnn keeps it
        width, height = integer(f"W_{k}"), integer(f"H_{k}")
        if conv:
            (window * window * depth_channels + 1) * channels  # noqa: B018 - the parameters
            window * window * depth_channels * width * height * channels  # noqa: B018 - the multiplications
            depth_channels = channels
        width * height * depth_channels  # noqa: B018 - the activation
        jump, first, last = jump * step, first - jump * pad, last + jump * (window - 1 - pad)
        jump, first, last = integer(f"J_{k}"), integer(f"F_{k}", False), integer(f"L_{k}", False)
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--once":
        print(chain(int(sys.argv[2])))
        return
    for depth in [int(arg) for arg in sys.argv[1:]] or [100, 1000, 3000]:
        runs = [float(subprocess.run([sys.executable, __file__, "--once", str(depth)], capture_output=True,
                                     text=True, check=True).stdout) for _ in range(RUNS)]
        median = statistics.median(runs)
        print(f"{depth} layers: {median:.3f} s median of {RUNS} ({1000 * median / depth:.2f} ms a layer)")


if __name__ == "__main__":
    main()
