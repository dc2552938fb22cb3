"""The command line: ``symcnn summary``, ``symcnn solve``, ``symcnn check``.

Thin: each command calls the public functions a Python user calls. Bad input
prints one line on stderr and exits 2 (3 when TeX fails); nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence

from symcnn.errors import SymcnnError, SymcnnWarning


def _summary(args: argparse.Namespace) -> int:
    from symcnn.cnn.summary import as_json, as_table, summarize
    from symcnn.torch_bridge.cli import network_or_model

    network, values = network_or_model(args.spec, args.input)
    if args.batch is not None and args.batch < 1:
        raise SymcnnError(f"--batch must be a positive integer, got {args.batch}")
    summary = summarize(network, values, batch=args.batch, budget=args.memory, dtype=args.dtype,
                        optimizer=args.optimizer)
    text = json.dumps(as_json(summary), indent=2) if args.json else as_table(summary)
    print(text)
    return 0


def _solve(args: argparse.Namespace) -> int:
    from symcnn.files.assignment import read_assignment
    from symcnn.render.report import parse_formats, write_solution
    from symcnn.solutions.solution import solve

    formats = parse_formats(args.format)
    solution = solve(read_assignment(args.assignment))
    for path in write_solution(solution, args.output, formats, args.template_dir):
        print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from symcnn.check.checker import check_claims
    from symcnn.files.claims import read_claims
    from symcnn.render.check_report import as_json, as_table, write_check_report

    report = check_claims(read_claims(args.claims))
    if args.output is not None:
        write_check_report(report, args.output)
    print(json.dumps(as_json(report), indent=2) if args.json else as_table(report))
    return report.exit_code


def _parser() -> argparse.ArgumentParser:
    from symcnn import __version__

    parser = argparse.ArgumentParser(prog="symcnn", description="Symbolic CNN arithmetic, every step shown.")
    parser.add_argument("--version", action="version", version=f"symcnn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    summary = commands.add_parser("summary", help="per-layer table of a network spec (TOML)")
    summary.add_argument("spec", help="network spec file (TOML), or a torch model MODULE:CALLABLE")
    summary.add_argument("--input", help="a model's input shape C,H,W, e.g. 3,32,32 or 3,H,W")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.add_argument("--batch", type=int, help="batch size for the activation column")
    summary.add_argument("--memory", help="memory budget with its unit: 12GiB (2^30 bytes), 12GB (10^9), 512MiB, 1024B")
    summary.add_argument("--dtype", default="float32", help="float32, float16, bfloat16 or float64")
    summary.add_argument("--optimizer", default="sgd", help="sgd, momentum or adam (training model)")
    summary.set_defaults(run=_summary)

    solve = commands.add_parser("solve", help="the worked solution of an assignment (md, tex, pdf)")
    solve.add_argument("assignment", nargs="?", help="assignment file (TOML); default: the bundled seed assignment")
    solve.add_argument("-o", "--output", default="reports", help="output folder (default: reports)")
    solve.add_argument("--format", default="md,tex,pdf", help="comma-separated: md, tex, pdf (default: all)")
    solve.add_argument("--template-dir", help="folder of templates that override symcnn's own")
    solve.set_defaults(run=_solve)

    check = commands.add_parser("check", help="check a student's claims (TOML): a verdict and diagnosis for each")
    check.add_argument("claims", help="claims file (TOML), e.g. examples/seed_claims.toml")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("-o", "--output", help="also write a report: report.md, report.tex or report.pdf")
    check.set_defaults(run=_check)

    from symcnn.torch_bridge.cli import add_commands as add_torch_commands

    add_torch_commands(commands)
    return parser


def _warn(message: Warning | str, category: type[Warning], filename: str, lineno: int,
          file: object = None, line: str | None = None) -> None:
    """symcnn's warnings on one line of stderr, as its errors are; Python's own format for others."""
    if issubclass(category, SymcnnWarning):
        print(f"symcnn: warning: {message}", file=sys.stderr)
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", SymcnnWarning)
            warnings.showwarning = _warn
            return int(args.run(args))
    except SymcnnError as error:
        print(f"symcnn: error: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # the reader (e.g. `head`) stopped reading: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
