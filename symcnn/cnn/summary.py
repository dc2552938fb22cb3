"""The network summary: one row per layer, totals, memory; as data, text or JSON.

Computing (``summarize``) is kept apart from presenting (``as_json``,
``as_table``). Numbers are exact: JSON integers, or strings holding the
expression where a quantity stays symbolic.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import is_
from typing import TYPE_CHECKING, Any, NamedTuple

from symcnn.cnn.inference_memory import InferencePeak, inference_peak
from symcnn.cnn.network import TOTAL_KEYS, Network, collector_paused
from symcnn.cnn.receptive_field import ReceptiveField, receptive_fields
from symcnn.cnn.validity import Validity, input_validity
from symcnn.errors import SymcnnError
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import value_of
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_whole, number, numeric_reading
from symcnn.formula.plain import grouped, plain, shape_text, text_table

if TYPE_CHECKING:
    from symcnn.cnn.memory import MemoryPlan

_ROW_KEYS = ("params", "mults", "adds")
_INT = frozenset({int})
_TOTAL_KEYS = tuple(key for key in TOTAL_KEYS if key != "comparisons") + ("weight_mults",)


class LayerRow(NamedTuple):
    """One layer's numbers (or expressions where they stay symbolic)."""

    name: str
    type: str
    output_shape: tuple[sp.Expr, ...]
    params: sp.Expr
    mults: sp.Expr
    adds: sp.Expr
    activation_elements: sp.Expr
    receptive_field: dict[str, tuple[sp.Expr, ...]] | None
    """size, jump and start per axis: (rows, columns); (columns,) in 1-D; (depth, rows, columns) in 3-D."""
    receptive_field_note: str | None = None
    """Why ``receptive_field`` is None when the layer is not past a Flatten."""
    inputs: tuple[str, ...] = ()
    mixed: str | None = None


@dataclass(frozen=True, repr=False)
class Summary(Displayable):
    """A network summarised with its values bound."""

    name: str
    input_shape: tuple[sp.Expr, ...]
    rows: tuple[LayerRow, ...]
    totals: dict[str, sp.Expr]
    batch: int | None
    memory: MemoryPlan | None
    definitions: dict[sp.Symbol, sp.Expr]
    validity: Validity | None = None
    given: dict[sp.Symbol, int] | None = None
    inference: InferencePeak | None = None


@collector_paused()
def summarize(
    network: Network,
    values: dict[sp.Symbol, sp.Expr] | None = None,
    *,
    batch: int | None = None,
    budget: str | None = None,
    dtype: str = "float32",
    optimizer: str = "sgd",
) -> Summary:
    """Bind ``values`` and collect every layer's quantities and receptive field."""
    bound = network.values(values)
    fields = receptive_fields(network)
    bound = fields.values(bound)
    rows: list[LayerRow] = []
    zero = number(0)
    seen: tuple[Any, ...] = ()  # the intervals of the field last written, and how: the layers after a window
    # (activations, dropout, normalisation) see what it sees
    for analysis, field in zip(network.layers, fields.fields):
        by_key = analysis.get
        params, mults, adds, activation = _bound(
            [q.expr if (q := by_key(key)) else zero for key in _ROW_KEYS] + [network.activation(analysis)], bound)
        rows.append(LayerRow(
            analysis.name, type(analysis.layer).__name__, _bound(analysis.output_shape, bound),
            params, mults, adds, activation,
            None if field is None else (seen := _field_values(field, len(analysis.output_shape), bound, seen))[-1],
            fields.notes.get(analysis.name),
            tuple([network.node_name(k) for k in network.inputs_of(len(rows))]), field.mixed if field else None,
        ))
    totals = {key: value_of(total, bound) for key, total in network.totals(_TOTAL_KEYS).items()}
    totals["conv_linear_mults"] = totals.pop("weight_mults")  # what FlopCounterMode counts
    plan = None
    if budget is not None:
        from symcnn.cnn.memory import memory_plan  # only for a budget

        plan = memory_plan(network, bound, budget, dtype, optimizer)
    input_shape = tuple(value_of(size, bound) for size in network.input_shape)
    unbound = {sym: value_of(expr, bound) for sym, expr in {**network.definitions, **fields.definitions}.items()
               if sym not in bound}
    validity = input_validity(network, bound)
    try:
        peak = inference_peak(network, bound)
    except SymcnnError:
        peak = None  # sizes that stay symbolic: no single peak
    return Summary(network.name, input_shape, tuple(rows), totals, batch, plan, unbound,
                   validity, validity.given(network, bound), peak)


def _field_values(field: ReceptiveField, rank: int, bound: dict[sp.Symbol, sp.Expr],
                  seen: tuple[Any, ...]) -> tuple[Any, ...]:
    """A layer's receptive field as a row holds it (size, jump and start per axis, values bound), last in a
    tuple that says what it was made of; ``seen``: such a tuple, whose row is taken again where it fits."""
    axes = (field.columns,) if rank == 2 else (field.depth, field.rows, field.columns) if rank == 4 else (
        field.rows, field.columns)
    if len(seen) == len(axes) + 1 and all(map(is_, seen, axes)):  # the very intervals (no sympy comparison)
        return seen
    return (*axes, {"size": _bound([axis.size for axis in axes], bound),  # type: ignore[union-attr]
                    "jump": _bound([axis.jump for axis in axes], bound),  # type: ignore[union-attr]
                    "start": _bound([axis.first for axis in axes], bound)})  # type: ignore[union-attr]


def _bound(exprs: Sequence[sp.Expr], bound: dict[sp.Symbol, sp.Expr]) -> tuple[sp.Expr, ...]:
    """``exprs`` with ``bound`` put in (a network of numbers has nothing to put in)."""
    return tuple([value_of(expr, bound) for expr in exprs]) if bound else tuple(exprs)


def summarized(read: Callable[[], tuple[Network, dict[sp.Symbol, sp.Expr]]], **options: Any) -> Summary:
    """:func:`summarize` of the network and values ``read`` makes, read in the numeric reading where it can be.

    A network of numbers only is read and summarised with Python's integers
    (:func:`~symcnn.formula.numbers.numeric_reading`), which imports no sympy;
    one with a symbol or an expression, or one that fails in any way, is read
    again in the sympy reading, which says what is wrong in its own words (the
    tests hold the two readings to the same summary; this keeps a user's result
    right even where they would not be). The warnings are those of the reading kept.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with numeric_reading(), collector_paused():  # the network is freed before the collector runs again
                summary: Summary | None = summarize(*read(), **options)
        except Exception:  # noqa: BLE001  (NotNumeric, a SymcnnError, or anything else: the sympy reading decides)
            summary = None
    if summary is None:
        return summarize(*read(), **options)
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return summary


def validity_lines(summary: Summary) -> list[str]:
    """The valid-input check, first thing a summary says: the condition, the smallest input, this input."""
    validity = summary.validity
    if validity is None:
        return []
    lines = []
    if validity.sets:
        smallest = validity.smallest
        least = "none" if smallest is None else " x ".join(str(v) for v in smallest)
        proved = "proved for every size" if not validity.undecided else "proved per axis; see the undecided below"
        smallest_text = "smallest" if not validity.undecided else "smallest per axis"
        lines.append(f"Valid inputs ({proved}): {validity.condition} ({smallest_text}: {least})")
        if summary.given:
            verdict = validity.admits(summary.given)
            shown = ", ".join(f"{v} = {n}" for v, n in summary.given.items())
            lines.append(f"This input ({shown}): " + {True: "valid", False: "NOT valid",
                                                      None: "valid (the undecided conditions hold for it)"}[verdict])
    joins = validity.joins
    if joins:
        agreeing = sum(1 for j in joins if j.always)
        rest = "" if agreeing == len(joins) else "; the others agree only where said:"
        lines.append(f"Joins: {agreeing} of {len(joins)} branch comparisons (per axis) proved equal for every size "
                     f"the layers admit{rest}")
        lines += [f"  {j.statement}" for j in joins if not j.always]
    lines += [f"Undecided (not one axis at a time): {text}" for text in validity.undecided]
    return lines


def exact(value: sp.Expr) -> int | str:
    """A JSON-ready exact value: an int, or the expression as a string."""
    if type(value) is int:  # the numeric reading's
        return value
    return int(value) if is_whole(value) else plain(value)


def _exact(values: Sequence[sp.Expr]) -> list[int | str]:
    """:func:`exact` of each of ``values`` (a summary has a dozen a layer: Python's ints are taken as they are)."""
    return list(values) if set(map(type, values)) <= _INT else [exact(value) for value in values]


@collector_paused()  # printing a deep symbolic summary makes many strings; the network is all acyclic
def as_json(summary: Summary) -> dict[str, Any]:
    """The summary as one JSON-ready object (the schema of ``symcnn summary --json``)."""
    layers = []
    field: Any = None
    rf: dict[str, list[int | str]] | None = None
    for row in summary.rows:
        if row.receptive_field is not field:  # (rows share a field where a layer sees what the one before sees)
            field = row.receptive_field
            rf = None if field is None else {key: _exact(pair) for key, pair in field.items()}
        params, mults, adds, activation = _exact((row.params, row.mults, row.adds, row.activation_elements))
        layers.append({
            "name": row.name, "type": row.type,
            "output_shape": _exact(row.output_shape),
            "params": params, "mults": mults, "adds": adds,
            "activation_elements": activation,
            "receptive_field": rf,
            "inputs": list(row.inputs),
        })
        if row.mixed:
            layers[-1]["receptive_field_mixed"] = row.mixed
        if row.receptive_field_note is not None:
            layers[-1]["receptive_field_note"] = row.receptive_field_note
    result: dict[str, Any] = {
        "name": summary.name,
        "input": [exact(v) for v in summary.input_shape],
        "layers": layers,
        "totals": {key: exact(value) for key, value in summary.totals.items()},
    }
    if summary.validity is not None:
        result["validity"] = _validity_json(summary)
    if summary.inference is not None:
        result["inference"] = {
            "peak_elements_per_sample": int(summary.inference.elements),
            "during": summary.inference.during, "alive": list(summary.inference.alive),
        }
    if summary.definitions:  # the per-layer symbols that symbolic entries above refer to
        result["definitions"] = {sym.name: plain(expr) for sym, expr in summary.definitions.items()}
    if summary.batch is not None:
        result["batch"] = summary.batch
    if summary.memory is not None:
        plan = summary.memory
        result["memory"] = {
            "budget_bytes": plan.budget.bytes, "budget_unit": plan.budget.meaning,
            "dtype": plan.dtype, "optimizer": plan.optimizer,
            "bottleneck": list(plan.bottleneck_layers),
            "largest_activation_elements": int(plan.largest_activation),
            "max_batch_largest_activation": int(plan.max_batch()),
            "max_batch_training": int(plan.max_batch(training=True)),
        }
        if summary.inference is not None:
            result["memory"]["max_batch_inference"] = int(
                summary.inference.max_batch(plan.budget.bytes, plan.element_bytes))
    return result


def _validity_json(summary: Summary) -> dict[str, Any]:
    validity = summary.validity
    assert validity is not None
    smallest = validity.smallest
    return {
        "condition": validity.condition,
        "smallest_input": None if smallest is None else [exact(v) for v in smallest],
        "this_input_valid": validity.admits(summary.given) if summary.given else None,
        "joins": [{"node": j.node, "branches": list(j.branches), "shapes": list(j.sizes),
                   "axis": j.agree.variable.name, "always": j.always, "agree_when": j.agree.text}
                  for j in validity.joins],
        "undecided": list(validity.undecided),
    }


def _both(values: tuple[sp.Expr, ...]) -> str:
    """One value where the axes agree, ``rows x columns`` where they differ."""
    return grouped(values[0]) if len(set(values)) == 1 else " x ".join(grouped(v) for v in values)


def _short(note: str | None) -> str:
    """The table's cell for a layer without a receptive field interval (the JSON has the whole note)."""
    if note is None:
        return "whole input"
    return "varies with the output index, " + note.split(", no sliding window")[0]


@collector_paused()
def as_table(summary: Summary) -> str:
    """A terminal table in the spirit of torchinfo, with totals and memory."""
    batch = "B" if summary.batch is None else str(summary.batch)
    header = ("Layer (type)", "Output shape", "Param #", "Mult-adds", f"Activation ({batch} x)", "Receptive field")
    body = []
    graph = any(row.inputs and len(row.inputs) > 1 for row in summary.rows)
    previous = "input"
    for row in summary.rows:
        rf = _short(row.receptive_field_note) if row.receptive_field is None else "{}, jump {}, start {}".format(
            " x ".join(grouped(v) for v in row.receptive_field["size"]),
            _both(row.receptive_field["jump"]), _both(row.receptive_field["start"]),
        )
        if row.mixed:
            rf = "mixed jumps: " + row.mixed
        reads = "" if row.inputs in ((), (previous,)) else f" <- {', '.join(row.inputs)}"
        previous = row.name
        name = f"{'  ' * row.name.count('.') if graph or '.' in row.name else ''}{row.name} ({row.type}){reads}"
        activation = row.activation_elements if summary.batch is None else row.activation_elements * summary.batch
        body.append((
            name,
            shape_text((summary.batch or "B",) + row.output_shape),
            grouped(row.params), grouped(row.mults), grouped(activation), rf,
        ))
    table = text_table(header, body, frozenset({2, 3, 4}))
    rule = table[0]
    lines = [summary.name, *validity_lines(summary), *table]
    totals = summary.totals
    lines += [
        f"Total params: {grouped(totals['params'])}",
        f"Total mult-adds (multiplications, one per weight x input): {grouped(totals['mults'])}",
        f"  of which convolutions and linear layers (FlopCounterMode FLOPs = 2 x this): "
        f"{grouped(totals['conv_linear_mults'])}",
        f"Total additions: {grouped(totals['adds'])}",
        f"Activation elements per sample (all layers): {grouped(totals['activation_elements'])}",
    ]
    if summary.inference is not None:
        peak = summary.inference
        lines.append(f"Inference peak (each tensor freed after its last reader): {int(peak.elements):,} "
                     f"elements per sample, during {peak.during} ({', '.join(peak.alive)} alive)")
    if summary.memory is not None:
        plan = summary.memory
        lines += [
            rule,
            f"Memory budget: {plan.budget.text} = {plan.budget.bytes:,} bytes ({plan.budget.meaning}); "
            f"dtype {plan.dtype}, optimizer {plan.optimizer}",
            f"Bottleneck: {', '.join(plan.bottleneck_layers)} with "
            f"{int(plan.largest_activation):,} elements per sample",
            f"Largest batch, largest activation only (the assignment's model): {int(plan.max_batch()):,}",
            f"Largest batch for training (all activations, weights, gradients, optimizer state): "
            f"{int(plan.max_batch(training=True)):,}",
        ]
        if summary.inference is not None:
            lines.append(f"Largest batch for inference (peak live activations): "
                         f"{int(summary.inference.max_batch(plan.budget.bytes, plan.element_bytes)):,}")
    lines.append(rule)
    return "\n".join(lines)
