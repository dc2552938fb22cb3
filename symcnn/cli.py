"""The command line: ``symcnn summary``, ``symcnn solve``, ``symcnn check``.

Thin: each command calls the public functions a Python user calls. Bad input
prints one line on stderr and exits 2 (3 when TeX fails); nothing on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import warnings
from collections.abc import Sequence
from functools import partial

from symcnn.errors import SymcnnError, SymcnnWarning


def _imported() -> None:
    """The command's modules are loaded: keep their objects out of the garbage collector's scans.

    ``gc.freeze`` moves everything alive now (sympy's and symcnn's module-level
    objects) to a permanent generation; measured on a 1,000-block numeric chain,
    the summary's own work takes 20-25 % less time. Once per process: a
    program that calls :func:`main` again does not freeze its later garbage.
    """
    global _FROZEN
    if not _FROZEN:
        gc.freeze()
        _FROZEN = True


_FROZEN = False


def _summary(args: argparse.Namespace) -> int:
    from symcnn.cnn.summary import as_json, as_table, summarize, summarized
    from symcnn.torch_bridge.cli import is_model_reference, network_or_model

    _imported()
    if args.batch is not None and args.batch < 1:
        raise SymcnnError(f"--batch must be a positive integer, got {args.batch}")
    options = {"batch": args.batch, "budget": args.memory, "dtype": args.dtype, "optimizer": args.optimizer}
    read = partial(network_or_model, args.spec, args.input)
    summary = summarize(*read(), **options) if is_model_reference(args.spec) else summarized(read, **options)
    text = json.dumps(as_json(summary), indent=2) if args.json else as_table(summary)
    print(text)
    return 0


def _solve(args: argparse.Namespace) -> int:
    from symcnn.files.assignment import read_assignment
    from symcnn.render.report import parse_formats, write_solution
    from symcnn.solutions.solution import solve

    _imported()
    formats = parse_formats(args.format)
    solution = solve(read_assignment(args.assignment))
    for path in write_solution(solution, args.output, formats, args.template_dir):
        print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from symcnn.check.checker import check_claims
    from symcnn.files.claims import read_claims
    from symcnn.render.check_report import as_json, as_table, write_check_report

    _imported()
    report = check_claims(read_claims(args.claims))
    if args.output is not None:
        write_check_report(report, args.output)
    print(json.dumps(as_json(report), indent=2) if args.json else as_table(report))
    return report.exit_code


def _export(args: argparse.Namespace) -> int:
    """``export moodle ASSIGNMENT -o quiz.xml`` or ``export net.toml [-o net.py]``: one command, two kinds of file."""
    if args.what == "moodle":
        from symcnn.classroom.cli import export_moodle

        return export_moodle(args)
    if args.assignment is not None or args.count is not None:
        raise SymcnnError(f"export {args.what}: a spec takes no assignment or --count; "
                          "for a quiz, use export moodle ASSIGNMENT -o quiz.xml")
    from symcnn.torch_bridge.cli import export_source

    return export_source(args)


def _layer(args: argparse.Namespace) -> int:
    from symcnn.render.layer_cli import run

    return run(args)


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

    from symcnn.classroom.cli import add_commands as add_teacher_commands

    add_teacher_commands(commands)  # sheet, variants, export moodle, grade

    layer = commands.add_parser("layer", help='one layer\'s worked answers: symcnn layer "Conv2d(64, 128, 3, '
                                              'padding=1)" --input 64,256,256')
    layer.add_argument("call", help='the layer in torch syntax, e.g. "Conv2d(64, 128, 3, padding=1)" '
                                    '(symbols allowed: kernel_size="K")')
    layer.add_argument("--input", help="input size C,H,W (or N for a vector), numbers or symbols: 64,256,256 or "
                                       "C_in,H,W (default: the symbolic C_in, H, W)")
    layer.add_argument("--format", help="also write the document with its diagram: md, tex, pdf or a list (needs -o)")
    layer.add_argument("-o", "--output", help="folder for the document (with --format)")
    layer.add_argument("--template-dir", help="folder of templates that override symcnn's own")
    layer.set_defaults(run=_layer)

    from symcnn.torch_bridge.cli import add_commands as add_torch_commands

    add_torch_commands(commands)  # import

    export = commands.add_parser("export", help="a network spec as PyTorch source (export net.toml -o net.py), or an "
                                                "assignment as a Moodle quiz (export moodle ASSIGNMENT -o quiz.xml)")
    export.add_argument("what", help="a network spec file (TOML), or moodle")
    export.add_argument("assignment", nargs="?", help="with moodle: the assignment file (TOML)")
    export.add_argument("-o", "--output", help="the file to write: net.py (default: print it), quiz.xml")
    export.add_argument("--class-name", help="PyTorch source: the class's name (default: from the network's name)")
    export.add_argument("--count", type=int, help="moodle: one question per variant, N variants (needs [variants])")
    export.add_argument("--seed", default="0", help="moodle: seed of the variants (default: 0)")
    export.set_defaults(run=_export)
    return parser


def _warn(message: Warning | str, category: type[Warning], filename: str, lineno: int,
          file: object = None, line: str | None = None) -> None:
    """symcnn's warnings on one line of stderr, as its errors are; Python's own format for others."""
    if issubclass(category, SymcnnWarning):
        print(f"symcnn: warning: {message}", file=sys.stderr)
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr)


_PRINTED_DIGITS = 100_000


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    # Python refuses to print integers past 4,300 digits; symcnn's input limits keep its numbers far
    # below this bound, so printing them is quick.
    sys.set_int_max_str_digits(max(sys.get_int_max_str_digits(), _PRINTED_DIGITS))
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
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001 - never a traceback, never exit 1
        # 1 means "a claim is wrong": an input symcnn cannot handle is refused as bad input instead.
        print(f"symcnn: error: {args.command}: this input could not be handled "
              f"({type(error).__name__}: {str(error)[:200]}); please report it", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
