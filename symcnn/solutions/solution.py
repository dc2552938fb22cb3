"""The worked solution of an assignment, as data: sections of answered questions.

Everything here is computed; nothing is worded or formatted (the templates
do that). Each answer carries the derivations the renderer prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symcnn.cnn.inference_memory import InferencePeak, inference_peak, largest_batch_inference
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import Conv2d
from symcnn.cnn.memory import (
    MemoryPlan,
    activations,
    bottleneck,
    largest_batch_activation,
    largest_batch_training,
    memory_plan,
)
from symcnn.cnn.network import Network
from symcnn.cnn.receptive_field import Interval, araujo_closed_forms, receptive_fields
from symcnn.errors import SpecError, SymcnnError
from symcnn.files.assignment import Assignment, LayerPart, NetworkPart
from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import bind, evaluated, value_of
from symcnn.formula.steps import Derivation, derive
from symcnn.formula.symbols import M, b, symbol
from symcnn.solutions.window_picture import WindowPicture, window_picture

SHAPE_KEYS = ("output_width", "output_height", "output_channels")


@dataclass(frozen=True)
class Answer:
    """One question about a layer, answered by one or more derivations."""

    question: str
    derivations: tuple[Derivation, ...]
    dropped: tuple[sp.Expr, sp.Expr] = (sp.Integer(0), sp.Integer(0))

    @property
    def result(self) -> tuple[sp.Expr, ...]:
        """The final value(s), in the derivations' order."""
        return tuple(d.result for d in self.derivations)


@dataclass(frozen=True)
class ActivationRow:
    """One row of the activation table (per sample; the batch multiplies it)."""

    name: str
    layer: Layer | None
    shape: tuple[sp.Expr, ...]
    elements: sp.Expr
    largest: bool


@dataclass(frozen=True)
class ActivationTable:
    """The activation table of a network and its bottleneck."""

    question: str
    rows: tuple[ActivationRow, ...]
    largest: sp.Expr
    bottleneck: tuple[str, ...]


@dataclass(frozen=True)
class BatchAnswer:
    """The largest batch under one memory model."""

    question: str
    training: bool
    plan: MemoryPlan
    derivation: Derivation


@dataclass(frozen=True)
class RegionRow:
    """One layer's receptive field, numbers bound."""

    name: str
    layer: Layer
    rows: Interval
    columns: Interval


@dataclass(frozen=True)
class ReceptiveFieldAnswer:
    """Every spatial layer's receptive field, and the chosen layer's, with Araujo's forms."""

    question: str
    rows: tuple[RegionRow, ...]
    chosen: RegionRow
    closed_forms: tuple[tuple[str, dict[str, sp.Expr]], ...]
    """Araujo's forms per axis: ``(("", forms),)`` where both axes agree, else rows and columns."""
    input_size: tuple[sp.Expr, sp.Expr]
    output_size: tuple[sp.Expr, sp.Expr]


@dataclass(frozen=True)
class InferenceAnswer:
    """The largest inference batch: the peak of live activations in a walk of the graph."""

    question: str
    plan: MemoryPlan
    peak: InferencePeak
    derivation: Derivation


Item = Answer | ActivationTable | BatchAnswer | InferenceAnswer | ReceptiveFieldAnswer


@dataclass(frozen=True)
class Section:
    """One part of the assignment with its answers.

    ``flattening``: how a fully connected part's [C, H, W] input becomes its
    features, where no answer (the number of input elements) shows it already.
    ``diagram``: a convolution's or pooling's windows, where every size is a number.
    """

    number: int
    title: str
    part: LayerPart | NetworkPart
    items: tuple[Item, ...]
    flattening: Derivation | None = None
    diagram: WindowPicture | None = None


@dataclass(frozen=True, repr=False)
class Solution(Displayable):
    """The whole worked solution."""

    assignment: Assignment
    sections: tuple[Section, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        """Every question answered, once each, in the order first asked."""
        return tuple(dict.fromkeys(item.question for section in self.sections for item in section.items))


def solve(assignment: Assignment) -> Solution:
    """Answer every question of every part."""
    sections = []
    for number, part in enumerate(assignment.parts, start=1):
        flattening, diagram = None, None
        try:
            if isinstance(part, LayerPart):
                items: tuple[Item, ...] = _layer_answers(part, assignment.values)
                if part.flattened is not None and "input_elements" not in part.questions:
                    flattening = derive(part.analysis["input_elements"], assignment.values)
                diagram = window_picture(part.analysis.layer, part.analysis.input_shape, assignment.values,
                                         f"window_{number}")
            else:
                items = _network_answers(part, assignment.values)
        except SymcnnError as error:
            where = f"{assignment.source}: part {number} ({part.title})"
            raise SpecError(f"{where}: {error}; give the symbols numbers under [values]") from None
        sections.append(Section(number, part.title, part, items, flattening, diagram))
    return Solution(assignment, tuple(sections))


def _layer_answers(part: LayerPart, values: dict[sp.Symbol, sp.Expr]) -> tuple[Answer, ...]:
    bound = bind(part.analysis.definitions, values)
    answers = []
    for question in part.questions:
        keys = SHAPE_KEYS if question == "output_shape" else (question,)
        quantities = [part.analysis[key] for key in keys if part.analysis.get(key) is not None]
        dropped = (sp.Integer(0), sp.Integer(0))
        if question == "output_shape" and part.analysis.get("dropped_columns") is not None:
            dropped = tuple(  # type: ignore[assignment]
                part.analysis[key].value(bound) for key in ("dropped_columns", "dropped_rows")
            )
        answers.append(Answer(question, tuple(derive(q, bound) for q in quantities), dropped))
    return tuple(answers)


def _network_answers(part: NetworkPart, values: dict[sp.Symbol, sp.Expr]) -> tuple[Item, ...]:
    network = part.network
    bound = network.values(values)
    items: list[Item] = []
    plan = memory_plan(network, bound, part.budget, part.dtype, part.optimizer) if part.budget else None
    for question in part.questions:
        if question in ("activation_table", "bottleneck"):
            items.append(_activation_table(question, network, bound))
        elif question in ("max_batch", "max_batch_training") and plan is not None:
            training = question == "max_batch_training"
            formula = largest_batch_training() if training else largest_batch_activation()
            items.append(BatchAnswer(question, training, plan, derive(formula, plan.shown_values)))
        elif question == "max_batch_inference" and plan is not None:
            peak = inference_peak(network, bound)
            shown = {M: plan.budget.formula, b: sp.Integer(plan.element_bytes), symbol("n_peak"): peak.elements}
            items.append(InferenceAnswer(question, plan, peak, derive(largest_batch_inference(), shown)))
        elif question == "receptive_field":
            items.append(_receptive_field(part, network, bound))
    return tuple(items)


def _activation_table(question: str, network: Network, bound: dict[sp.Symbol, sp.Expr]) -> ActivationTable:
    largest, names = bottleneck(network, bound)
    layers: list[Layer | None] = [None] + [a.layer for a in network.layers]
    rows = tuple(
        ActivationRow(name, layer, tuple(value_of(s, bound) for s in shape), value_of(n, bound), name in names)
        for (name, shape, n), layer in zip(activations(network), layers)
    )
    return ActivationTable(question, rows, largest, tuple(names))


def _receptive_field(part: NetworkPart, network: Network, bound: dict[sp.Symbol, sp.Expr]) -> ReceptiveFieldAnswer:
    fields = receptive_fields(network)
    bound = fields.values(bound)
    rows = tuple(
        RegionRow(f.layer, a.layer, f.rows.bound(bound), f.columns.bound(bound))
        for a, f in zip(network.layers, fields.fields) if f is not None and f.mixed is None
    )
    name = network.layer(part.receptive_field_layer).name if part.receptive_field_layer else _last_conv(network)
    chosen = next((row for row in rows if row.name == name), rows[-1])
    index = network.position(chosen.name)
    closed: tuple[tuple[str, dict[str, sp.Expr]], ...] = ()  # on a graph: a union over paths, no chain's forms
    if network.is_chain:
        windows = [w for a in network.layers[: index + 1] if (w := a.layer.sliding_windows)]
        down, across = ({key: value_of(evaluated(form), bound)
                         for key, form in araujo_closed_forms([w[axis] for w in windows]).items()} for axis in (0, 1))
        closed = (("", down),) if down == across else (("rows", down), ("columns", across))
    output = network.layers[index].output_shape
    return ReceptiveFieldAnswer(
        "receptive_field", rows, chosen, closed,
        (value_of(network.input_shape[1], bound), value_of(network.input_shape[2], bound)),
        (value_of(output[1], bound), value_of(output[2], bound)),
    )


def _last_conv(network: Network) -> str:
    convs = [a.name for a in network.layers if isinstance(a.layer, Conv2d)]
    return convs[-1] if convs else network.layers[-1].name
