"""What symcnn says the answer is: the truth a claim is compared with.

Nothing is derived here: each truth is a quantity a layer already built, a
network total, the memory plan's batch or the composed receptive field, with
the values of its symbols bound. A claim about something its target has no
value for raises :class:`Unverifiable` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypedDict

import sympy as sp

from symcnn.check.batch_mistakes import batch_variants
from symcnn.check.verdicts import Finding
from symcnn.check.vocabulary import FindingCode
from symcnn.cnn.analysis import LayerAnalysis
from symcnn.cnn.memory import MemoryPlan, bottleneck, largest_batch_activation, largest_batch_training, memory_plan
from symcnn.cnn.network import TOTAL_KEYS, Network
from symcnn.cnn.receptive_field import Interval, ReceptiveFields, receptive_fields
from symcnn.cnn.vocabulary import NETWORK_QUANTITIES, QUANTITIES
from symcnn.files.assignment import LayerPart, NetworkPart
from symcnn.files.claims import Subject
from symcnn.formula.evaluation import bind, value_of
from symcnn.formula.quantity import Quantity
from symcnn.formula.steps import Derivation, derive

PER_BATCH = tuple(key for key, d in QUANTITIES.items() if d.per_batch)
_SHAPE_ENTRIES = {3: ("output_channels", "output_height", "output_width"), 1: ("output_features",)}


class Unverifiable(Exception):
    """The target has no value for what the claim is about; ``finding`` says why."""

    def __init__(self, code: str, **fields: Any) -> None:
        super().__init__(code)
        self.finding = Finding(FindingCode(code), fields)


@dataclass(frozen=True)
class Truth:
    """The true value or formula of one claim's quantity.

    Attributes:
        expr: the truth, evaluated (a number, or a formula in the notation).
        values: the symbols' values; ``bound`` adds every defined symbol (W_out).
        quantity: symcnn's quantity, when there is one (its formula tree).
        analysis: the layer the quantity belongs to.
        definitions: defined symbols and their expressions (to expand W_out).
        formulas: defined symbols and their formula trees (to show W_out's arithmetic).
        assumptions: what admissible values meet (W + 2P >= K_1).
        variants: known wrong numbers that are not formula changes (totals, memory).
        derivation: a precomputed derivation (memory), else derived from ``quantity``.
        per_batch: a claim written B·n is compared per sample.
    """

    expr: sp.Expr
    values: dict[sp.Symbol, sp.Expr]
    bound: dict[sp.Symbol, sp.Expr]
    quantity: Quantity | None = None
    analysis: LayerAnalysis | None = None
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    formulas: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    assumptions: tuple[sp.Basic, ...] = ()
    variants: tuple[tuple[tuple[Finding, ...], sp.Expr], ...] = ()
    derivation: Derivation | None = None
    per_batch: bool = False

    @cached_property
    def value(self) -> sp.Expr:
        """The truth at the values (a number when every symbol has one)."""
        return value_of(self.expr, self.bound)

    def derived(self) -> Derivation | None:
        """The derivation of the true value, when the values allow one."""
        if self.derivation is not None or self.quantity is None:
            return self.derivation
        try:
            return derive(self.quantity, self.bound)
        except ValueError:
            return None


class Context:
    """Each part's bound values, receptive fields and memory plan, computed once."""

    def __init__(self, values: dict[sp.Symbol, sp.Expr]) -> None:
        self.values = values
        self._bound: dict[int, dict[sp.Symbol, sp.Expr]] = {}
        self._fields: dict[int, ReceptiveFields] = {}
        self._plans: dict[int, MemoryPlan] = {}

    def bound(self, part: LayerPart | NetworkPart) -> dict[sp.Symbol, sp.Expr]:
        if id(part) not in self._bound:
            if isinstance(part, LayerPart):
                self._bound[id(part)] = bind(part.analysis.definitions, self.values)
            else:
                self._bound[id(part)] = part.network.values(self.values)
        return self._bound[id(part)]

    def fields(self, network: Network) -> ReceptiveFields:
        if id(network) not in self._fields:
            self._fields[id(network)] = receptive_fields(network)
        return self._fields[id(network)]

    def plan(self, part: NetworkPart) -> MemoryPlan:
        if part.budget is None:
            raise Unverifiable("no_budget")
        if id(part) not in self._plans:
            self._plans[id(part)] = memory_plan(
                part.network, self.bound(part), part.budget, part.dtype, part.optimizer
            )
        return self._plans[id(part)]


def scalar_truth(subject: Subject, key: str, context: Context) -> Truth:
    """The truth of one scalar quantity of ``subject``.

    Raises:
        Unverifiable: the subject has no such value.
    """
    part = subject.part
    if isinstance(part, LayerPart):
        if key in NETWORK_QUANTITIES:
            raise Unverifiable("needs_network", quantity=key, what=part.analysis.name)
        return _layer_truth(
            part.analysis, key, context.values, context.bound(part), _layer_symbols(part.analysis)
        )
    network, bound = part.network, context.bound(part)
    if subject.layer is None:
        return _network_truth(part, key, context)
    if key in ("largest_activation_elements", "max_batch", "max_batch_training"):
        raise Unverifiable("network_wide", quantity=key, layer=subject.layer)
    if subject.layer == "input":
        if key not in ("activation_elements", "input_elements"):
            raise Unverifiable("input_only", quantity=key)
        first = network.layers[0]
        return _layer_truth(
            first,
            "input_elements",
            context.values,
            bound,
            _network_symbols(network),
            per_batch=key == "activation_elements",
        )
    members = network.block(subject.layer) if isinstance(subject.layer, str) else ()
    if members and key in _SUMMED:  # a block's parameters and operations: the sum over its layers
        definitions, formulas, assumptions = _network_symbols(network)
        total = sp.Add(*(q.expr for a in members if (q := a.get(key)) is not None))
        return Truth(total, dict(context.values), bound, definitions=definitions, formulas=formulas,
                     assumptions=assumptions)
    analysis = network.layer(subject.layer)
    if analysis.get(key) is None and key in _SHAPE_INDEX and len(analysis.output_shape) == 3:
        definitions, formulas, assumptions = _network_symbols(network)  # a ReLU, a join: the shape it passes on
        return Truth(analysis.output_shape[_SHAPE_INDEX[key]], dict(context.values), bound,
                     definitions=definitions, formulas=formulas, assumptions=assumptions)
    if key == "activation_elements":
        return _layer_truth(
            analysis, "output_elements", context.values, bound, _network_symbols(network), per_batch=True
        )
    return _layer_truth(analysis, key, context.values, bound, _network_symbols(network))


_SHAPE_INDEX = {"output_channels": 0, "output_height": 1, "output_width": 2}
_SUMMED = ("params", "mults", "adds", "comparisons", "divisions")
"""Quantities a block has as the sum of its layers' (its shapes and field are its last layer's)."""


def _layer_symbols(analysis: LayerAnalysis) -> tuple[dict, dict, tuple]:
    formulas = {q.symbol: q.formula for q in analysis if q.symbol is not None}
    return analysis.definitions, formulas, analysis.assumptions


def _network_symbols(network: Network) -> tuple[dict, dict, tuple]:
    formulas = {q.symbol: q.formula for a in network for q in a if q.symbol is not None}
    assumptions = tuple(x for a in network for x in a.assumptions)
    return network.definitions, formulas, assumptions


def _layer_truth(
    analysis: LayerAnalysis,
    key: str,
    values: dict,
    bound: dict,
    symbols: tuple[dict, dict, tuple],
    per_batch: bool = False,
) -> Truth:
    quantity = analysis.get(key)
    definitions, formulas, assumptions = symbols
    if quantity is None and key in _SHAPE_ENTRIES.get(len(analysis.output_shape), ()):
        # a layer that keeps its input's shape (ReLU, Dropout, BatchNorm) still has an output shape
        entry = analysis.output_shape[_SHAPE_ENTRIES[len(analysis.output_shape)].index(key)]
        return Truth(entry, dict(values), bound, None, analysis, definitions, formulas, assumptions)
    if quantity is None:
        raise Unverifiable("no_such_quantity", quantity=key, what=analysis.name)
    return Truth(
        quantity.expr,
        dict(values),
        bound,
        quantity,
        analysis,
        definitions,
        formulas,
        assumptions,
        per_batch=per_batch,
    )


class _Shared(TypedDict):
    """The keyword arguments of :class:`Truth` that every whole-network truth shares."""

    values: dict[sp.Symbol, sp.Expr]
    bound: dict[sp.Symbol, sp.Expr]
    definitions: dict[sp.Symbol, sp.Expr]
    formulas: dict[sp.Symbol, sp.Expr]
    assumptions: tuple[sp.Basic, ...]


def _network_truth(part: NetworkPart, key: str, context: Context) -> Truth:
    network, bound = part.network, context.bound(part)
    definitions, formulas, assumptions = _network_symbols(network)
    common = _Shared(
        values=dict(context.values),
        bound=bound,
        definitions=definitions,
        formulas=formulas,
        assumptions=assumptions,
    )
    if key in TOTAL_KEYS:
        total = network.total(key)
        left_out = []
        for analysis in network:
            if key == "activation_elements":
                share = network.activation(analysis)
            else:
                quantity = analysis.get(key)
                share = quantity.expr if quantity is not None else sp.Integer(0)
            if value_of(share, bound) != 0:
                finding = Finding(FindingCode.LAYER_LEFT_OUT, {"layer": analysis.name, "share": value_of(share, bound)})
                left_out.append(((finding,), value_of(total - share, bound)))
        return Truth(total, variants=tuple(left_out), per_batch=key == "activation_elements", **common)
    if key == "largest_activation_elements":
        largest, _ = bottleneck(network, bound)
        return Truth(largest, per_batch=True, **common)
    if key in ("max_batch", "max_batch_training"):
        plan, training = context.plan(part), key == "max_batch_training"
        formula = largest_batch_training() if training else largest_batch_activation()
        return Truth(
            plan.max_batch(training),
            variants=tuple(batch_variants(plan, training)),
            derivation=derive(formula, plan.shown_values),
            **common,
        )
    raise Unverifiable("needs_layer", quantity=key)


def region_truth(subject: Subject, context: Context) -> tuple[Interval, Interval]:
    """The true receptive field of ``subject``'s layer, numbers bound.

    Raises:
        Unverifiable: no layer, a single-layer part, or a layer past Flatten.
    """
    part = subject.part
    if isinstance(part, LayerPart):
        raise Unverifiable("needs_network", quantity="receptive_field", what=part.analysis.name)
    if subject.layer is None or subject.layer == "input":
        raise Unverifiable("needs_layer", quantity="receptive_field")
    network = part.network
    fields = context.fields(network)
    index = network.position(subject.layer)
    field_ = fields.fields[index]
    if field_ is None:
        raise Unverifiable("whole_input", layer=subject.layer)
    bound = fields.values(context.bound(part))
    rf = field_.bound(bound)
    ends = (rf.rows.jump, rf.rows.first, rf.rows.last, rf.columns.jump, rf.columns.first, rf.columns.last)
    if not all(end.is_Number for end in ends):
        raise Unverifiable("no_values", symbols="the network's sizes")
    return rf.rows, rf.columns
