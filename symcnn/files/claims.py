"""Claims files: a student's answers, read and tied to what they are about.

A claims file names its target (an assignment, a network or one layer) and
lists ``[[claims]]``: a quantity, the part and layer it is about, and the
claimed value: an integer (``73856`` or ``"73,856"``), a formula in the
notation (``"(K_1*K_2*C_in + 1)*C_out"``), a receptive-field region
(``"16i - 44 : 16i + 75"``) or, for ``output_shape``, a list ``[C, H, W]``.
See examples/seed_claims.toml. Strings are read by symcnn's restricted parser
only; anything wrong raises :class:`SpecError` naming the file, the claim's
index and its quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sympy as sp

from symcnn.cnn.network import Network
from symcnn.cnn.receptive_field import Interval
from symcnn.cnn.vocabulary import QUANTITIES
from symcnn.errors import ExpressionError, SpecError, SymcnnError, suggestion
from symcnn.files.assignment import LayerPart, NetworkPart, read_assignment
from symcnn.files.spec import (
    check_keys,
    layer_analysis,
    memory_options,
    network_reference,
    read_toml,
    read_values,
)
from symcnn.formula.expr import parse_expression
from symcnn.formula.symbols import NOTATION, i, j

_TOP_KEYS = (
    "title",
    "author",
    "assignment",
    "network",
    "layer",
    "input",
    "values",
    "memory",
    "dtype",
    "optimizer",
    "claims",
)
_CLAIM_KEYS = ("part", "layer", "quantity", "claimed", "intermediate", "note")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+\Z")
_WRAPPERS = {"(": ")", "[": "]"}

Part = LayerPart | NetworkPart


@dataclass(frozen=True)
class Region:
    """A claimed receptive field: neuron (i, j) sees rows ``rows.at(i)``, columns ``columns.at(j)``.

    ``axes`` is 1 when the claim wrote one axis for both (a square network).
    """

    rows: Interval
    columns: Interval
    axes: int = 2


class ClaimKind(StrEnum):
    """What a claim states: a number, a formula, a region of the input, or a shape."""

    NUMBER = "number"
    FORMULA = "formula"
    REGION = "region"
    SHAPE = "shape"


@dataclass(frozen=True)
class Claimed:
    """A claimed value.

    Attributes:
        kind: a number, a formula, a region or a shape.
        text: as written (an int, a string, or a list for shapes): what JSON echoes.
        value: the number or evaluated formula (sympy), a :class:`Region`, or the
            shape's entries (each a :class:`Claimed`).
        written: the writer's own tree (unevaluated), for numbers and formulas.
    """

    kind: ClaimKind
    text: Any
    value: Any
    written: sp.Basic | None = None


@dataclass(frozen=True)
class Subject:
    """What a claim is about: a part and, in a network, a layer (None: the whole network)."""

    part: Part
    number: int | None
    layer: str | None

    @property
    def network(self) -> Network | None:
        return self.part.network if isinstance(self.part, NetworkPart) else None


@dataclass(frozen=True)
class Claim:
    """One claim of a claims file."""

    index: int
    quantity: str
    subject: Subject
    claimed: Claimed
    intermediate: tuple[tuple[str, sp.Basic], ...] = ()
    note: str = ""

    @property
    def where(self) -> str:
        """``claim 3 (params)``: how messages name the claim."""
        return f"claim {self.index} ({self.quantity})"


@dataclass(frozen=True)
class ClaimsFile:
    """A claims file with its target resolved."""

    source: str
    title: str
    author: str
    target: str
    values: dict[sp.Symbol, sp.Expr]
    parts: tuple[Part, ...]
    is_assignment: bool
    claims: tuple[Claim, ...]


def read_claims(path: str | Path) -> ClaimsFile:
    """Load a claims file and tie each claim to its part and layer.

    Raises:
        SpecError: anything wrong, naming the file, the claim (index and quantity) and the fix.
    """
    path = Path(path)
    table = read_toml(path)
    where = str(path)
    check_keys(table, _TOP_KEYS, where)
    title, author = (_text(table, key, where) for key in ("title", "author"))
    target, values, parts, is_assignment = _target(table, path, where)
    entries = table.get("claims")
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{where}: no claims; add [[claims]] tables with quantity and claimed")
    claims = tuple(_claim(entry, k, parts, is_assignment, where) for k, entry in enumerate(entries, start=1))
    return ClaimsFile(where, title, author, target, values, parts, is_assignment, claims)


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise SpecError(f"{where}: {key} must be a string")
    return value


def _target(table: dict[str, Any], path: Path, where: str) -> tuple[str, dict, tuple[Part, ...], bool]:
    given = [key for key in ("assignment", "network", "layer") if key in table]
    if len(given) != 1:
        raise SpecError(
            f'{where}: name exactly one target: assignment = "file.toml", network = '
            f'"file.toml" (or an inline table) or layer = {{ type = "Conv2d" }}'
        )
    (kind,) = given
    extra = [key for key in ("values", "memory", "dtype", "optimizer", "input") if key in table]
    if kind == "assignment":
        if extra:
            raise SpecError(
                f"{where}: {extra[0]} belongs in the assignment file, not beside assignment = ..."
            )
        if not isinstance(table["assignment"], str):
            raise SpecError(f"{where}: assignment must be a file name, relative to the claims file")
        assignment = read_assignment(path.parent / table["assignment"])
        return assignment.title, dict(assignment.values), assignment.parts, True
    values = read_values(table.get("values", {}), f"{where}: values")
    if kind == "layer":
        return _layer_target(table, values, where)
    if "input" in table:
        raise SpecError(f"{where}: input belongs in the network spec, or use layer = {{...}} for one layer")
    network, own = network_reference(table["network"], path, where)
    values = {**own, **values}
    try:
        network.values(values)
    except SymcnnError as error:
        raise SpecError(f"{where}: values: {error}") from None
    budget, dtype, optimizer = memory_options(table, where)
    part = NetworkPart(network.name, network, (), budget, dtype, optimizer)
    return network.name, values, (part,), False


def _layer_target(
    table: dict[str, Any], values: dict, where: str
) -> tuple[str, dict, tuple[Part, ...], bool]:
    analysis = layer_analysis(table["layer"], table.get("input"), where)
    return analysis.name, values, (LayerPart(analysis.name, analysis, ()),), False


# --- one claim ---------------------------------------------------------------


def _claim(entry: Any, index: int, parts: tuple[Part, ...], is_assignment: bool, file: str) -> Claim:
    if not isinstance(entry, dict):
        raise SpecError(f"{file}: claim {index}: each [[claims]] entry must be a table")
    quantity = entry.get("quantity")
    if not isinstance(quantity, str):
        raise SpecError(f'{file}: claim {index}: missing quantity, e.g. quantity = "params"')
    where = f"{file}: claim {index} ({quantity})"
    if quantity not in QUANTITIES:
        raise SpecError(f"{where}: unknown quantity{suggestion(quantity, list(QUANTITIES))}")
    check_keys(entry, _CLAIM_KEYS, where)
    if "claimed" not in entry:
        raise SpecError(f"{where}: missing claimed = ... (an integer, a formula string or a region)")
    subject = _subject(entry, parts, is_assignment, where)
    allowed = _allowed_symbols(subject)
    claimed = _claimed(entry["claimed"], quantity, allowed, where)
    steps = entry.get("intermediate", [])
    if not isinstance(steps, list):
        raise SpecError(
            f'{where}: intermediate must be a list of the written steps, e.g. ["(3*3*64 + 1)*128"]'
        )
    intermediate = tuple(
        _step(step, allowed, f"{where}: intermediate[{k}]") for k, step in enumerate(steps, 1)
    )
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise SpecError(f"{where}: note must be a string")
    return Claim(index, quantity, subject, claimed, intermediate, note)


def _subject(entry: dict[str, Any], parts: tuple[Part, ...], is_assignment: bool, where: str) -> Subject:
    number: int | None = None
    if "part" in entry:
        if not is_assignment:
            raise SpecError(f"{where}: part is for assignment targets; this file checks one network or layer")
        number = _part_number(entry["part"], parts, where)
    elif len(parts) > 1:
        raise SpecError(f"{where}: which part? add part = 1..{len(parts)} (or a part's title)")
    elif is_assignment:
        number = 1
    part = parts[(number or 1) - 1]
    layer = entry.get("layer")
    if layer is None:
        return Subject(part, number, None)
    if isinstance(layer, bool) or not isinstance(layer, (str, int)):
        raise SpecError(f'{where}: layer must be a layer name like "conv10" or its 1-based index')
    if isinstance(part, LayerPart):
        if layer in (part.analysis.name, 1):
            return Subject(part, number, None)
        raise SpecError(
            f"{where}: part {number or 1} is one layer ({part.analysis.name}); leave out layer = {layer!r}"
        )
    if layer == "input":
        return Subject(part, number, "input")
    try:  # a block's name stays: its parameters and operations are its layers' sum
        if isinstance(layer, str) and part.network.block(layer):
            return Subject(part, number, layer)
        return Subject(part, number, part.network.layer(layer).name)
    except SymcnnError as error:
        raise SpecError(f"{where}: {error}") from None


def _part_number(value: Any, parts: tuple[Part, ...], where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= len(parts):
            return value
        raise SpecError(f"{where}: no part {value}; the parts are 1..{len(parts)}")
    if isinstance(value, str):
        titles = [part.title for part in parts]
        for number, title in enumerate(titles, start=1):
            if title.casefold() == value.strip().casefold():
                return number
        raise SpecError(f"{where}: no part titled {value!r}{suggestion(value, titles)}")
    raise SpecError(f"{where}: part must be a number 1..{len(parts)} or a part's title")


def _allowed_symbols(subject: Subject) -> set[str]:
    names = set(NOTATION)
    if subject.network is not None:
        names |= {sym.name for sym in subject.network.definitions}
        names |= {sym.name for size in subject.network.input_shape for sym in size.free_symbols}
    return names


def _formula(text: str, allowed: set[str], where: str) -> tuple[sp.Expr, sp.Basic]:
    """``text`` parsed twice: evaluated (to compare) and as written (to show)."""
    try:
        value, written = parse_expression(text), parse_expression(text, evaluate=False)
    except ExpressionError as error:
        raise SpecError(f"{where}: {error}") from None
    unknown = sorted(sym.name for sym in value.free_symbols if sym.name not in allowed)
    if unknown:
        raise SpecError(f"{where}: unknown symbol {unknown[0]!r}{suggestion(unknown[0], sorted(allowed))}")
    return value, written


def _claimed(value: Any, quantity: str, allowed: set[str], where: str) -> Claimed:
    if quantity == "receptive_field":
        if not isinstance(value, str):
            raise SpecError(f'{where}: claimed must be a region string like "16i - 44 : 16i + 75"')
        return Claimed(ClaimKind.REGION, value, parse_region(value, where))
    if quantity == "output_shape":
        if not isinstance(value, list) or len(value) not in (1, 3):
            raise SpecError(f"{where}: claimed must be a list [C, H, W] (or [N]), e.g. [128, 256, 256]")
        entries = tuple(_scalar(v, allowed, f"{where}: claimed[{k}]") for k, v in enumerate(value))
        return Claimed(ClaimKind.SHAPE, value, entries)
    return _scalar(value, allowed, where)


def claimed_answer(value: Any, quantity: str, subject: Subject, where: str) -> Claimed:
    """A claimed value about ``subject`` (as ``claimed = ...`` of a claims file), read and checked.

    Raises:
        SpecError: a value outside the claims format, naming ``where``.
    """
    return _claimed(value, quantity, _allowed_symbols(subject), where)


def _scalar(value: Any, allowed: set[str], where: str) -> Claimed:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{where}: claimed must be an integer or a formula string, got {value!r}")
    if isinstance(value, int):
        return Claimed(ClaimKind.NUMBER, value, sp.Integer(value), sp.Integer(value))
    if _GROUPED.match(value.strip()):
        number = sp.Integer(int(value.replace(",", "")))
        return Claimed(ClaimKind.NUMBER, value, number, number)
    parsed, written = _formula(value, allowed, where)
    if not parsed.free_symbols:
        if not parsed.is_Integer:
            raise SpecError(f"{where}: {value!r} is {parsed}, not a whole number")
        return Claimed(ClaimKind.NUMBER, value, parsed, written)
    return Claimed(ClaimKind.FORMULA, value, parsed, written)


def _step(value: Any, allowed: set[str], where: str) -> tuple[str, sp.Basic]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{where}: each step must be a string (or an integer), got {value!r}")
    if isinstance(value, int) or _GROUPED.match(value.strip()):
        return str(value), sp.Integer(int(str(value).replace(",", "")))
    return value, _formula(value, allowed, where)[1]


# --- regions -----------------------------------------------------------------


def parse_region(text: str, where: str = "region") -> Region:
    """``"16i - 44 : 16i + 75"`` (both axes alike) or ``"16i - 44 : 16i + 75, 16j - 44 : 16j + 75"``.

    Brackets or parentheses around the whole are allowed. Each end is linear in
    the axis' index (i for rows, j for columns) with integer coefficients.

    Raises:
        SpecError: anything else, saying what a region looks like.
    """
    body = text.strip()
    if body[:1] in _WRAPPERS and body.endswith(_WRAPPERS[body[:1]]):
        body = body[1:-1]
    axes = body.split(",")
    if len(axes) not in (1, 2):
        raise SpecError(
            f'{where}: malformed region {text!r}: write "a·i + b : a·i + c" for both axes, '
            f'or "... , ..." with j for the columns'
        )
    indices = ((i, j),) if len(axes) == 1 else ((i,), (j,))
    intervals = [_interval(axis, own, text, where) for axis, own in zip(axes, indices, strict=False)]
    if len(intervals) == 1:
        return Region(intervals[0], intervals[0], 1)
    return Region(intervals[0], intervals[1], 2)


def _interval(axis: str, indices: tuple[sp.Symbol, ...], text: str, where: str) -> Interval:
    ends = axis.split(":")
    if len(ends) != 2 or not all(end.strip() for end in ends):
        raise SpecError(
            f'{where}: malformed region {text!r}: each axis is "first : last", e.g. "16i - 44 : 16i + 75"'
        )
    exprs = []
    for end in ends:
        try:
            exprs.append(sp.expand(parse_expression(end)))
        except ExpressionError as error:
            raise SpecError(f"{where}: malformed region {text!r}: {error}") from None
    used = set().union(*(expr.free_symbols for expr in exprs))
    own = next((index for index in indices if index in used), indices[0])
    jumps, offsets = [], []
    for end, expr in zip(ends, exprs, strict=False):
        jump, offset = expr.coeff(own, 1), expr.coeff(own, 0)
        if (
            used - {own}
            or not (jump.is_Integer and offset.is_Integer)
            or sp.expand(jump * own + offset - expr) != 0
        ):
            raise SpecError(
                f"{where}: malformed region {text!r}: {end.strip()!r} is not a·{own} + b with integers a, b"
            )
        jumps.append(jump)
        offsets.append(offset)
    if jumps[0] != jumps[1]:
        raise SpecError(
            f"{where}: malformed region {text!r}: both ends must move alike "
            f"({jumps[0]}{own} and {jumps[1]}{own})"
        )
    return Interval(jumps[0], offsets[0], offsets[1])
