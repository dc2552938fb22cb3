"""The periodic reading: the formula builders on spatial sizes that are quasi-affine in one input size.

A network given numbers is proved valid for every input size by analysing it
once more with each spatial input size a :class:`Named` size instead of a
symbol. Every builder node that takes a size makes a :class:`Derived` size:
its compiled function of the input size (:class:`~symcnn.formula.periodic.Periodic`,
what :mod:`symcnn.cnn.validity` decides conditions with) and, while it is
exactly ``a·base + b``, that affine form. The affine form is what sympy's
evaluation keeps of the same formula (a sum of one symbol and numbers, a
floor of integer coefficients dropped), so a size is the same size, a number,
or a new one needing a name exactly where the sympy reading says so, and the
two readings agree on which sizes are equal. A condition between sizes is a
:class:`Condition`. Anything outside this family (a product of two sizes,
sizes of two axes together) is :class:`Unsized`, which raises
:class:`~symcnn.formula.periodic.NotPeriodic` where a condition or a
comparison needs it: the caller then proves validity the sympy way.

No sympy here: a numeric summary needs none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symcnn.formula.numbers import exactly, is_python_number, whole
from symcnn.formula.periodic import (
    NotPeriodic,
    Number,
    Periodic,
    added,
    chosen,
    constant,
    integral_period,
    looked_up,
    remainder,
    rounded,
    scaled,
)

Affine = tuple["Named", Number, Number]
"""``(base, a, b)``: the size ``a·base + b``."""


class Named:
    """A size with a name of its own: an input size (H, W), or a layer's output size the network names."""

    is_number = is_Integer = False
    is_Atom = True  # as a symbol is: what :mod:`symcnn.formula.numbers` reads

    def __init__(self, name: str, definition: Periodic | None = None, axis: Named | None = None,
                 source: Derived | None = None) -> None:
        self.name = name
        self.source = source
        """The size it names (None for an input size): what :func:`definition_text` writes."""
        self.axis = self if axis is None else axis
        """The input size this one is a function of (itself for an input size)."""
        self.definition = definition or looked_up(self)
        """Its function of the input size, from the sizes named before it."""
        reference = self.definition
        self.periodic = looked_up(self, reference.slope, reference.period)
        """Its value read from an evaluation's environment (where :meth:`Axis.evaluate` put it)."""

    @property
    def form(self) -> Affine:
        return (self, 1, 0)

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__


class Derived:
    """A size computed from named sizes of one axis, not (yet) named itself.

    Never changed once made (its function is kept when first made); a plain class, not a frozen
    dataclass, because the periodic reading makes one per node (a frozen dataclass sets each field
    through ``object.__setattr__``).
    """

    is_number = is_Integer = is_Atom = False
    __slots__ = ("axis", "form", "rounding", "made")

    def __init__(self, axis: Named, form: Affine | None, rounding: tuple[bool, Affine, Number] | None = None,
                 made: Periodic | None = None) -> None:
        self.axis = axis
        self.form = form
        """``a·base + b`` where the size is exactly that; None where a rounding stays."""
        self.rounding = rounding
        """``(up, form, k)`` for ``⌊form⌋ + k`` (``⌈form⌉ + k`` when up): the one rounded shape written out."""
        self.made = made
        """Its compiled function: given where no affine form gives it, else made when :attr:`periodic` is read."""

    @property
    def periodic(self) -> Periodic:
        """Its compiled function of the input size; of an affine form, ``a·base + b`` in one step, made when
        first read (most sizes are only added and compared by their forms)."""
        if self.made is None:
            assert self.form is not None, "a size without an affine form is made with its function"
            base, a, b = self.form
            reference = base.periodic
            read, slope, offset = reference.value, whole(a), whole(b)
            self.made = Periodic(lambda env: slope * read(env) + offset, whole(a * reference.slope),
                                 reference.period)
        return self.made

    def named(self, name: str) -> Named:
        """This size given a name of its own (``H_7``), as the network names a layer's new size."""
        return Named(name, self.periodic, self.axis, self)

    def __repr__(self) -> str:
        return f"Derived(axis={self.axis!r}, form={self.form!r}, rounding={self.rounding!r})"


@dataclass(frozen=True)
class Unsized:
    """A value outside the quasi-affine family: a product of sizes, sizes of two axes together."""

    is_number = is_Integer = is_Atom = False

    why: str


@dataclass(frozen=True, eq=False)
class Condition:
    """``difference ⋈ 0`` for sizes of one axis: an assumption of the periodic reading."""

    difference: Periodic
    operator: str
    axis: Named
    sides: tuple[Any, ...] = ()
    """The two sizes compared, as stated (``left ⋈ right``)."""
    implied: bool = False
    """True where ``a·size + b ⋈ 0`` holds for every size at least 1 (see :func:`implied`): it decides nothing."""


SIZE_TYPES = frozenset({Named, Derived, Unsized, Condition})


def is_size(value: Any) -> bool:
    """A value of the periodic reading (a size, a condition, or what is outside the family)."""
    return type(value) in SIZE_TYPES


def size_node(operation: str, args: list[Any]) -> Any:
    """``operation`` (sympy's name for it) of numbers and sizes, where at least one is a size."""
    numbers, sizes = [], []
    for arg in args:  # one pass: this runs for every node of the periodic reading
        kind = type(arg)
        if kind is Named or kind is Derived:
            sizes.append(arg)
        elif kind is Unsized:
            return arg
        elif kind is Condition:
            return Unsized("a condition used as a number")
        else:
            numbers.append(arg)
    if not sizes:  # sizes that cancelled out: numbers again
        return exactly(operation, args)
    axis = sizes[0].axis
    if len(sizes) > 1 and any(size.axis is not axis for size in sizes):
        return Unsized("sizes of two axes together")
    if operation == "Add":
        return _sum(numbers, sizes, axis)
    if operation == "Mul":
        return _product(numbers, sizes, axis)
    if operation in ("floor", "ceiling"):
        return _rounded(args[0], operation == "ceiling")
    if operation == "Mod":
        dividend, divisor = args
        if not is_python_number(divisor):
            return Unsized("a remainder by a size")
        if divisor == 1:
            return 0
        return Derived(axis, None, made=remainder(_periodic(dividend), divisor))
    if operation == "GreaterThan":  # a Piecewise's condition: decided where the sizes cancel, as sympy does
        left, right = args
        difference = _difference(left, right)
        return difference >= 0 if is_python_number(difference) else condition(left, ">=", right)
    return Unsized(f"{operation} of a size")


def _periodic(value: Any) -> Periodic:
    return constant(value) if is_python_number(value) else value.periodic


def _sum(numbers: list[Number], sizes: list[Named | Derived], axis: Named) -> Any:
    number = whole(sum(numbers))
    if len(sizes) == 1:  # the usual sum: one size and numbers
        size = sizes[0]
        if type(size) is Derived and size.rounding and type(number) is int:
            up, inner, k = size.rounding  # ⌊form⌋ + k + number: still the shape written out
            return Derived(axis, None, (up, inner, k + number), added([constant(number), size.periodic]))
        if size.form is not None:
            base, a, b = size.form
            return _affine(base, a, whole(b + number))  # (a form's a is never 0)
    forms = [size.form for size in sizes]
    if all(forms) and len({f[0] for f in forms if f is not None}) == 1:
        a = whole(sum(f[1] for f in forms if f is not None))
        b = whole(number + sum(f[2] for f in forms if f is not None))
        return whole(b) if a == 0 else _affine(forms[0][0], a, b)  # type: ignore[index]
    return Derived(axis, None, made=added([constant(number), *(size.periodic for size in sizes)]))


def _product(numbers: list[Number], sizes: list[Named | Derived], axis: Named) -> Any:
    if len(sizes) > 1:
        return Unsized("a product of two sizes")
    factor = whole(math.prod(numbers))
    if factor == 0:
        return 0
    (size,) = sizes
    form = size.form
    if form is None:
        return Derived(axis, None, made=scaled(factor, size.periodic))
    return _affine(form[0], whole(form[1] * factor), whole(form[2] * factor))


def _rounded(size: Named | Derived, up: bool) -> Named | Derived:
    form = size.form
    if form is None:
        return Derived(size.axis, None, made=rounded(size.periodic, up))
    base, a, b = form
    over_a, over_b = a.denominator, b.denominator
    if over_a == 1 and over_b == 1:
        return size  # an integer already: sympy drops the floor too
    shape = (up, form, 0)
    # ⌊(p·x + q)/d⌋ in integers (⌈⌉ as -⌊-…⌋), the same function as rounded(size.periodic) without a Fraction
    d = math.lcm(over_a, over_b)
    p, q, sign = a.numerator * (d // over_a), b.numerator * (d // over_b), -1 if up else 1
    reference = base.periodic
    read, slope = reference.value, whole(a * reference.slope)  # size.periodic's slope and period, not made
    return Derived(size.axis, None, shape, Periodic(lambda env: sign * ((sign * (p * read(env) + q)) // d), slope,
                                                    integral_period(slope, reference.period)))


def _affine(base: Named, a: Number, b: Number) -> Named | Derived:
    """The size ``a·base + b``: the base itself where that is ``1·base + 0``."""
    return base if a == 1 and b == 0 else Derived(base.axis, (base, a, b))


def condition(left: Any, operator: str, right: Any) -> Condition:
    """``left ⋈ right`` as a condition on one axis.

    Raises:
        NotPeriodic: a side outside the quasi-affine family.
    """
    difference = _difference(left, right)
    if isinstance(difference, Unsized):
        raise NotPeriodic(difference.why)
    if is_python_number(difference):
        raise NotPeriodic("a condition between numbers")  # decided where it is made; not expected here
    return Condition(difference.periodic, operator, difference.axis, (left, right),
                     implied(difference.form, operator))


def implied(form: Affine | None, operator: str) -> bool:
    """Whether ``a·size + b ⋈ 0`` (>= or >) holds whenever the size is at least 1, as every named size and input
    size of a valid network is: with ``a > 0`` its least value is ``a + b`` (e.g. a padded kernel that fits
    any input, ``H + 2 - 3 >= 0``)."""
    if form is None or operator not in (">=", ">"):
        return False
    _, a, b = form
    return a > 0 and (a + b >= 0 if operator == ">=" else a + b > 0)


def _difference(left: Any, right: Any) -> Any:
    return size_node("Add", [left, size_node("Mul", [-1, right]) if is_size(right) else -right])


def chosen_size(branches: list[tuple[Any, Any]]) -> Derived:
    """torch's ceil-mode Piecewise on sizes: the first branch whose condition holds."""
    compiled = []
    axis = None
    for value, when in branches:
        if isinstance(value, Unsized) or not (when is True or isinstance(when, Condition)):
            raise NotPeriodic("a piecewise size outside the family")
        if not is_python_number(value):
            axis = value.axis
        compiled.append((_periodic(value), None if when is True else (when.difference, when.operator)))
    if axis is None:
        raise NotPeriodic("a piecewise of numbers")
    return Derived(axis, None, made=chosen(compiled))


def equal_sizes(left: Any, right: Any) -> bool | None:
    """Whether two values of the periodic reading are equal, as the sympy reading decides it; None: undecided."""
    forms = [value.form if isinstance(value, (Named, Derived)) else None for value in (left, right)]
    if forms[0] is None or forms[1] is None or forms[0][0] is not forms[1][0] or forms[0][1] != forms[1][1]:
        return None  # sympy's difference keeps a symbol
    return forms[0][2] == forms[1][2]


def definition_text(named: Named) -> str:
    """What ``named`` stands for, as sympy writes the same size (``floor(H_4/2 - 1/2) + 1``, ``2*H_28``).

    Raises:
        NotPeriodic: a size this does not write (a ceil-mode branch, a negative slope): the sympy reading does.
    """
    source = named.source
    if source is not None and source.form is not None:
        return _affine_text(source.form)
    if source is not None and source.rounding is not None:
        up, form, k = source.rounding
        return f"{'ceiling' if up else 'floor'}({_affine_text(form)}){_constant_text(k)}"
    raise NotPeriodic(f"{named.name}: a definition only the sympy reading writes")


def _affine_text(form: Affine) -> str:
    """``a·base + b`` in sympy's str: ``3*H_4/2 - 1``, ``H_4/2``, ``2*H_4 + 1`` (a positive a only)."""
    base, a, b = form
    if a <= 0:
        raise NotPeriodic("a size that falls as the input grows")
    slope = Fraction(a)
    numerator = "" if slope.numerator == 1 else f"{slope.numerator}*"
    denominator = "" if slope.denominator == 1 else f"/{slope.denominator}"
    return f"{numerator}{base.name}{denominator}{_constant_text(b)}"


def _constant_text(value: Number) -> str:
    """`` + b`` or `` - b`` after a term (nothing for 0), a fraction as ``p/q``."""
    if value == 0:
        return ""
    magnitude = abs(Fraction(value))
    text = str(magnitude.numerator) if magnitude.denominator == 1 else f"{magnitude.numerator}/{magnitude.denominator}"
    return f" + {text}" if value > 0 else f" - {text}"
