"""Benchmark of symcnn's summary pipeline: does cost grow linearly with depth?

Times ``build_network`` (or ``read_network``) + ``summarize`` + ``as_json`` +
``as_table`` on Conv2d/MaxPool2d chains of 10, 100 and 1,000 layers (fully
symbolic; numeric hyperparameters on a symbolic input, with stride-1 and with
stride-2 pools; fully numeric, in the sympy reading and in the numeric reading
``symcnn summary`` uses) and on VGG-16 (numeric in both readings, and on a
(3, H, W) input), and, for contrast, ``.subs`` against ``xreplace`` on the nested closed
form of a symbolic chain's output width. Every run is a fresh process forked from this
one (cold sympy cache, as one CLI call), killed past a timeout, so a case that
hangs or overflows the recursion limit is reported, never waited on.

    python bench/bench_summary.py           # full run, writes bench/results.md
    python bench/bench_summary.py --quick   # smoke run, prints only
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache  # noqa: E402

from symcnn.cnn.layers import Conv2d, MaxPool2d  # noqa: E402
from symcnn.cnn.network import build_network  # noqa: E402
from symcnn.cnn.summary import as_json, as_table, summarize  # noqa: E402
from symcnn.files.spec import read_network  # noqa: E402
from symcnn.formula.numbers import numeric_reading  # noqa: E402
from symcnn.formula.symbols import layer_symbol, symbol  # noqa: E402

VGG16 = ROOT / "examples" / "vgg16.toml"
STAGES = ("build", "summarize", "as_json", "as_table")
NUMBERS = {"C_in": 3, "H": 1024, "W": 1024, "C": 16, "K": 3, "S": 1, "P": 1, "K_p": 2, "S_p": 1}
Report = Callable[[str], None]


def chain(kind: str, depth: int) -> tuple[list, tuple]:
    """``depth`` layers alternating Conv2d and MaxPool2d, and the input shape, of one kind of chain."""
    if kind.startswith("symbolic"):
        pair = [Conv2d(out_channels="C", kernel_size="K", stride="S", padding="P"),
                MaxPool2d(kernel_size="K_p", stride="S_p")]
    else:
        pool_stride = 2 if kind == "stride2" else 1
        pair = [Conv2d(out_channels=16, kernel_size=3, padding=1), MaxPool2d(kernel_size=2, stride=pool_stride)]
    shape = (3, 1024, 1024) if kind in ("numeric", "numeric_reading") else ("C_in", "H", "W")
    return (pair * depth)[:depth], shape


def built(kind: str, depth: int) -> tuple:
    """A chain's network and no values; the no-GC case turns the collector off (each run is its own process)."""
    if kind.endswith("_nogc"):
        gc.disable()
    return build_network(*chain(kind, depth)), {}


def vgg16(symbolic_input: bool) -> tuple:
    """VGG-16 from its TOML file with its values, or rebuilt on a (3, H, W) input."""
    network, values = read_network(VGG16)
    if symbolic_input:
        network = build_network([(a.name, a.layer) for a in network.layers], (3, "H", "W"), network.name)
    return network, values


def clocked(step: Callable[[], object]) -> tuple[object, float]:
    """``step()`` and the seconds it took."""
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def pipeline(load: Callable[[], tuple], report: Report, numeric: bool = False) -> dict[str, float]:
    """Seconds per stage of load (build the network) -> summarize -> as_json -> as_table.

    ``numeric``: every stage in the numeric reading (Python ints, no sympy), as ``symcnn summary`` runs a
    network of numbers.
    """
    times: dict[str, float] = {}

    def stage(name: str, step: Callable[[], object]) -> object:
        report(name)
        result, times[name] = clocked(step)
        return result

    with numeric_reading() if numeric else nullcontext():
        network, values = stage("build", load)
        summary = stage("summarize", lambda: summarize(network, values))
        stage("as_json", lambda: as_json(summary))
        stage("as_table", lambda: as_table(summary))
    return times


def substitution(depth: int, report: Report) -> dict[str, float | str]:
    """Seconds to nest a symbolic chain's output width, and to put numbers into it by ``.subs`` and ``xreplace``."""
    network = build_network(*chain("symbolic", depth))
    width = layer_symbol("W", depth)
    report("closed_form")
    form, seconds = clocked(lambda: network.closed_form(width))
    times: dict[str, float | str] = {"closed_form": seconds}
    values = {symbol(name): sp.Integer(value) for name, value in NUMBERS.items()}
    expected = network.values(values)[width]
    for method in ("subs", "xreplace"):
        clear_cache()
        report(method)
        try:
            result, times[method] = clocked(partial(getattr(form, method), values))
        except RecursionError:
            times[method] = "RecursionError"
            continue
        assert result == expected, f"{method} gave {result}, layer by layer gives {expected}"
    return times


def isolated(task: Callable[[Report], dict], timeout: float) -> dict | str:
    """``task``'s result from a fresh forked process, or why there is none (error or timeout, and in which stage)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(("ok", task(lambda name: sender.send(("stage", name)))))
        except RecursionError:
            sender.send(("error", "RecursionError"))
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            sender.send(("error", f"{type(error).__name__}: {str(error)[:120]}"))

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    deadline, stage, outcome = time.monotonic() + timeout, "start", None
    try:
        while outcome is None:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                outcome = f"timeout > {timeout:g} s"
                break
            kind, value = receiver.recv()
            if kind == "stage":
                stage = value
            else:
                outcome = value
    except EOFError:
        outcome = "process died"
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    return outcome if isinstance(outcome, dict) else f"{outcome} (in {stage})"


def measure(task: Callable[[Report], dict], repeats: int, timeout: float) -> list[dict] | str:
    """Up to ``repeats`` isolated runs of ``task``; fewer when one takes over a quarter of ``timeout``."""
    runs: list[dict] = []
    for _ in range(repeats):
        outcome = isolated(task, timeout)
        if isinstance(outcome, str):
            return outcome
        runs.append(outcome)
        if sum(v for v in outcome.values() if isinstance(v, float)) > timeout / 4:
            break
    return runs


def pipeline_row(label: str, layers: int, runs: list[dict] | str) -> str:
    """One markdown row: total (median and best), best ms per layer, and the median of each stage."""
    if isinstance(runs, str):
        return f"| {label} | {layers} | — | — | — | {runs} |"
    totals = [sum(run.values()) for run in runs]
    stages = ", ".join(f"{s} {statistics.median(r[s] for r in runs):.3f}" for s in STAGES)
    return (f"| {label} | {layers} | {statistics.median(totals):.3f} | {min(totals):.3f} | "
            f"{per_layer(runs, layers):.2f} | {stages} |")


def cell(runs: list[dict] | str, key: str) -> str:
    """The best time of ``key`` over the runs in ms, or why there is none."""
    if isinstance(runs, str):
        return runs
    found = [run[key] for run in runs if key in run]
    if not found:
        return "not run"
    failed = [value for value in found if isinstance(value, str)]
    return failed[0] if failed else f"{min(found) * 1000:.1f} ms"


def machine() -> str:
    """The machine, Python and sympy versions, and the date."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
              if line.startswith("model name")]
    return (f"{platform.platform()}, {models[0] if models else platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs; Python {platform.python_version()}, sympy {sp.__version__}; "
            f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def revision() -> str:
    """The git commit, and a digest of every symcnn/**/*.py as this process imported them (the tree may be dirty)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((ROOT / "symcnn").rglob("*.py"))))
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "symcnn"], cwd=ROOT, capture_output=True, text=True)
    state = "with uncommitted changes to symcnn/" if dirty.stdout.strip() else "clean symcnn/"
    return f"commit {commit.stdout.strip() or '?'} {state}, symcnn/**/*.py sha256 {digest.hexdigest()[:12]}"


def per_layer(runs: list[dict] | str, layers: int) -> float | None:
    """Best milliseconds per layer (the least disturbed by other processes), or None for a failed case."""
    return None if isinstance(runs, str) else 1000 * min(sum(r.values()) for r in runs) / layers


def reading(chains: dict[tuple[str, int], list[dict] | str], depths: tuple[int, ...],
            closed: dict[int, list[dict] | str]) -> str:
    """The paragraph: per-layer cost from the middle to the deepest chain, the 5 s target, the closed form."""
    low, high = depths[-2], depths[-1]
    parts = []
    for kind, label in CHAIN_LABELS.items():
        a, b = per_layer(chains[kind, low], low), per_layer(chains[kind, high], high)
        if a is None or b is None:
            failed = chains[kind, low] if a is None else chains[kind, high]
            parts.append(f"{label}: fails at {low if a is None else high} layers ({failed})")
        else:
            verdict = "flat" if b <= 1.2 * a else "grows slightly" if b <= 1.5 * a else "grows"
            parts.append(f"{label}: {a:.2f} -> {b:.2f} ({verdict}, x{b / a:.2f})")
    deepest = chains["symbolic", high]
    if isinstance(deepest, str):
        target = f"does not complete ({deepest})"
    else:
        median, best = (f(sum(r.values()) for r in deepest) for f in (statistics.median, min))
        target = f"takes {median:.2f} s (median; best {best:.2f} s): {'under' if median < 5 else 'over'} 5 s"
    shallow, deep = 40 if 40 in closed else max(closed), max(closed)
    contrast = (f"On the nested closed form at {shallow} layers, `.subs` takes {cell(closed[shallow], 'subs')} "
                f"against {cell(closed[shallow], 'xreplace')} for `xreplace`, and building it "
                f"{cell(closed[shallow], 'closed_form')}")
    if deep != shallow:
        contrast += f"; at {deep} layers `.subs` gives {cell(closed[deep], 'subs')}"
    return (f"Best ms per layer from {low} to {high} layers — " + "; ".join(parts)
            + f". The {high}-layer fully symbolic chain {target}. {contrast}.")


CONTRAST_KEYS = ("closed_form", "subs", "xreplace")
CHAIN_LABELS = {
    "symbolic": "fully symbolic chain",
    "symbolic_nogc": "fully symbolic chain, garbage collector off",
    "numeric_hyper": "numeric hyperparameters (stride-1 pools), symbolic input",
    "stride2": "numeric hyperparameters (stride-2 pools), symbolic input",
    "numeric": "fully numeric (3 x 1024 x 1024 input)",
    "numeric_reading": "fully numeric, numeric reading (as `symcnn summary`)",
}


def main() -> None:
    """Run every case and write (or, with --quick, print) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small depths, one run each, print only")
    args = parser.parse_args()
    depths, repeats, timeout = ((10, 100), 1, 30.0) if args.quick else ((10, 100, 1000), 5, 120.0)
    contrast = (5, 20) if args.quick else (5, 20, 40, 100)
    code = revision()
    pipeline(lambda: (build_network(*chain("numeric", 2)), {}), lambda name: None)  # sympy's lazy imports, once

    rows, chains = [], {}
    for kind, label in CHAIN_LABELS.items():
        for depth in depths:
            runs = measure(lambda report, k=kind, d=depth: pipeline(lambda: built(k, d), report,
                                                                    k == "numeric_reading"), repeats, timeout)
            chains[kind, depth] = runs
            rows.append(pipeline_row(label, depth, runs))
            print(rows[-1], flush=True)
    for symbolic_input, numeric, label in ((False, False, "VGG-16 (examples/vgg16.toml)"),
                                           (False, True, "VGG-16, numeric reading (as `symcnn summary`)"),
                                           (True, False, "VGG-16, input (3, H, W)")):
        runs = measure(lambda report, s=symbolic_input, n=numeric: pipeline(lambda: vgg16(s), report, n),
                       repeats, timeout)
        rows.append(pipeline_row(label, 38, runs))
        print(rows[-1], flush=True)

    closed, contrasts = [], {}
    for depth in contrast:
        contrasts[depth] = measure(lambda report, d=depth: substitution(d, report), repeats, timeout)
        closed.append(f"| {depth} | " + " | ".join(cell(contrasts[depth], key) for key in CONTRAST_KEYS) + " |")
        print(closed[-1], flush=True)

    text = "\n".join([
        "# Summary pipeline benchmark", "",
        f"Machine: {machine()}.", "",
        f"Code: {code}.", "",
        f"`python bench/bench_summary.py{' --quick' if args.quick else ''}`: each case run up to {repeats} times, "
        f"each run in a fresh forked process (cold sympy cache), killed after {timeout:g} s; "
        "total = build (or read) + summarize + as_json + as_table, median of the runs, and the best. "
        "A 2-layer numeric warm-up in the parent first loads sympy's lazily imported modules "
        "(about 0.1-0.2 s, once per process, not counted). "
        f"Recursion limit: Python's default ({sys.getrecursionlimit()}). Other processes may share the CPUs.", "",
        "| case | layers | total s (median) | best s | ms per layer (best) | median s per stage |",
        "|---|---:|---:|---:|---:|---|",
        *rows, "",
        "## Nested closed form: `.subs` against `xreplace`", "",
        "The fully symbolic chain's last width `W_n` with every definition nested by "
        "`network.closed_form` (a `value_of` walk per definition, which re-evaluates no floor); then numbers "
        "put in for every input symbol by `.subs` and by `xreplace`, each on a cleared sympy cache and "
        "checked against the layer-by-layer value. Best of the runs.", "",
        "| layers | `closed_form` | `.subs` | `xreplace` |", "|---:|---:|---:|---:|",
        *closed, "",
        "## Reading", "",
        reading(chains, depths, contrasts), "",
    ])
    print(text)
    if not args.quick:  # the other benchmarks' sections, after this one's, are kept
        results = ROOT / "bench" / "results.md"
        mine = "<!-- bench/bench_summary.py writes from the start to here -->"
        kept = results.read_text().partition(mine) if results.exists() else ("", "", "")
        results.write_text(text + "\n" + mine + kept[2])


if __name__ == "__main__":
    main()
