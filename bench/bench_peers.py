"""symcnn beside its peers and beside the floor, in one run: VGG-16 and chains of blocks.

Tools: symcnn (``symcnn summary --json``), the plain-integer reference
(``bench/reference_int.py``), torchinfo (meta device), torch's FlopCounterMode
(meta), fvcore, ptflops, thop and torchscan (the optional ``bench`` extra:
``pip install -e .[bench]``; a peer that does not import is reported, not
counted). Every measurement is a fresh process; the tools take turns
(interleaved), and each number is the median of the runs. Torch-based tools
run with ``OMP_NUM_THREADS=1``: with two threads on a shared 2-CPU machine a
forward pass sometimes runs 10-50x slower.

* whole process: the command a user runs, from start to exit;
* work: in one process, after a warm call on a 2-block chain (imports and lazy
  initialisation paid), the time to read or build the network and count it
  (symcnn: read the TOML, summarize, JSON; torch tools: build the model and count).

A chain of n blocks is n x (Conv2d 16 -> 16, 3 x 3, padding 1; ReLU) on a
16 x 32 x 32 input. Also: symcnn's fully symbolic chain (bench_summary.py's)
from 100 to 3,000 layers, ``symcnn solve`` of the seed (md, tex) against
``import sympy``, and what thop's float counts do near 2^53 and 2^63.

    python bench/bench_peers.py              # full run, writes bench/results_peers.json
    python bench/bench_peers.py --quick      # one run each, small chains
    python bench/bench_peers.py --markdown RUN.json COMMIT TITLE ...   # sections of bench/results.md
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VGG16 = ROOT / "examples" / "vgg16.toml"
PEERS = ("torchinfo", "flopcounter", "fvcore", "ptflops", "thop", "torchscan")
TOOLS = ("symcnn", "reference", *PEERS)
CONVENTIONS = {
    "symcnn": "mults = MACs (one per weight x input product); params exact ints",
    "reference": "same JSON as symcnn, plain ints",
    "torchinfo": "total_mult_adds = MACs + one per bias addition",
    "flopcounter": "FLOPs = 2 x MACs, conv and linear only (reported here / 2)",
    "fvcore": "'flops' = MACs of conv and linear",
    "ptflops": "MACs + bias additions + one per ReLU and pooling element (pytorch backend, its default)",
    "thop": "MACs as a float (exact only below 2^53; OverflowError past int64)",
    "torchscan": "MACs + one per max-pool output",
}
DEVICE = {"torchinfo": "meta", "flopcounter": "meta", "thop": "meta",
          "fvcore": "cpu", "ptflops": "cpu", "torchscan": "cpu"}
"""Where each torch tool runs: meta where it works and counts as on cpu (fvcore's tracing fails on meta,
ptflops counts differently there, torchscan needs real tensors); cpu models are made with ``to_empty``."""


# --- the networks ---------------------------------------------------------------------------------------


def chain_table(blocks: int) -> dict[str, Any]:
    """A chain of ``blocks`` x (Conv2d 3 x 3, ReLU) as a spec table."""
    block = [{"type": "Conv2d", "out_channels": 16, "kernel_size": 3, "padding": 1}, {"type": "ReLU"}]
    return {"name": f"chain of {blocks} blocks", "input": [16, 32, 32], "layers": block * blocks}


def toml_text(table: dict[str, Any]) -> str:
    """A spec table written as TOML (the subset chain_table uses)."""
    lines = [f'name = "{table["name"]}"', f"input = {table['input']}"]
    for entry in table["layers"]:
        lines += ["", "[[layers]]"] + [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def torch_model(table: dict[str, Any], device: str) -> Any:
    """The spec as a ``torch.nn.Sequential`` on ``device`` (cpu weights uninitialised: counting needs none)."""
    import torch.nn as nn

    sys.path.insert(0, str(ROOT / "bench"))
    from reference_int import expand, out_size, pair

    shape = list(table["input"])
    modules: list[nn.Module] = []
    for _, entry in expand(table):
        kind, args = entry["type"], {k: v for k, v in entry.items() if k not in ("type", "name", "repeat")}
        for key in ("kernel_size", "stride", "padding", "dilation"):
            if isinstance(args.get(key), list):
                args[key] = tuple(args[key])
        if kind == "Conv2d":
            modules.append(nn.Conv2d(shape[0], device="meta", **args))
            kernel, stride = pair(entry["kernel_size"]), pair(entry.get("stride", 1))
            padding = pair(entry.get("padding", 0))
            dilation = pair(entry.get("dilation", 1))
            shape = [entry["out_channels"], *(out_size(s, *w, False) for s, w in
                                              zip(shape[1:], zip(kernel, stride, padding, dilation)))]
        elif kind in ("MaxPool2d", "AvgPool2d"):
            modules.append(getattr(nn, kind)(**args))
            kernel = pair(entry["kernel_size"])
            stride, padding = pair(entry.get("stride", entry["kernel_size"])), pair(entry.get("padding", 0))
            shape = [shape[0], *(out_size(s, k, st, p, 1, entry.get("ceil_mode", False)) for s, k, st, p in
                                 zip(shape[1:], kernel, stride, padding))]
        elif kind == "Flatten":
            modules.append(nn.Flatten())
            shape = [shape[0] * shape[1] * shape[2]]
        elif kind == "Linear":
            modules.append(nn.Linear(shape[0], device="meta", **args))
            shape = [entry["out_features"]]
        elif kind == "BatchNorm2d":
            modules.append(nn.BatchNorm2d(shape[0], device="meta", **args))
        else:
            modules.append(getattr(nn, kind)(**args))
    model = nn.Sequential(*modules).eval()
    return model if device == "meta" else model.to_empty(device=device)


# --- one tool, one network ---------------------------------------------------------------------------


def count(tool: str, table: dict[str, Any], spec: Path) -> dict[str, Any]:
    """Build and count ``table`` (read from ``spec``) with ``tool``: its own numbers, as it reports them."""
    if tool == "symcnn":
        from symcnn.cnn.summary import as_json, summarized
        from symcnn.files.spec import read_network

        totals = json.loads(json.dumps(as_json(summarized(lambda: read_network(spec)))))["totals"]  # as the CLI
        return {"params": totals["params"], "macs": totals["mults"]}
    if tool == "reference":
        from reference_int import summary

        with open(spec, "rb") as handle:
            totals = json.loads(json.dumps(summary(tomllib.load(handle))))["totals"]
        return {"params": totals["params"], "macs": totals["mults"]}
    import torch

    device = DEVICE[tool]
    model = torch_model(table, device)
    shape = (1, *table["input"])
    params = sum(p.numel() for p in model.parameters())
    if tool == "torchinfo":
        import torchinfo

        result = torchinfo.summary(model, input_size=shape, device=device, verbose=0)
        return {"params": result.total_params, "macs": result.total_mult_adds}
    x = torch.zeros(shape, device=device)
    if tool == "flopcounter":
        from torch.utils.flop_counter import FlopCounterMode

        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(x)
        return {"params": params, "macs": counter.get_total_flops() // 2}
    if tool == "fvcore":
        from fvcore.nn import FlopCountAnalysis

        analysis = FlopCountAnalysis(model, x)
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return {"params": params, "macs": analysis.total()}
    if tool == "ptflops":
        from ptflops import get_model_complexity_info

        macs, counted = get_model_complexity_info(model, tuple(table["input"]), as_strings=False,
                                                  print_per_layer_stat=False, verbose=False)
        return {"params": counted, "macs": macs}
    if tool == "thop":
        import thop

        macs, counted = thop.profile(model, inputs=(x,), verbose=False)
        return {"params": params, "macs": macs}
    if tool == "torchscan":
        from torchscan import crawl_module

        totals = crawl_module(model, tuple(table["input"]))["totals"]
        return {"params": totals["parameters"]["value"], "macs": totals["macs"]["value"]}
    raise ValueError(tool)


def worker(tool: str, spec: Path, mode: str) -> None:
    """In a fresh process: ``once`` counts and exits (the whole-process run); ``work`` also times, after a warm call."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import warnings

    warnings.filterwarnings("ignore")
    with open(spec, "rb") as handle:
        table = tomllib.load(handle)
    if mode == "once":
        print(json.dumps(count(tool, table, spec)))
        return
    warm = Path(tempfile.mkdtemp()) / "warm.toml"
    warm.write_text(toml_text(chain_table(2)))
    count(tool, chain_table(2), warm)
    start = time.perf_counter()
    counts = count(tool, table, spec)
    print(json.dumps({"work_s": time.perf_counter() - start, **counts}))


def symbolic_worker(depth: int) -> None:
    """In a fresh process: bench_summary.py's fully symbolic chain, built, summarized and printed, timed."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from bench_summary import chain

    from symcnn.cnn.network import build_network
    from symcnn.cnn.summary import as_json, as_table, summarize

    build_network(*chain("symbolic", 2))  # sympy's lazily imported modules, as in bench_summary
    start = time.perf_counter()
    summary = summarize(build_network(*chain("symbolic", depth)))
    as_json(summary), as_table(summary)
    print(json.dumps({"work_s": time.perf_counter() - start}))


def thop_worker() -> None:
    """thop's float counts near 2^53 and past 2^63, against the exact product (meta tensors)."""
    import warnings

    import thop
    import torch
    import torch.nn as nn

    warnings.filterwarnings("ignore")
    rows = []
    for cin, cout, size, batch in ((1, 1, 65535, 10**6), (3, 64, 65535, 10**6 + 1), (3, 64, 65537, 10**6 + 1),
                                   (64, 64, 65535, 10**6), (64, 64, 65536, 10**6)):
        model = nn.Conv2d(cin, cout, 3, padding=1, bias=False, device="meta")
        exact = cin * cout * 9 * size * size * batch
        try:
            macs, _ = thop.profile(model, inputs=(torch.zeros(batch, cin, size, size, device="meta"),), verbose=False)
            got = f"{macs!r} ({type(macs).__name__}), off by {int(macs) - exact:,}"
        except Exception as error:  # the failure is the finding
            got = f"{type(error).__name__}: {error}"
        rows.append({"case": f"Conv2d({cin}, {cout}, 3) on {batch:,} x {cin} x {size} x {size}",
                     "exact": exact, "thop": got})
    print(json.dumps(rows))


# --- the parent: interleaved fresh processes ---------------------------------------------------------------


def env_for(tool: str) -> dict[str, str]:
    """Every tool as an installed package runs: Python's bytecode caches used (PYTHONDONTWRITEBYTECODE unset)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    if tool in PEERS:
        env["OMP_NUM_THREADS"] = "1"
    return env


def whole_command(tool: str, spec: Path) -> list[str]:
    """What a user runs: symcnn's CLI, the reference's script, or a peer's count in a script."""
    if tool == "symcnn":
        return [sys.executable, "-m", "symcnn", "summary", str(spec), "--json"]
    if tool == "reference":
        return [sys.executable, str(ROOT / "bench" / "reference_int.py"), str(spec)]
    return [sys.executable, __file__, "--worker", tool, str(spec), "once"]


def timed_run(command: list[str], env: dict[str, str], timeout: float) -> tuple[float | None, str]:
    """Seconds and stdout of one fresh process (None: it failed or timed out; the reason in the text)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:160]
    return elapsed, done.stdout


def available(tool: str) -> str | None:
    """None if the tool imports, else why not."""
    module = {"flopcounter": "torch.utils.flop_counter", "symcnn": "symcnn", "reference": "json"}.get(tool, tool)
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env_for(tool),
                          capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]


def measure(tools: list[str], specs: dict[str, Path], runs: int, peer_runs: int, timeout: float,
            log: Any) -> dict[str, Any]:
    """Whole-process and work seconds (lists of runs) and counts, per (case, tool); tools interleaved.

    The torch-based peers run ``peer_runs`` times (each of their processes takes seconds), symcnn and the
    reference ``runs`` times.
    """
    results: dict[str, Any] = {}
    for case, spec in specs.items():
        for run in range(max(runs, peer_runs)):
            for tool in tools:
                entry = results.setdefault(case, {}).setdefault(tool, {"whole": [], "work": [], "error": None})
                if entry["error"] or run >= (peer_runs if tool in PEERS else runs):
                    continue
                for kind in ("whole", "work"):
                    command = whole_command(tool, spec) if kind == "whole" else \
                        [sys.executable, __file__, "--worker", tool, str(spec), "work"]
                    seconds, out = timed_run(command, env_for(tool), timeout)
                    if seconds is None:
                        entry["error"] = f"{kind}: {out}"
                        break
                    if kind == "whole":
                        entry["whole"].append(seconds)
                        if tool not in ("symcnn", "reference"):
                            entry["counts"] = json.loads(out)
                        else:
                            totals = json.loads(out)["totals"]
                            entry["counts"] = {"params": totals["params"], "macs": totals["mults"]}
                    else:
                        entry["work"].append(json.loads(out)["work_s"])
                log(f"{case} run {run + 1}/{runs} {tool}: whole {entry['whole'][-1:]}, work {entry['work'][-1:]}"
                    f"{', ' + entry['error'] if entry['error'] else ''}")
    return results


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None



# --- the report ----------------------------------------------------------------------------------------

MARKER = "<!-- bench/bench_peers.py writes from here to the end -->"


def _s(values: list[float]) -> str:
    return "-" if not values else f"{statistics.median(values):.3f}"


def _ratio(top: list[float], bottom: list[float]) -> float | None:
    return statistics.median(top) / statistics.median(bottom) if top and bottom else None


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def markdown(report: dict[str, Any], commit: str, title: str) -> str:
    """One run's section of bench/results.md: counts, times, ratios, and the issue's targets."""
    cases = report["cases"]
    lines = [f"# {title}", "",
             f"`python bench/bench_peers.py` ({report['started']}, code at {commit}); {report['machine']}; "
             f"load average at the end {', '.join(f'{x:.1f}' for x in report.get('load_average', ()))} "
             "(other processes shared the 2 CPUs: absolute times are inflated and noisy, the ratios between tools "
             "measured in turn are the result). Fresh process per measurement, with Python's bytecode caches "
             "written beforehand and used, as an installed package runs (PYTHONDONTWRITEBYTECODE unset); medians of "
             f"{report['runs']} runs for symcnn and the reference"
             + (f", {report['peer_runs']} for each torch-based peer (each of their processes takes seconds); "
                "`OMP_NUM_THREADS=1` for the torch tools. " if any(t in PEERS for c in cases.values() for t in c)
                else " (no torch-based peer in this run). ")
             + "*whole*: the command from start to exit (symcnn: `python -m symcnn summary SPEC --json`; the "
             "reference: `python bench/reference_int.py SPEC`; a peer: import torch and the tool, build the model, "
             "count). *work*: after a warm call on a 2-block chain in the same process, reading or building the "
             "network and counting it.", ""]
    if report["missing"]:
        lines += ["Not measured (did not import): " + "; ".join(f"{t}: {why}" for t, why in report["missing"].items()),
                  ""]
    vgg = cases.get("VGG-16", {})
    if vgg:
        base = vgg.get("symcnn", {}).get("counts", {})
        lines += ["## VGG-16: what each tool reports", "",
                  "| tool | device | params | MACs as reported | minus symcnn's mults | convention |",
                  "|---|---|---:|---:|---:|---|"]
        for tool, entry in vgg.items():
            counts = entry.get("counts")
            if not counts:
                lines.append(f"| {tool} | | | | | {entry.get('error') or ''} |")
                continue
            macs = counts["macs"]
            shown = f"{macs:,.1f}" if isinstance(macs, float) else f"{macs:,}"
            diff = f"{int(macs) - base['macs']:,}" if base else ""
            lines.append(f"| {tool} | {DEVICE.get(tool, '-')} | {counts['params']:,} | {shown} | {diff} | "
                         f"{CONVENTIONS[tool]} |")
        lines.append("")
    if cases:
        lines += ["## Time: VGG-16 and chains of n x (Conv2d 16 -> 16, 3 x 3, padding 1; ReLU) on 16 x 32 x 32", "",
                  "| network | tool | whole s | whole / symcnn | work s | work / reference | work ms per layer |",
                  "|---|---|---:|---:|---:|---:|---:|"]
    layers = {"VGG-16": 38}
    for case, tools in cases.items():
        count = layers.get(case) or 2 * int(case.split()[-1])
        for tool, entry in tools.items():
            per_layer = f"{1000 * statistics.median(entry['work']) / count:.3f}" if entry["work"] else "-"
            whole_ratio = _ratio(entry["whole"], tools.get("symcnn", {}).get("whole", []))
            work_ratio = _ratio(entry["work"], tools.get("reference", {}).get("work", []))
            error = f" ({entry['error']})" if entry.get("error") else ""
            lines.append(f"| {case} | {tool}{error} | {_s(entry['whole'])} | {_x(whole_ratio)} | {_s(entry['work'])} | "
                         f"{_x(work_ratio)} | {per_layer} |")
    symbolic = report["symbolic"]
    if symbolic:
        lines += ["", "## symcnn's fully symbolic chain (bench_summary.py's Conv2d/MaxPool2d chain)", "",
                  "Built, summarized, as JSON and as a table, in a fresh process after a 2-layer warm-up.", "",
                  "| layers | median s | ms per layer |", "|---:|---:|---:|"]
        for depth, values in symbolic.items():
            lines.append(f"| {int(depth):,} | {_s(values)} | {1000 * statistics.median(values) / int(depth):.2f} |")
    solve = report["solve"]
    if solve["solve"]:
        first = solve.get("first")
        drawn = "" if first is None else f" (the first run, which draws the figures: {first:.3f} s)"
        lines += ["", f"`symcnn solve` of the seed (md, tex), whole process, solving again into the same folder "
                  f"(unchanged figures are copied, matplotlib is not imported): {_s(solve['solve'])} s{drawn}; "
                  f"`python -c \"import sympy\"`: {_s(solve['sympy'])} s; "
                  f"ratio {_x(_ratio(solve['solve'], solve['sympy']))}."]
    if report["thop"]:
        lines += ["", "## thop's counts are floats", "", "| case | exact MACs | thop |", "|---|---:|---|"]
        rows = report["thop"] if isinstance(report["thop"], list) else []
        lines += [f"| {row['case']} | {row['exact']:,} | {row['thop']} |" for row in rows]
        if not rows:
            lines.append(f"| (failed) | | {report['thop']} |")
    lines += ["", "## The issue's targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {met} |" for name, value, met in targets(report)]
    return "\n".join(lines) + "\n"


def targets(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for each of the issue's targets that this run measured."""
    cases, rows = report["cases"], []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("yes" if ok else "**no**")

    vgg = cases.get("VGG-16", {})
    whole = _ratio(vgg.get("symcnn", {}).get("whole", []), vgg.get("reference", {}).get("whole", []))
    rows.append(("numeric summary of VGG-16, whole process, at most 2x the integer reference", _x(whole),
                 verdict(None if whole is None else whole <= 2)))
    work = {case: _ratio(t.get("symcnn", {}).get("work", []), t.get("reference", {}).get("work", []))
            for case, t in cases.items()}
    known = {case: r for case, r in work.items() if r is not None}
    rows.append(("numeric work per layer at most 3x the reference",
                 ", ".join(f"{case}: {_x(r)}" for case, r in known.items()) or "-",
                 verdict(None if not known else max(known.values()) <= 3)))
    symbolic = report["symbolic"]
    thousand = symbolic.get("1000")
    rows.append(("fully symbolic 1,000-layer chain under 2 s", f"{_s(thousand or [])} s",
                 verdict(None if not thousand else statistics.median(thousand) < 2)))
    per_layer = {int(d): statistics.median(v) / int(d) for d, v in symbolic.items() if v}
    if len(per_layer) > 1:
        low, high = min(per_layer), max(per_layer)
        growth = per_layer[high] / per_layer[low]
        rows.append((f"per-layer cost flat from {low:,} to {high:,} layers (within 1.5x)", f"x{growth:.2f}",
                     verdict(growth <= 1.5)))
    solve = _ratio(report["solve"]["solve"], report["solve"]["sympy"])
    rows.append(("`symcnn solve` of the seed (md, tex) at most 2x `import sympy`", _x(solve),
                 verdict(None if solve is None else solve <= 2)))
    peers = {t: _ratio(e["whole"], vgg["symcnn"]["whole"]) for t, e in vgg.items()
             if t in PEERS and e["whole"] and vgg.get("symcnn", {}).get("whole")}
    rows.append(("at least 5x faster than every torch-based peer on VGG-16 (whole process)",
                 ", ".join(f"{t} {_x(r)}" for t, r in peers.items()) or "-",
                 verdict(None if not peers else min(peers.values()) >= 5)))
    return rows


def write_markdown(runs: list[str]) -> None:
    """Replace the peers' part of bench/results.md (from MARKER to the end) with one section per run.

    ``runs``: saved JSON, code commit and section title, three strings per run.
    """
    results = ROOT / "bench" / "results.md"
    text = results.read_text() if results.exists() else ""
    head = text.split(MARKER)[0].rstrip("\n")
    sections = [markdown(json.loads(Path(runs[k]).read_text()), runs[k + 1], runs[k + 2])
                for k in range(0, len(runs), 3)]
    results.write_text((head + "\n\n" if head else "") + MARKER + "\n\n" + "\n".join(sections))

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="runs of symcnn and the reference per case")
    parser.add_argument("--peer-runs", type=int, help="runs of each torch-based peer (default: --runs)")
    parser.add_argument("--chains", default="10,100,1000,3000", help="chain lengths in blocks")
    parser.add_argument("--tools", default=",".join(TOOLS), help="which tools")
    parser.add_argument("--depths", default="100,300,1000,3000", help="fully symbolic chain lengths (layers)")
    parser.add_argument("--stages", default="vgg,thop,solve,symbolic,chains", help="which parts to run")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "SPEC", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--symbolic", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--thop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", nargs="+", metavar="JSON COMMIT TITLE",
                        help="write saved runs' sections of bench/results.md (three strings per run)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results_peers.json"))
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), args.worker[2])
        return 0
    if args.symbolic:
        symbolic_worker(args.symbolic)
        return 0
    if args.thop:
        thop_worker()
        return 0
    if args.markdown:
        write_markdown(args.markdown)
        return 0

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    runs = 1 if args.quick else args.runs
    peer_runs = runs if args.peer_runs is None else args.peer_runs
    chains = (10, 100) if args.quick else tuple(int(n) for n in args.chains.split(",") if n)
    depths = (100, 300) if args.quick else tuple(int(n) for n in args.depths.split(",") if n)
    for package in ("symcnn", "bench"):  # every tool then starts as an installed package does: from bytecode
        compileall.compile_dir(ROOT / package, quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="bench_peers_"))
    specs = {"VGG-16": VGG16}
    for blocks in chains:
        specs[f"chain {blocks}"] = folder / f"chain_{blocks}.toml"
        specs[f"chain {blocks}"].write_text(toml_text(chain_table(blocks)))
    chosen = [tool for tool in TOOLS if tool in args.tools.split(",")]
    missing = {tool: why for tool in chosen if (why := available(tool))}
    tools = [tool for tool in chosen if tool not in missing]
    started = datetime.datetime.now(datetime.UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "runs": runs, "peer_runs": peer_runs, "missing": missing,
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "cases": {}, "symbolic": {}, "solve": {"solve": [], "sympy": []}, "thop": None,
        "conventions": CONVENTIONS, "devices": DEVICE,
    }

    def save() -> None:  # after every stage: a long run interrupted still leaves its numbers
        report["load_average"] = os.getloadavg()
        Path(args.output).write_text(json.dumps(report, indent=1))

    stages = args.stages.split(",")
    vgg = {"VGG-16": specs.pop("VGG-16")}
    if "vgg" in stages:
        report["cases"].update(measure(tools, vgg, runs, peer_runs, 600, log))
        save()
    if "thop" in tools and "thop" in stages:
        seconds, out = timed_run([sys.executable, __file__, "--thop"], env_for("thop"), 600)
        report["thop"] = json.loads(out) if seconds is not None else out
    with tempfile.TemporaryDirectory() as out_folder:
        solve_command = [sys.executable, "-m", "symcnn", "solve", "-o", out_folder, "--format", "md,tex"]
        if "solve" in stages:  # the first run draws the figures; the timed runs solve again into the same folder
            report["solve"]["first"], _ = timed_run(solve_command, env_for("symcnn"), 600)
        for _ in range(runs if "solve" in stages else 0):
            for key, command in (("sympy", [sys.executable, "-c", "import sympy"]), ("solve", solve_command)):
                seconds, _ = timed_run(command, env_for("symcnn"), 600)
                if seconds is not None:
                    report["solve"][key].append(seconds)
    save()
    for run in range(runs if "symbolic" in stages else 0):
        for depth in depths:
            seconds, out = timed_run([sys.executable, __file__, "--symbolic", str(depth)], env_for("symcnn"), 600)
            if seconds is not None:
                report["symbolic"].setdefault(str(depth), []).append(json.loads(out)["work_s"])
            log(f"symbolic {depth} run {run + 1}: {out.strip()}")
        save()
    for case, spec in specs.items() if "chains" in stages else ():
        report["cases"].update(measure(tools, {case: spec}, runs, peer_runs, 600, log))
        save()
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
