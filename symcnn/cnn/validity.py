"""Which input sizes a network is valid for, proved for every size at once.

The network is analysed on a symbolic input (C, H, W). Every condition its
layers leave (a kernel that fits its padded input, every size at least 1,
branches that agree where they meet) compares quasi-affine sizes of one axis
(:mod:`symcnn.formula.periodic`), so the set of valid X is decided along each
residue class of their periods (:mod:`symcnn.cnn.size_sets`): known for every X,
not sampled. It is written in the notation (``H ≡ 0 (mod 16), H ≥ 16``) with
the smallest valid size.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from symcnn.cnn.chain_proof import least_sizes
from symcnn.cnn.network import Network, build_network
from symcnn.cnn.size_sets import Axis, SizeSet, meet, periodic_conditions, solve
from symcnn.errors import LayerError
from symcnn.formula.evaluation import value_of
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_python_number, is_whole, numeric, symbolic_reading, symbols_of
from symcnn.formula.periodic import NotPeriodic, compiled, condition, looked_up
from symcnn.formula.sizes import Condition, Named, definition_text


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
        kept = [a for a in network.layers  # (the channels come back too: the next layer reads them)
                if not (proof_only and a.layer.keeps_sizes(a) and a.output_shape[0] == a.input_shape[0])]
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
        for proof in (_pulled_back_validity, _periodic_validity):  # the cheaper first; each answers or passes
            try:
                return proof(network)
            except (NotPeriodic, LayerError, TypeError):
                continue
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
        always = all(a is None or meet(a, e) == a for a, e in pairs)
        never = all(a is None or meet(a, e) is None for a, e in pairs)
        checks.append(JoinCheck(node, (network.node_name(pick[0]), network.node_name(pick[1])),
                                (texts[0], texts[1]), agree, always, never))
    return checks


def _pulled_back_validity(network: Network) -> Validity:
    """:func:`input_validity` of a numeric chain whose every layer admits the sizes from a least one on,
    through sizes that never fall: the least valid H and W pulled back from the output
    (:mod:`symcnn.cnn.chain_proof`), no set decided along the lcm of the strides.

    Raises:
        NotPeriodic: a network of another kind.
    """
    inputs = (Named("H"), Named("W"))
    sets = tuple(SizeSet.from_size(variable, least) for variable, least in zip(inputs, least_sizes(network)))
    return Validity(inputs, sets, (), (), network.input_shape[0])


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
    axes, conditions = periodic_conditions(periodic.layers, inputs)
    equalities = [stated for each in conditions.values() for _, stated, _, operator in each if operator == "=="]
    if equalities and proof_only:  # a statement to write, with the sizes' own names
        return _periodic_validity(network, proof_only=False)
    if not all(_written(side) for stated in equalities for side in stated.sides):
        raise NotPeriodic("branches whose sizes only the sympy reading writes")
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
