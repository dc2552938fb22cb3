"""Which input sizes a network is valid for, proved for every size at once.

The network is analysed on a symbolic input (C, H, W). Every condition its
layers leave (a kernel that fits its padded input, every size at least 1,
branches that agree where they meet) compares quasi-affine sizes of one axis
(:mod:`symcnn.formula.periodic`): with L the lcm of all their periods, along each
residue class X = h + kL (h = 1..L, k = 0, 1, ...) each condition's
difference is an arithmetic progression in k, ``d(h) + k·r·L``. So the k
that satisfy it form an interval computed exactly from two numbers, the
intersection over all conditions is an interval too, and the set of valid X
is known for every X, not sampled. It is written in the notation
(``H ≡ 0 (mod 16), H ≥ 16``) with the smallest valid size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from symcnn.cnn.network import Network, build_network
from symcnn.errors import LayerError
from symcnn.formula.evaluation import value_of
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_python_number, is_whole, numeric, symbolic_reading, symbols_of, whole
from symcnn.formula.periodic import NotPeriodic, Number, Periodic, added, compiled, condition, constant, lcm, looked_up
from symcnn.formula.sizes import Condition, Named, definition_text, implied

_LARGEST_PERIOD = 1 << 16
_LISTED = 8

Span = tuple[int, int | None]
"""k from the first to the last (None: no end) along one residue class."""


@dataclass(frozen=True)
class SizeSet:
    """A set of positive integers X: ``spans[h - 1]`` holds the k with X = h + k·period."""

    variable: sp.Symbol
    period: int
    spans: tuple[Span | None, ...]

    def __contains__(self, size: int) -> bool:
        h = (size - 1) % self.period + 1
        span, k = self.spans[h - 1], (size - h) // self.period
        return span is not None and span[0] <= k and (span[1] is None or k <= span[1])

    @property
    def smallest(self) -> int | None:
        """The least X in the set (None: empty)."""
        firsts = [h + span[0] * self.period for h, span in enumerate(self.spans, start=1) if span]
        return min(firsts) if firsts else None

    @property
    def text(self) -> str:
        """The set in the notation: ``H ≥ 1``, ``H ≡ 0 (mod 16), H ≥ 16``, ``H ∈ {7, 9}``, ``no H``."""
        return describe(self)


def _span(start: Number, step: Number, operator: str) -> Span | None:
    """The k ≥ 0 with ``start + k·step ⋈ 0``, as an interval (None: none)."""
    if operator in ("<=", "<"):
        start, step, operator = -start, -step, ">=" if operator == "<=" else ">"
    if operator == "==":
        if step == 0:
            return (0, None) if start == 0 else None
        k = _floor_divided(-start, step)
        return (k, k) if k * step == -start and k >= 0 else None
    if operator == "!=":
        raise NotPeriodic("a != condition is not an interval")
    strict = operator == ">"
    if step == 0:
        return (0, None) if (start > 0 or (start == 0 and not strict)) else None
    floor = _floor_divided(-start, step)  # start + k·step crosses 0 at k = -start/step
    ceiling = -_floor_divided(start, step)
    if step > 0:
        return (max(0, floor + 1 if strict else ceiling), None)
    last = ceiling - 1 if strict else floor
    return (0, last) if last >= 0 else None


def _floor_divided(numerator: Number, denominator: Number) -> int:
    """⌊numerator / denominator⌋, exactly: in ints where both are (the usual case), else with a Fraction."""
    if isinstance(numerator, int) and isinstance(denominator, int):
        return numerator // denominator
    return math.floor(Fraction(numerator) / denominator)


def _meet(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None:
        return None
    low = max(a[0], b[0])
    high = b[1] if a[1] is None else a[1] if b[1] is None else min(a[1], b[1])
    return None if high is not None and high < low else (low, high)


@dataclass
class Axis:
    """One input variable (H or W) and the sizes derived from it, compiled."""

    variable: sp.Symbol
    sizes: dict[sp.Symbol, Periodic]
    order: list[sp.Symbol]

    def evaluate(self, size: int) -> dict[sp.Symbol, Number]:
        """Every derived size at input size ``size``, exactly, in definition order."""
        env: dict[sp.Symbol, Number] = {self.variable: size}
        for sym in self.order:
            env[sym] = self.sizes[sym].value(env)
        return env


Compiled = tuple[str, Any, Periodic, str]
"""A condition of one axis: the layer it comes from, the condition as stated, its compiled difference, its operator."""


def solve(axis: Axis, compiled_conditions: list[Compiled]) -> tuple[SizeSet, SizeSet, list[tuple[str, Any, SizeSet]]]:
    """The valid sizes of one axis, those every layer admits (joins left out), and each condition's own set.

    Raises:
        NotPeriodic: a period too large.
    """
    period = lcm([axis.sizes[s].period for s in axis.order] + [c[2].period for c in compiled_conditions])
    if period > _LARGEST_PERIOD:
        raise NotPeriodic(f"the sizes repeat only every {period} values")
    envs = [axis.evaluate(h) for h in range(1, period + 1)]
    total: list[Span | None] = [(0, None)] * period
    layers, joined = total, False
    each = []
    for node, relation, difference, operator in compiled_conditions:
        step = whole(difference.slope * period)
        starts = [difference.value(env) for env in envs]
        if operator == ">=" and type(step) is int and step > 0 and all(type(start) is int for start in starts):
            spans: list[Span | None] = [(max(0, -(start // step)), None) for start in starts]  # the usual case
        else:
            spans = [_span(start, step, operator) for start in starts]
        each.append((node, relation, SizeSet(axis.variable, period, tuple(spans))))
        total = [_meet(a, b) for a, b in zip(total, spans)]
        if operator == "==":
            joined = True
        else:
            layers = total if not joined else [_meet(a, b) for a, b in zip(layers, spans)]  # the same, until a join
    return SizeSet(axis.variable, period, tuple(total)), SizeSet(axis.variable, period, tuple(layers)), each


def axes_of(network: Network, values: Mapping[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, Axis]:
    """Each input variable with the sizes derived from it (definitions with ``values`` bound)."""
    axes = {v: Axis(v, {v: looked_up(v)}, []) for size in network.input_shape[1:] for v in size.free_symbols}
    owner: dict[sp.Symbol, sp.Symbol] = {v: v for v in axes}
    for sym, definition in network.definitions.items():
        expr = value_of(definition, values)
        variables = {owner[s] for s in expr.free_symbols if s in owner}
        if len(variables) != 1 or not expr.free_symbols <= set(owner):
            continue  # a size of another kind (channels, a symbolic kernel): left undecided
        axis = axes[variables.pop()]
        try:
            axis.sizes[sym] = compiled(expr, axis.sizes)
        except NotPeriodic:
            continue
        axis.order.append(sym)
        owner[sym] = axis.variable
    return axes


def _relation_text(relation: sp.Basic) -> str:
    """``4*H_1*W_1 = 1024``: a condition in plain text."""
    from symcnn.formula.plain import plain

    if not isinstance(relation, sp.core.relational.Relational):
        return str(relation)
    operator = {"==": "=", "!=": "≠", ">=": "≥", "<=": "≤"}.get(relation.rel_op, relation.rel_op)
    return f"{plain(relation.lhs)} {operator} {plain(relation.rhs)}"


def residues(sizes: SizeSet) -> tuple[int, list[int]]:
    """The least modulus d and residues R with: X in the set for all large X ⇔ X mod d ∈ R."""
    eventual = [span is not None and span[1] is None for span in sizes.spans]
    for d in sorted(k for k in range(1, sizes.period + 1) if sizes.period % k == 0):
        kept = {h % d for h, on in enumerate(eventual, start=1) if on}
        if all(on == (h % d in kept) for h, on in enumerate(eventual, start=1)):
            return d, sorted(kept)
    return sizes.period, []  # not reached: d = period always works


def describe(sizes: SizeSet) -> str:
    """The set as a condition in the notation, exact (exceptions listed)."""
    x = sizes.variable.name
    smallest = sizes.smallest
    if smallest is None:
        return f"no {x}"
    modulus, kept = residues(sizes)
    ends = [h + span[1] * sizes.period for h, span in enumerate(sizes.spans, start=1) if span and span[1] is not None]
    if not kept:
        members = [n for n in range(1, max(ends) + 1) if n in sizes]
        return f"{x} ∈ {{{_listed(members)}}}"
    first = min(h + span[0] * sizes.period for h, span in enumerate(sizes.spans, start=1)
                if span and span[1] is None)
    residue = "" if modulus == 1 else (
        f"{x} ≡ {kept[0]} (mod {modulus}), " if len(kept) == 1 else f"{x} mod {modulus} ∈ {{{_listed(kept)}}}, ")
    text = f"{residue}{x} ≥ {first}"
    last = max([first + sizes.period * 2] + ends)
    extra = [n for n in range(1, first) if n in sizes]
    missing = [n for n in range(first, last + 1) if n % modulus in kept and n not in sizes]
    if missing:
        text += f", except {x} ∈ {{{_listed(missing)}}}"
    if extra:
        text = f"{text}; or {x} ∈ {{{_listed(extra)}}}"
    return text


def _listed(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_LISTED])
    return shown + (", …" if len(numbers) > _LISTED else "")


class JoinCheck(NamedTuple):
    """Where branches meet on one axis: the sizes for which they agree."""

    node: str
    branches: tuple[str, str]
    sizes: tuple[str, str]
    agree: SizeSet
    always: bool
    """True: proved equal for every input the layers admit."""
    never: bool
    """True: proved different for every input the layers admit."""

    @property
    def statement(self) -> str:
        """One line: where the branches agree."""
        x = self.agree.variable.name
        a, b = (f"{name} ({size})" for name, size in zip(self.branches, self.sizes))
        if self.always:
            return f"{self.node}: {a} and {b} agree for every admissible {x} (proved)"
        if self.never:
            return f"{self.node}: {a} and {b} disagree for every admissible {x} (proved)"
        return f"{self.node}: {a} and {b} agree only when {self.agree.text}"


class Validity(NamedTuple):
    """The input sizes a network is valid for, per input variable.

    ``sets`` maps each spatial variable (H, W) to its valid sizes; ``joins``
    says, for each join, where its branches agree; ``undecided`` lists the
    conditions outside the decidable family (shown as they are).
    """

    variables: tuple[sp.Symbol, ...]
    sets: tuple[SizeSet, ...]
    joins: tuple[JoinCheck, ...]
    undecided: tuple[str, ...]
    channels: sp.Expr

    @property
    def condition(self) -> str:
        """``H ≡ 0 (mod 16), H ≥ 16; W ≡ 0 (mod 16), W ≥ 16``."""
        return "; ".join(s.text for s in self.sets)

    @property
    def smallest(self) -> tuple[sp.Expr, ...] | None:
        """The smallest valid input (C, H, W), or None when some axis has none."""
        least = [s.smallest for s in self.sets]
        if any(n is None for n in least):
            return None
        if is_python_number(self.channels):  # the numeric reading's
            return (self.channels, *least)
        return (self.channels, *(sp.Integer(n) for n in least))

    def given(self, network: Network, values: Mapping[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, int]:
        """The network's own input sizes per variable, where they are numbers."""
        sizes: dict[sp.Symbol, int] = {}
        by_name = {v.name: v for v in self.variables}
        for size, letter in zip(network.input_shape[1:], ("H", "W")):
            free = symbols_of(size)
            value = value_of(size, values) if free else size
            variable = by_name.get(next(iter(free)).name if len(free) == 1 else letter)
            if is_whole(value) and variable is not None:
                sizes[variable] = int(value)
        return sizes

    def admits(self, sizes: Mapping[sp.Symbol, int]) -> bool | None:
        """Whether given (H, W) values are valid (None: a condition stays undecided)."""
        if any(int(sizes[v]) not in s for v, s in zip(self.variables, self.sets) if v in sizes):
            return False
        return None if self.undecided else True


def _rebuilt(network: Network, shape: tuple[Any, ...], *, proof_only: bool = False) -> Network:
    """``network``'s layers analysed again on the input ``shape``.

    ``proof_only``: a chain without the layers that give every input size back
    and state nothing that can fail (:meth:`~symcnn.cnn.layer.Layer.keeps_sizes`),
    whose sizes are then named by other numbers: for a proof that writes no size's name.
    """
    if network.is_chain:
        kept = [a for a in network.layers if not (proof_only and a.layer.keeps_sizes(a))]
        return build_network([(a.name, a.layer) for a in kept], shape, network.name, sizes_unnamed=proof_only)
    from symcnn.cnn.graph import Node, build_graph

    nodes = [Node(a.name, a.layer, tuple(network.node_name(k) for k in network.inputs_of(p)))
             for p, a in enumerate(network.layers)]
    return build_graph(nodes, shape, network.name)


def _symbolic(network: Network) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """The network rebuilt on (C, H, W) with symbols where the input has numbers, and those numbers."""
    from symcnn.formula.symbols import H, W

    shape = network.input_shape
    if len(shape) != 3:
        return network, {}
    spatial = list(shape[1:])
    given = {}
    for k, (size, letter) in enumerate(zip(spatial, (H, W))):
        if is_whole(size):
            given[letter] = size
            spatial[k] = letter
    if not given:
        return network, {}
    return _rebuilt(network, (shape[0], *spatial)), given


def input_validity(network: Network, values: Mapping[sp.Symbol, sp.Expr] | None = None) -> Validity:
    """The set of input sizes for which ``network`` is valid, proved (see the module docstring).

    A network given a numeric input is analysed on a symbolic one of the same
    channels, so the answer covers its architecture, not only its input. In
    the numeric reading that second analysis is the periodic one
    (:mod:`symcnn.formula.sizes`), which needs no sympy; where it cannot
    decide (a join whose branches differ, a condition outside its family)
    the proof is the sympy one below, which says the same in its own terms.
    """
    if numeric():
        try:
            return _periodic_validity(network)
        except (NotPeriodic, LayerError, TypeError):
            pass
        with symbolic_reading():
            return _symbolic_validity(network, values)
    return _symbolic_validity(network, values)


def _symbolic_validity(network: Network, values: Mapping[sp.Symbol, sp.Expr] | None) -> Validity:
    """:func:`input_validity`, proved on the network rebuilt on sympy symbols."""
    try:
        symbolic, _ = _symbolic(network)
    except LayerError as error:
        return Validity((), (), (), (f"the network on a symbolic input: {error}",), network.input_shape[0])
    variables = {v for size in symbolic.input_shape[1:] for v in sp.sympify(size).free_symbols}
    values = {k: v for k, v in (values or {}).items() if k not in variables}  # the sizes stay free
    axes = axes_of(symbolic, values)
    owner = {sym: v for v, axis in axes.items() for sym in axis.sizes}
    per_axis: dict[sp.Symbol, list[tuple[str, sp.Basic]]] = {v: [] for v in axes}
    undecided: list[str] = []
    names = {sym: a.name for a in symbolic.layers for sym in a.definitions}
    for sym, variable in owner.items():
        if sym != variable:
            per_axis[variable].append((names[sym], sp.Ge(sym, 1, evaluate=False)))
    for analysis in symbolic.layers:
        for assumption in analysis.assumptions:
            relation = value_of(assumption, values) if values else assumption
            if relation is sp.true:
                continue
            variables = {owner.get(s) for s in relation.free_symbols}
            if len(variables) == 1 and None not in variables:
                per_axis[variables.pop()].append((analysis.name, relation))
            else:
                undecided.append(f"{analysis.name}: {_relation_text(relation)}")
    sets, joins = [], []
    for variable, axis in axes.items():
        try:
            total, layers, each = solve(axis, [(node, rel, *condition(rel, axis.sizes))
                                               for node, rel in per_axis[variable]])
        except NotPeriodic as error:
            undecided += [f"{node}: {relation} ({error})" for node, relation in per_axis[variable]]
            continue
        sets.append(total)
        joins += _join_checks(symbolic, each, layers)
    return Validity(tuple(s.variable for s in sets), tuple(sets), tuple(joins), tuple(undecided),
                    network.input_shape[0])


def _join_checks(network: Network, each: list[tuple[str, Any, SizeSet]], layers: SizeSet) -> list[JoinCheck]:
    """The equality conditions of joins, each with the branches it compares and where they agree.

    A condition is sympy's ``Eq`` or, in the periodic reading, a ``==``
    :class:`~symcnn.formula.sizes.Condition`; a size a layer defines is written
    as sympy writes it (:func:`~symcnn.formula.sizes.definition_text` in the periodic reading).
    """
    from symcnn.formula.plain import shape_text

    definitions = network.definitions
    checks = []
    for node, relation, agree in each:
        if isinstance(relation, Condition):
            if relation.operator != "==":
                continue
            sides = relation.sides
        elif relation is not None and isinstance(relation, sp.Eq):  # (the periodic reading's others are None)
            sides = relation.args
        else:
            continue
        sources = network.inputs_of(network.position(node))
        shapes = [network.input_shape if k == 0 else network.layers[k - 1].output_shape for k in sources]
        if isinstance(relation, Condition) and not all(_written(size) for s in shapes for size in s):
            raise NotPeriodic("a shape only the sympy reading writes")
        pick = [next((k for k, s in zip(sources, shapes) if side in s), sources[0]) for side in sides]
        texts = []
        for k, side in zip(pick, sides):
            text = shape_text(shapes[sources.index(k)])
            if side in definitions:
                written = definition_text(side) if isinstance(side, Named) else definitions[side]
                text += f", {side} = {written}"
            texts.append(text)
        pairs = list(zip(layers.spans, agree.spans))
        always = all(a is None or _meet(a, e) == a for a, e in pairs)
        never = all(a is None or _meet(a, e) is None for a, e in pairs)
        checks.append(JoinCheck(node, (network.node_name(pick[0]), network.node_name(pick[1])),
                                (texts[0], texts[1]), agree, always, never))
    return checks


def _periodic_validity(network: Network, proof_only: bool | None = None) -> Validity:
    """:func:`input_validity` of a numeric network, in the periodic reading: no sympy.

    ``proof_only`` (default: for a chain) leaves out the layers that keep their
    shape (:func:`_rebuilt`); a condition that must be written out with the
    sizes' names (an equality) has the proof made again with every layer.

    Raises:
        NotPeriodic: a condition the periodic reading cannot decide as the sympy reading states it
            (a join of branches that differ, a condition of two axes, an empty set).
    """
    shape = network.input_shape
    if len(shape) != 3:  # no spatial sizes to vary; a numeric network leaves no assumption
        return Validity((), (), (), (), shape[0])
    inputs = (Named("H"), Named("W"))
    proof_only = network.is_chain if proof_only is None else proof_only
    periodic = _rebuilt(network, (shape[0], *inputs), proof_only=proof_only)
    axes = {v: Axis(v, {v: v.definition}, []) for v in inputs}
    conditions: dict[Named, list[Compiled]] = {v: [] for v in inputs}
    for analysis in periodic.layers:
        for named in analysis.definitions:
            axes[named.axis].sizes[named] = named.definition
            axes[named.axis].order.append(named)
            form = named.source.form if named.source else None
            if not (form and implied((form[0], form[1], form[2] - 1), ">=")):  # the size at least 1, if not sure
                conditions[named.axis].append((analysis.name, None, added([named.periodic, constant(-1)]), ">="))
        for stated in analysis.assumptions:
            if not isinstance(stated, Condition):
                raise NotPeriodic("a condition the sympy reading states in its own terms")
            if stated.operator == "==" and proof_only:  # a statement to write, with the sizes' own names
                return _periodic_validity(network, proof_only=False)
            if stated.operator == "==" and not all(_written(side) for side in stated.sides):
                raise NotPeriodic("branches whose sizes only the sympy reading writes")
            if not stated.implied:  # one that holds for every size at least 1 leaves the sets as they are
                conditions[stated.axis].append((analysis.name, stated, stated.difference, stated.operator))
    sets, joins = [], []
    for variable in inputs:
        total, layers, each = solve(axes[variable], conditions[variable])
        if total.smallest is None:
            raise NotPeriodic("no valid size: the sympy reading says why")
        sets.append(total)
        joins += _join_checks(periodic, each, layers)
    return Validity(inputs, tuple(sets), tuple(joins), (), shape[0])


def _written(side: Any) -> bool:
    """Whether the periodic reading writes ``side`` as the sympy reading would: a number, or a named size
    whose definition :func:`~symcnn.formula.sizes.definition_text` writes (and the shapes it stands in)."""
    if is_python_number(side):
        return True
    if not isinstance(side, Named):
        return False
    if side.source is None:  # an input size: its name is all there is to write
        return True
    try:
        definition_text(side)
    except NotPeriodic:
        return False
    return True
