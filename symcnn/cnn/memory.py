"""Activation memory and the largest batch that fits a memory budget.

Two models, each stating what it counts:

* ``"activation"`` (the assignment's): only the largest single activation of
  the batch must fit, ``B = ⌊M / (n_max · b)⌋``.
* ``"training"``: every activation is kept for the backward pass, plus the
  weights, their gradients and the optimizer's state,
  ``B = ⌊(M - (2 + s)·b·|θ|) / (b · n_kept)⌋``.

Bytes are exact integers; GB is 10^9 bytes and GiB is 2^30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from symcnn.cnn.network import Network
from symcnn.errors import SymcnnError, suggestion
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.evaluation import multiplied_all, summed, value_of
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_literal, number, reading_of
from symcnn.formula.quantity import Quantity
from symcnn.formula.trees import Value

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2}
"""Values kept per parameter by the optimizer: momentum buffer; Adam's two moments."""

_UNITS = {
    "B": (1, 0), "KB": (10, 3), "MB": (10, 6), "GB": (10, 9), "TB": (10, 12),
    "KIB": (2, 10), "MIB": (2, 20), "GIB": (2, 30), "TIB": (2, 40),
}
"""Each unit (upper case) as base and exponent: bytes = base^exponent."""
_SPELLED = {u: u[0] + "iB" if u.endswith("IB") else u for u in _UNITS}
"""Each unit as it is written (GiB)."""
UNITS_HINT = "12GiB (GiB = 2^30 bytes), 12GB (GB = 10^9 bytes); also KiB, MiB, TiB, KB, MB, TB, or B for bytes"
_BUDGET = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*\Z", re.IGNORECASE)



@dataclass(frozen=True)
class Budget:
    """A memory budget: exact bytes, and how the user wrote it.

    ``formula`` is the bytes as a product to show (``12 · 2^30``).
    """

    text: str
    bytes: int
    unit: str

    @property
    def formula(self) -> sp.Expr:
        """The bytes as the product the user wrote: ``12 · 2^30``."""
        base, exponent = _UNITS[self.unit.upper()]
        amount = unit_amount(self)
        number = sp.Integer(amount.numerator) / amount.denominator
        return number if exponent == 0 else f.mul(number, f.power(base, exponent))

    @property
    def meaning(self) -> str:
        """What the unit means, e.g. ``GiB = 2^30 bytes``."""
        base, exponent = _UNITS[self.unit.upper()]
        return "bytes" if exponent == 0 else f"{self.unit} = {base}^{exponent} bytes"


def parse_budget(text: str | int) -> Budget:
    """Read ``"12GiB"``, ``"12 GB"``, ``"1.5TiB"`` or ``"1024B"``: a size always with its unit.

    Raises:
        SymcnnError: not a size, no unit (12 bytes and 12 GiB differ a billionfold),
            or not a whole number of bytes.
    """
    match = _BUDGET.match(str(text))
    if match is None:
        raise SymcnnError(f"memory budget {text!r} is not a size; write e.g. {UNITS_HINT}")
    if match.group(2) is None:
        raise SymcnnError(f"memory budget {text!r} has no unit; write e.g. {UNITS_HINT}")
    budget = budget_of(Fraction(match.group(1)), match.group(2), str(text))
    if budget is None:
        raise SymcnnError(f"memory budget {text!r} is not a positive whole number of bytes")
    return budget


def budget_of(amount: Fraction, unit: str, text: str | None = None) -> Budget | None:
    """``amount`` of ``unit`` (any case: GiB, gb) exactly, or None when not a positive whole number of bytes.

    ``text`` is how it was written; by default the amount in decimals and the unit (1.5GiB).
    """
    unit = _SPELLED[unit.upper()]
    base, exponent = _UNITS[unit.upper()]
    total = amount * base**exponent
    if total.denominator != 1 or total <= 0:
        return None
    return Budget(text if text is not None else f"{_decimal(amount)}{unit}", int(total), unit)


def unit_amount(budget: Budget) -> Fraction:
    """The budget in its own unit, exactly (12 for 12GiB, 3/2 for 1.5GB)."""
    base, exponent = _UNITS[budget.unit.upper()]
    return Fraction(budget.bytes, base**exponent)


def _decimal(amount: Fraction) -> str:
    """``amount`` in decimals, when it has finitely many (else as a fraction)."""
    digits = 0
    while (amount * 10**digits).denominator != 1 and digits < 40:
        digits += 1
    scaled = amount * 10**digits
    if scaled.denominator != 1:
        return str(amount)
    whole, part = divmod(scaled.numerator, 10**digits)
    return str(whole) if digits == 0 else f"{whole}.{part:0{digits}d}"


def check_training_options(dtype: object, optimizer: object) -> None:
    """The one check of a dtype and an optimizer name, wherever they come from (CLI, spec, assignment).

    Raises:
        SymcnnError: an unknown one, with the nearest known name or the list of them.
    """
    if dtype not in DTYPE_BYTES:
        raise SymcnnError(f"unknown dtype {dtype!r}{suggestion(str(dtype), list(DTYPE_BYTES))}")
    if optimizer not in OPTIMIZER_STATES:
        raise SymcnnError(f"unknown optimizer {optimizer!r}{suggestion(str(optimizer), list(OPTIMIZER_STATES))}")


def activations(network: Network) -> list[tuple[str, tuple[sp.Expr, ...], sp.Expr]]:
    """(name, shape, elements per sample) of the input and of every layer's output."""
    rows = [("input", network.input_shape, multiplied_all(network.input_shape))]
    rows += [(a.name, a.output_shape, network.activation(a)) for a in network.layers]
    return rows


def bottleneck(network: Network, values: dict[sp.Symbol, sp.Expr]) -> tuple[sp.Expr, list[str]]:
    """The largest activation per sample and the layers that hold it (numbers needed)."""
    sizes = [(name, value_of(size, values)) for name, _, size in activations(network)]
    if not all(is_literal(size) for _, size in sizes):
        raise SymcnnError("the bottleneck needs numbers for every size; give the symbols values")
    largest = max(size for _, size in sizes)
    return largest, [name for name, size in sizes if size == largest]


def stored_activations(network: Network) -> sp.Expr:
    """Elements per sample kept for backward: the input and every layer's output.

    Flatten's output is a view of its input and an in-place ReLU overwrites its
    input, so neither is counted again.
    """
    kept = [network.activation(a) for a in network.layers if a.layer.stores_output]
    return summed([multiplied_all(network.input_shape), *kept])


def largest_batch_activation() -> Quantity:
    """The assignment's model: B = ⌊M / (n_max · b)⌋."""
    return Quantity("max_batch", "Largest batch (largest activation only)", "B_{max}",
                    _largest_batch(notation.M, notation.symbol("n_max"), notation.b))


def _largest_batch(budget: Value, largest: Value, element_bytes: Value) -> sp.Expr:
    return f.floor_div(budget, f.mul(largest, element_bytes))


def largest_batch_training() -> Quantity:
    """The training model: B = ⌊(M - (2 + s)·b·|θ|) / (b · n_kept)⌋."""
    return Quantity("max_batch_training", "Largest batch for training", "B_{max}",
                    _largest_training_batch(*map(notation.symbol, ("M", "s", "b", "theta", "n_kept"))))


def _largest_training_batch(budget: Value, states: Value, element_bytes: Value, params: Value, kept: Value) -> sp.Expr:
    fixed = f.mul(f.add(2, states), element_bytes, params)
    return f.floor_div(f.sub(budget, fixed), f.mul(element_bytes, kept))


@dataclass(frozen=True)
class MemoryPlan:
    """Everything the two batch-size models need, with numbers bound."""

    budget: Budget
    dtype: str
    optimizer: str
    largest_activation: sp.Integer
    bottleneck_layers: tuple[str, ...]
    stored_elements: sp.Integer
    params: sp.Integer

    @property
    def element_bytes(self) -> int:
        """Bytes per element of the dtype."""
        return DTYPE_BYTES[self.dtype]

    @property
    def optimizer_values(self) -> int:
        """Values the optimizer keeps per parameter."""
        return OPTIMIZER_STATES[self.optimizer]

    @property
    def values(self) -> dict[sp.Symbol, sp.Expr]:
        """The values of M, b, n_max, n_kept, θ and s."""
        named = dict(M=sp.Integer(self.budget.bytes), b=sp.Integer(self.element_bytes),
                     n_max=self.largest_activation, n_kept=self.stored_elements,
                     theta=self.params, s=sp.Integer(self.optimizer_values))
        return {notation.symbol(name): value for name, value in named.items()}

    @property
    def shown_values(self) -> dict[sp.Symbol, sp.Expr]:
        """As :attr:`values`, with the budget written as the user wrote it (12 · 2^30)."""
        return {**self.values, notation.M: self.budget.formula}

    def max_batch(self, training: bool = False) -> sp.Integer:
        """The largest batch under the chosen model (0 when even the weights do not fit)."""
        with reading_of(self.params), f.building_values():  # the formulas above, on the numbers
            if training:
                batch = _largest_training_batch(self.budget.bytes, self.optimizer_values, self.element_bytes,
                                                self.params, self.stored_elements)
            else:
                batch = _largest_batch(self.budget.bytes, self.largest_activation, self.element_bytes)
            return max(number(0), batch)


def memory_plan(
    network: Network,
    values: dict[sp.Symbol, sp.Expr],
    budget: Budget | str,
    dtype: str = "float32",
    optimizer: str = "sgd",
) -> MemoryPlan:
    """Bind a network's sizes for the batch-size models.

    Raises:
        SymcnnError: unknown dtype or optimizer, bad budget, or sizes still symbolic.
    """
    check_training_options(dtype, optimizer)
    budget = parse_budget(budget) if isinstance(budget, str) else budget
    largest, layers = bottleneck(network, values)
    stored = value_of(stored_activations(network), values)
    params = value_of(network.total("params"), values)
    if not (is_literal(stored) and is_literal(params)):
        raise SymcnnError("the training model needs numbers for every size; give the symbols values")
    return MemoryPlan(budget, dtype, optimizer, largest, tuple(layers), stored, params)
