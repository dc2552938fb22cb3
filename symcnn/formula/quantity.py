"""Quantity: one named result of CNN arithmetic, as formula and expression.

``formula`` is the unevaluated tree in the textbook's term order (what the
renderer prints); ``expr`` is the same tree evaluated (what the algebra uses).
Both come from one definition, written once with the builders of
:mod:`symcnn.formula.trees`: a layer's analysis builds the values (a summary
needs nothing else), and the tree is built from the same definition only
when a document, a notebook or the checker first asks for ``formula``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from symcnn.formula.display import Displayable
from symcnn.formula.evaluation import evaluated, value_of
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NUMERIC, is_atom
from symcnn.formula.sizes import Derived
from symcnn.formula.trees import builds_values


@dataclass(frozen=True)
class Deferred:
    """A quantity's value, with its textbook tree to be built from the same definition when first asked for."""

    value: sp.Expr
    tree: Callable[[], sp.Expr] = field(compare=False)


@dataclass(unsafe_hash=True, repr=False, init=False)
class Quantity(Displayable):
    """A named quantity of a layer or network.

    Attributes:
        key: the vocabulary name, e.g. ``"output_width"`` or ``"params"``.
        title: what a reader calls it, e.g. ``"Output width"``.
        lhs: the LaTeX left-hand side, e.g. ``"W_{out}"`` or ``"|\\theta|"``.
        source: the unevaluated sympy tree in the formula's term order, or, from a
            layer's analysis, the value with the tree :class:`Deferred`.
        symbol: the symbol this quantity defines (``W_out``), if any.

    A value: equal and hashed by its fields, and never changed once made. It is not
    a frozen dataclass only because that sets each field through
    ``object.__setattr__``: a layer's analysis makes a dozen, and plain
    attributes make one in a third of the time (0.6 us against 1.5 us).
    """

    key: str
    title: str
    lhs: str
    source: sp.Expr | Deferred
    symbol: sp.Symbol | None = None

    def __init__(self, key: str, title: str, lhs: str, source: sp.Expr | Deferred,
                 symbol: sp.Symbol | None = None) -> None:
        self.key, self.title, self.lhs, self.source, self.symbol = key, title, lhs, source, symbol
        if type(source) is not Deferred and (NUMERIC.get() or builds_values()):
            self.expr = source  # built as a value: nothing to evaluate (the numeric reading asked first: no call)

    @classmethod
    def defining(cls, key: str, title: str, lhs: str, formula: sp.Expr, symbol: sp.Symbol) -> Quantity:
        """A quantity that names its value ``symbol``, unless the value is a number or a symbol."""
        expr = formula if builds_values() else evaluated(formula)
        if type(expr) is Derived:  # the periodic reading: the new size is named as the symbol would be
            symbol = expr.named(symbol.name)
        quantity = cls(key, title, lhs, formula, None if is_atom(expr) else symbol)
        quantity.expr = expr  # in place of the cached property below: evaluate once
        return quantity

    @cached_property
    def formula(self) -> sp.Expr:
        """The unevaluated tree in the formula's term order: what documents print and the checker reads."""
        return self.source.tree() if isinstance(self.source, Deferred) else self.source

    @cached_property
    def expr(self) -> sp.Expr:
        """The formula evaluated: what the algebra compares and sums."""
        if isinstance(self.source, Deferred):
            return self.source.value
        return evaluated(self.source)

    def deferred(self, tree: Callable[[], sp.Expr]) -> Quantity:
        """This quantity as a value, with ``tree`` to build its textbook tree when first asked for."""
        return Quantity(self.key, self.title, self.lhs, Deferred(self.expr, tree), self.symbol)

    def value(self, values: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
        """The quantity with ``values`` bound and evaluated."""
        return value_of(self.expr, values)
