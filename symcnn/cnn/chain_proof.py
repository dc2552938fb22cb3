"""A chain's valid input sizes from each layer's own: the least size pulled back from the output.

Each distinct layer of a chain is analysed once in the periodic reading
(:mod:`symcnn.formula.sizes`) on an input of its own, where every size that
depends on the network's input is a variable of its own (``X_1``, ``X_2``).
That gives the sizes of each variable the layer admits (its own conditions,
:func:`~symcnn.cnn.size_sets.solve`) and each output size as a function of
one variable. A convolution or a pooling, whose windows alone make its sizes,
is read one window at a time instead: each distinct window once, on one
variable, by the code that analyses each axis of such a layer.

Where each such function is non-decreasing and each layer admits the sizes
``X ≥ m`` of a variable (as convolutions and poolings do), the chain admits
exactly ``H ≥ M``: each of its conditions reads ``F(H) ≥ c`` for a
composition F of non-decreasing functions, a set ``H ≥ M_c``, and so is
their intersection. M is found from the output back, each layer asking of
its input the least size that gives the next one what it needs
(:meth:`Growth.least`): a few integer steps a layer, where the proof of the
whole chain decides every condition along the lcm of all its strides.
Anything else (a set with a gap or an end, a size that falls, a condition on
a flattened size) raises :class:`~symcnn.formula.periodic.NotPeriodic`: the
chain is then proved whole (:mod:`symcnn.cnn.validity`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from symcnn.cnn.analysis import spatial_quantities
from symcnn.cnn.size_sets import SizeSet, interval, periodic_conditions, solve
from symcnn.errors import LayerError
from symcnn.formula.periodic import NotPeriodic, Number, integral_period
from symcnn.formula.sizes import Derived, Named, Unsized
from symcnn.formula.symbols import layer_symbol

if TYPE_CHECKING:
    from symcnn.cnn.analysis import LayerAnalysis, Window
    from symcnn.cnn.layer import Layer
    from symcnn.cnn.network import Network

_LARGEST_PERIOD = 1 << 12
_VARIABLE = "variable"
"""In a layer's input as :func:`_step` reads it: a size of its own (``X_k``)."""
_OUTSIDE = Unsized("a size outside the family")
"""In a layer's input as :func:`_step` reads it: a size of which nothing may be said."""

Entry = int | Named | None
"""What the chain knows of one entry of a shape: a number, a non-decreasing function of the input size H or W,
or None: neither (a flattened C·H·W, a size that falls)."""


class Growth(NamedTuple):
    """An output size as a non-decreasing function f of one input size of the layer."""

    source: int
    """The input entry it is a function of."""
    values: tuple[Number, ...]
    """f(1), f(2), ..., f(period)."""
    step: Number
    """f(x + period) - f(x), for every x."""

    def least(self, need: Number) -> int | None:
        """The least input size x ≥ 1 with f(x) ≥ ``need`` (None: there is none)."""
        period = len(self.values)
        firsts = [h + span[0] * period for h, value in enumerate(self.values, start=1)
                  if (span := interval(value - need, self.step, ">=")) is not None]
        return min(firsts) if firsts else None


class Step(NamedTuple):
    """One layer on an input of its own, as the pull-back reads it."""

    outputs: tuple[int | Growth | None, ...]
    """Per output entry: a number, a function of one input entry, or None (outside the family)."""
    least: dict[int, int]
    """Per input entry that is a variable: the least size the layer admits (it admits every larger one);
    an entry outside the family has none (anything said about it raised)."""
    touched: frozenset[int]
    """The input entries the layer states anything about or names a size of."""


def least_sizes(network: Network) -> tuple[int, int]:
    """The least valid H and W of a chain on a numeric (C, H, W): exactly the sizes from them on are valid
    (see the module docstring).

    Raises:
        NotPeriodic: not a chain, or a chain whose sets this does not pull back; the whole proof decides.
        LayerError: a layer that refuses an input of its own: the whole proof decides.
    """
    shape = network.input_shape
    if not network.is_chain or len(shape) != 3:
        raise NotPeriodic("not a chain of feature maps")
    entries: list[Entry] = [shape[0], Named("H"), Named("W")]
    made: dict[Any, Step | None] = {}
    held = Counter(id(analysis.layer) for analysis in network.layers)  # a layer held once takes no free step
    trail: list[tuple[Step, list[Entry], list[Entry]]] = []  # the layers that take a step, with their entries
    for analysis in network.layers:
        layer, before = analysis.layer, entries
        if layer.keeps_sizes(analysis) and (layer.keeps_shape or type(before[0]) is int):
            entries = [out if type(entry) is int else entry for entry, out in zip(before, analysis.output_shape)]
            continue  # it gives its input's sizes back: what it needs of them is what the next layer needs
        step = _made(made, layer, before, analysis, held[id(layer)] > 1)
        entries = [_entry(out, before, size) for out, size in zip(step.outputs, analysis.output_shape)]
        trail.append((step, before, entries))
        if all(type(entry) is int for entry in entries):
            break  # no size after depends on the input's (a flattened C·1·1, the layers after a Linear)
    need = [0 if type(entry) is int else 1 for entry in (trail[-1][2] if trail else entries)]  # each at least 1
    for step, before, after in reversed(trail):
        need = _pulled_back(step, before, after, need)
    return need[1], need[2]


def _pulled_back(step: Step, before: list[Entry], after: list[Entry], need: list[int]) -> list[int]:
    """What a layer needs of its input entries to give ``need`` (the least size of each output entry)."""
    needed = [0 if type(entry) is int else step.least.get(k, 1) for k, entry in enumerate(before)]
    for output, entry, wanted in zip(step.outputs, after, need):
        if type(entry) is int or (wanted <= 1 and entry is None):
            continue  # a number; or a size outside the family, of which nothing is asked
        if not isinstance(output, Growth):
            raise NotPeriodic("a size outside the family asked to be large")
        least = output.least(wanted)
        if least is None:
            raise NotPeriodic("no input size gives the size the next layer needs")
        needed[output.source] = max(needed[output.source], least)
    return needed


def _entry(output: int | Growth | None, before: list[Entry], size: Any) -> Entry:
    """What the chain knows of an output entry: a number (``size``, as the analysis of numbers found it),
    or what the input entry it is a function of is."""
    if isinstance(output, Growth):
        source = before[output.source]
        return size if type(source) is int else source
    return output


def _made(made: dict[Any, Step | None], layer: Layer, before: list[Entry], analysis: LayerAnalysis,
          again: bool) -> Step:
    """The layer's :func:`_step`, each made once: on every entry a variable where that one step serves for
    the numbers given (a pooling, whatever its channels), else on the numbers; or, for a layer whose windows
    alone make its sizes, the step of each window (:func:`_windowed`). A layer the chain holds once (``again``
    False) is analysed on its numbers only: a free step would be one more analysis, serving nothing else.

    It serves where it states nothing about the entries given as numbers and makes no size of them with
    another entry: a layer computes with its input's sizes and never branches on their values, so its
    analysis on a variable is its analysis on any number the variable stands for. An entry outside the
    family is given as what the proof of the whole chain gives (:class:`~symcnn.formula.sizes.Unsized`):
    anything stated about it raises, as it does there.
    """
    rule, name = layer.size_windows(), analysis.name
    if rule is not None and None not in before and type(before[0]) is int and len(before) == len(rule[0]) + 1:
        return _windowed(made, rule, before, analysis)
    if again and None not in before:
        free = _kept(made, (layer, len(before)), lambda: _free_step(layer, len(before), name))
        if free is not None and not any(type(before[k]) is int for k in free.touched) and None not in free.outputs:
            return free  # nothing said about the numbers, and what they give is the analysis' own number
    spec = tuple(entry if type(entry) is int else _OUTSIDE if entry is None else _VARIABLE for entry in before)
    step = _kept(made, (layer, spec), lambda: _step(layer, spec, name))
    assert step is not None
    return step


def _windowed(made: dict[Any, Step | None], rule: tuple[tuple[Window, ...], bool], before: list[Entry],
              analysis: LayerAnalysis) -> Step:
    """The step of a layer that makes its sizes by its windows alone (:meth:`~symcnn.cnn.layer.Layer.size_windows`),
    on channels given as a number: each axis whose size is a variable is its window's step on one variable
    (:func:`_window_step`, each window made once, whatever the layer's channels or other axes), as the layer's
    own analysis computes each axis from its size and window alone; the channels, and an axis given as a number,
    are what the analysis of numbers found (and checked)."""
    windows, ceil_mode = rule
    outputs: list[int | Growth | None] = [analysis.output_shape[0]]
    least: dict[int, int] = {}
    for k, (entry, window) in enumerate(zip(before[1:], windows), start=1):
        if type(entry) is int:
            outputs.append(analysis.output_shape[k])
            continue
        step = _kept(made, (window, ceil_mode), partial(_window_step, window, ceil_mode, analysis.name))
        assert step is not None
        growth, least[k] = step.outputs[1], step.least[1]
        outputs.append(growth._replace(source=k) if isinstance(growth, Growth) else growth)
    return Step(tuple(outputs), least, frozenset(least))


def _window_step(window: Window, ceil_mode: bool, name: str) -> Step:
    """One sliding window on one variable (entry 1 of a length), analysed as a layer's analysis analyses each
    axis (:func:`~symcnn.cnn.analysis.spatial_quantities`)."""
    variable = Named("X_1")
    quantities, sizes, assumptions = spatial_quantities(
        (0, variable), (window,), (layer_symbol("H", 1), layer_symbol("W", 1)), ceil_mode=ceil_mode, owner=name)
    definitions = {q.symbol: q.expr for q in quantities if q.symbol is not None}
    return _stepped(_Sizes(name, definitions, assumptions, (0, *sizes)), {1: variable})


class _Sizes(NamedTuple):
    """What :func:`_stepped` reads of a layer's analysis."""

    name: str
    definitions: dict[Any, Any]
    assumptions: tuple[Any, ...]
    output_shape: tuple[Any, ...]


def _free_step(layer: Layer, rank: int, name: str) -> Step | None:
    """The layer's step with every entry a variable (None: it takes no such input)."""
    try:
        return _step(layer, (_VARIABLE,) * rank, name)
    except (NotPeriodic, LayerError, TypeError):
        return None


def _kept(made: dict[Any, Step | None], key: Any, make: Callable[[], Step | None]) -> Step | None:
    """``make()``, kept in ``made`` under ``key`` (made each time for a layer that does not hash: a list
    argument, given in Python)."""
    try:
        if key in made:
            return made[key]
    except TypeError:
        return make()
    step = made[key] = make()
    return step


def _step(layer: Layer, spec: tuple[Any, ...], name: str) -> Step:
    """``layer`` analysed on ``spec`` (numbers, :data:`_VARIABLE` for a variable, :data:`_OUTSIDE` for a size
    outside the family): what it admits of each variable and how its sizes grow."""
    variables = {k: Named(f"X_{k}") for k, size in enumerate(spec) if size is _VARIABLE}
    shape = tuple(variables.get(k, size) for k, size in enumerate(spec))
    return _stepped(layer.analyze(shape, name=name, out_symbols=(layer_symbol("H", 1), layer_symbol("W", 1))),
                    variables)


def _stepped(analysis: LayerAnalysis | _Sizes, variables: dict[int, Named]) -> Step:
    """What ``analysis`` (in the periodic reading, its input entries ``variables`` given as variables) admits of
    each variable and how its sizes grow."""
    axes, conditions = periodic_conditions([analysis], tuple(variables.values()))
    least = {k: _least_admitted(solve(axes[variable], conditions[variable])[0]) for k, variable in variables.items()}
    touched = {named.axis for named in analysis.definitions} | {stated.axis for stated in analysis.assumptions}
    source = {variable: k for k, variable in variables.items()}
    outputs: list[int | Growth | None] = []
    for size in analysis.output_shape:
        if type(size) is int:
            outputs.append(size)
        elif type(size) in (Named, Derived) and size.axis in source:
            outputs.append(_growth(size, source[size.axis], axes[size.axis].evaluate))
        else:
            outputs.append(None)
    return Step(tuple(outputs), least, frozenset(source[axis] for axis in touched))


def _growth(size: Named | Derived, source: int, evaluate: Any) -> Growth | None:
    """``size`` as a function of its variable, if it never falls (None where it does)."""
    periodic = size.periodic
    period = integral_period(periodic.slope, periodic.period)
    if period > _LARGEST_PERIOD:
        raise NotPeriodic(f"a size that repeats only every {period} values")
    values = [periodic.value(evaluate(x)) for x in range(1, period + 2)]
    if any(b < a for a, b in zip(values, values[1:])):  # f(x + 1) - f(x) repeats with the period: all seen
        return None
    return Growth(source, tuple(values[:-1]), values[-1] - values[0])


def _least_admitted(sizes: SizeSet) -> int:
    """m where ``sizes`` is exactly X ≥ m.

    Raises:
        NotPeriodic: a set of another form (a gap, an end, none at all).
    """
    least = sizes.threshold
    if least is None:
        raise NotPeriodic("admitted sizes with a gap or an end")
    return least
