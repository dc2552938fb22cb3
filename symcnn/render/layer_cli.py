"""``symcnn layer "Conv2d(64, 128, 3, padding=1)" --input 64,256,256``: one layer's worked answers.

The call is read by :mod:`symcnn.files.layer_call` (no eval). Where a number
stands for one of the assignment's symbols (``C_in``, ``K_1``, ``S``, ``P``,
...), the layer is written with the symbol and the number is bound to it, so
each answer reads as a textbook writes it: general formula, numbers
substituted, arithmetic, result. The answers go to the terminal; ``--format
md|tex|pdf -o DIR`` writes the document with its window diagram, as ``solve``
does for an assignment.
"""

from __future__ import annotations

import argparse
from typing import Any

import sympy as sp

from symcnn.errors import SpecError, SymcnnError
from symcnn.files.assignment import Assignment, LayerPart
from symcnn.files.layer_call import input_sizes, layer_table
from symcnn.formula.evaluation import value_of
from symcnn.formula.plain import grouped, plain, shape_text
from symcnn.formula.symbols import K_1, K_2, P_2, S_2, C_in, C_out, H, K, N, P, S, W
from symcnn.solutions.solution import Answer, Solution, solve

_NOTATION: dict[str, dict[str, Any]] = {
    "Conv2d": {"out_channels": C_out, "kernel_size": (K_2, K_1), "stride": S, "padding": P},
    "ConvTranspose2d": {"out_channels": C_out, "kernel_size": (K_2, K_1), "stride": S, "padding": P},
    "MaxPool2d": {"kernel_size": K, "stride": S_2, "padding": P_2},
    "AvgPool2d": {"kernel_size": K, "stride": S_2, "padding": P_2},
    "Linear": {"out_features": N},
}
"""The assignment's symbol for each torch argument, (height, width) for pairs."""
_PLAIN_LHS = {"input_elements": "n_in", "output_width": "W_out", "output_height": "H_out",
              "output_channels": "C_out", "output_features": "N_out", "output_length": "L_out",
              "output_depth": "D_out", "output_elements": "n_out",
              "params": "|theta|", "mults": "n_mult"}


def textbook(table: dict[str, Any], sizes: list[Any] | None) -> tuple[dict[str, Any], list[Any], dict[sp.Symbol, int]]:
    """The layer and input with the assignment's symbols in place of their numbers, and those numbers.

    Only a plain number becomes a symbol (a pair when it has the pair's two
    symbols, or one symbol for both when they agree); anything the user wrote
    as a symbol stays.
    """
    values: dict[sp.Symbol, int] = {}
    sizes = list(sizes) if sizes is not None else None
    if sizes is not None and len(sizes) == 3:
        for k, sym in enumerate((C_in, H, W)):
            if isinstance(sizes[k], int):
                values[sym], sizes[k] = sizes[k], sym.name
        if table.get("in_channels") == values.get(C_in):
            table = {**table, "in_channels": "C_in"}
    symbolic = dict(table)
    torch_defaults: dict[str, dict[str, Any]] = {
        "Conv2d": {"stride": 1, "padding": 0}, "ConvTranspose2d": {"stride": 1, "padding": 0},
        "MaxPool2d": {"stride": table.get("kernel_size"), "padding": 0},
        "AvgPool2d": {"stride": table.get("kernel_size"), "padding": 0},
    }
    defaults = torch_defaults.get(table["type"], {})
    table = {**defaults, **table}
    for key, sym in _NOTATION.get(table["type"], {}).items():
        value = table.get(key)
        pair: list[Any] = value if isinstance(value, list) else [value, value]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
            continue
        if isinstance(sym, tuple):
            for s, v in zip(sym, pair):
                values[s] = v
            symbolic[key] = [s.name for s in sym]
        elif pair[0] == pair[1]:
            values[sym] = pair[0]
            symbolic[key] = sym.name
    return symbolic, sizes if sizes is not None else [], values


def layer_solution(call: str, input_text: str | None) -> Solution:
    """The worked answers of one layer (every question it has) on its input.

    Raises:
        SpecError: a bad call or input, or a size left symbolic where an answer needs a number.
    """
    from symcnn.files.spec import part_layer

    table = layer_table(call, "layer")
    sizes = input_sizes(input_text) if input_text is not None else None
    part_layer(table, sizes, f"layer {call!r}")  # the numbers checked as given (a kernel larger than its input...)
    symbolic, shape, values = textbook(table, sizes)
    analysis, flattened = part_layer(symbolic, shape or None, f"layer {call!r}")
    questions = _questions(analysis)
    part = LayerPart(call, analysis, questions, flattened=flattened)
    assignment = Assignment(call, {sym: sp.Integer(v) for sym, v in values.items()}, (part,), source="symcnn layer")
    return solve(assignment)


def _questions(analysis: Any) -> tuple[str, ...]:
    """What to answer: the output shape as the assignment asks it for a (C, H, W) map, else each output size."""
    keys = {q.key for q in analysis}
    if {"output_width", "output_height", "output_channels"} <= keys and "output_depth" not in keys:
        sizes: tuple[str, ...] = ("output_shape",)
    else:
        sizes = tuple(k for k in ("output_length", "output_width", "output_height", "output_depth",
                                  "output_channels", "output_features") if k in keys)
        sizes += ("output_elements",) if "output_features" not in keys else ()
    return ("input_elements",) + sizes + tuple(k for k in ("params", "mults") if k in keys)


def terminal_text(solution: Solution) -> str:
    """The answers as plain text: each quantity's formula, numbers substituted, arithmetic and result."""
    (section,) = solution.sections
    part = section.part
    assert isinstance(part, LayerPart)
    shape = tuple(value_of(size, solution.assignment.values) for size in part.analysis.input_shape)
    lines = [f"{section.title} on a {' × '.join(plain(size) for size in shape)} input"]
    if solution.assignment.values:
        lines.append("  with " + ", ".join(f"{sym} = {value}" for sym, value in solution.assignment.values.items()))
    for item in section.items:
        assert isinstance(item, Answer)
        lines.append("")
        lines.append(words_title(item))
        for derivation, key in zip(item.derivations, _keys(item)):
            steps = " = ".join(plain(step.tree) if step.kind != "result" else grouped(step.tree)
                               for step in derivation.steps)
            lines.append(f"  {_PLAIN_LHS.get(key, key)} = {steps}")
    if section.diagram is not None:
        for where, relation in section.diagram.relations:
            axes = f" (along the {where})" if where else ""
            lines.append("")
            lines.append(f"Dumoulin & Visin's relation {relation.number}{axes}: {relation.name}.")
    return "\n".join(lines)


def symbolic_text(call: str, input_text: str | None) -> str:
    """Where a size stays a symbol: each quantity's general formula."""
    from symcnn.files.spec import part_layer

    table = layer_table(call, "layer")
    sizes = input_sizes(input_text) if input_text is not None else None
    analysis, _ = part_layer(table, sizes, f"layer {call!r}")
    lines = [f"{call} on a {shape_text(analysis.input_shape)} input (symbolic)"]
    for quantity in analysis:
        if quantity.key in ("dropped_rows", "dropped_columns", "adds", "comparisons", "divisions"):
            continue
        lines.append(f"  {quantity.title}: {_PLAIN_LHS.get(quantity.key, quantity.key)} = {plain(quantity.formula)}")
    return "\n".join(lines)


def words_title(answer: Answer) -> str:
    """The question's title, as the documents call it."""
    return "Output size" if answer.question == "output_shape" else answer.derivations[0].title


def _keys(answer: Answer) -> tuple[str, ...]:
    return ("output_width", "output_height", "output_channels") if answer.question == "output_shape" \
        else (answer.question,)


def run(args: argparse.Namespace) -> int:
    """The ``layer`` command."""
    from symcnn.render.report import parse_formats, write_solution

    if args.format is not None and args.output is None:
        raise SymcnnError("--format writes a document: give its folder with -o DIR")
    try:
        solution = layer_solution(args.call, args.input)
    except SpecError as error:
        if "give the symbols numbers" not in str(error) or args.format is not None:
            raise
        print(symbolic_text(args.call, args.input))
        return 0
    print(terminal_text(solution))
    if args.format is not None:
        for path in write_solution(solution, args.output, parse_formats(args.format), args.template_dir,
                                   stem="layer"):
            print(path)
    return 0
