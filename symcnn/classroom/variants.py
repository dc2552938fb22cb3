"""Variants of an assignment: other numbers per student, drawn from the ``[variants]`` table.

::

    [variants]
    W = { min = 128, max = 512, step = 32 }    # a range with a step
    K_1 = [3, 5, 7]                            # or a list of choices
    require = ["(W + 2*P - K_1) % S == 0"]     # conditions in the notation

A variant is the assignment with some ``[values]`` replaced. The numbers a
student gets depend only on the seed and the student's id (a hash of both
seeds the draws), so adding a student changes no one else's. Numbered variants
(``--count``) are distinct while the space allows. Conditions are read by the
restricted parser (:func:`symcnn.formula.expr.parse_condition`) and evaluated here on
exact integers; a single layer's own assumptions (the window fits the padded
input) are required too, and networks are checked when the variant is built.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from symcnn.errors import ExpressionError, SpecError, SymcnnError
from symcnn.files.assignment import Assignment, LayerPart, assignment_from_table
from symcnn.files.spec import read_toml
from symcnn.formula.expr import parse_condition, parse_expression
from symcnn.formula.symbols import symbol

ENUMERATION_LIMIT = 50_000
"""Spaces up to this many combinations are listed whole: their count of valid variants is exact."""
DRAWS = 10_000
"""Draws tried for one variant before the conditions are called impossible."""

Values = dict[str, int]


@dataclass(frozen=True)
class VariantSpace:
    """The ``[variants]`` of an assignment: each symbol's choices and the conditions.

    ``table`` is the assignment's parsed TOML, ``defaults`` its ``[values]`` as
    written (expressions of earlier symbols kept), ``assumptions`` the single
    layers' own conditions.
    """

    source: Path
    table: dict[str, Any]
    choices: dict[str, tuple[int, ...]]
    require: tuple[tuple[str, sp.Basic], ...]
    defaults: dict[str, sp.Expr]
    assumptions: tuple[sp.Basic, ...]

    @property
    def size(self) -> int:
        """Every combination of the choices, conditions not applied."""
        return math.prod(len(c) for c in self.choices.values())


def read_variant_space(path: str | Path) -> VariantSpace:
    """The assignment's ``[variants]`` table, checked (the assignment itself is read too).

    Raises:
        SpecError: no ``[variants]``, a bad entry or condition (file, symbol, fix).
    """
    path = Path(path)
    table = read_toml(path)
    assignment = assignment_from_table(table, path)
    for part in table.get("parts", []):  # network files read once, not once per variant
        if isinstance(part.get("network"), str):
            part["network"] = read_toml(path.parent / part["network"])
    where = f"{path}: variants"
    raw = table.get("variants")
    if not isinstance(raw, dict) or not raw:
        raise SpecError(f"{where}: no [variants] table; add one, e.g. W = [128, 256] or "
                        "W = { min = 128, max = 512, step = 32 }")
    defaults = _defaults(table, path)
    choices = {name: _choices(value, f"{where}.{name}") for name, value in raw.items() if name != "require"}
    for name in choices:
        if name not in defaults:
            raise SpecError(f"{where}.{name}: {name} is not under [values]; give it a default value there")
    require = _conditions(raw.get("require", []), set(defaults), where)
    assumptions = tuple(a for part in assignment.parts if isinstance(part, LayerPart)
                        for a in part.analysis.assumptions)
    return VariantSpace(path, table, choices, require, defaults, assumptions)


def _defaults(table: dict[str, Any], path: Path) -> dict[str, sp.Expr]:
    values = table.get("values", {})
    return {name: parse_expression(str(value)) for name, value in values.items()}


def _choices(value: Any, where: str) -> tuple[int, ...]:
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(dict.fromkeys(value))
    if isinstance(value, dict) and set(value) <= {"min", "max", "step"} and {"min", "max"} <= set(value):
        low, high, step = value["min"], value["max"], value.get("step", 1)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, step)) and step > 0 and low <= high:
            return tuple(range(low, high + 1, step))
    raise SpecError(f"{where}: give a list of integers, e.g. [3, 5, 7], or a range "
                    "{ min = 128, max = 512, step = 32 } (integers, min <= max, step >= 1)")


def _conditions(raw: Any, names: set[str], where: str) -> tuple[tuple[str, sp.Basic], ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(text, str) for text in raw):
        raise SpecError(f'{where}.require: give a list of conditions, e.g. ["(W + 2*P - K_1) % S == 0"]')
    conditions = []
    for k, text in enumerate(raw, start=1):
        try:
            condition = parse_condition(text)
        except ExpressionError as error:
            raise SpecError(f"{where}.require[{k}]: {error}") from None
        unknown = sorted(s.name for s in condition.free_symbols if s.name not in names)
        if unknown:
            raise SpecError(f"{where}.require[{k}]: {unknown[0]!r} has no value; name symbols under [values]")
        try:
            evaluate(condition, {s: 1 for s in condition.free_symbols})
        except ZeroDivisionError:
            pass
        except (TypeError, ValueError) as error:
            raise SpecError(f"{where}.require[{k}]: {text!r} cannot be evaluated exactly ({error})") from None
        conditions.append((text, condition))
    return tuple(conditions)


# --- evaluating on exact integers ---------------------------------------------


def evaluate(tree: sp.Basic, env: dict[sp.Symbol, Any]) -> Any:
    """``tree`` (an expression or condition) at ``env``, in exact arithmetic: an int, a Fraction or a bool.

    Raises:
        ZeroDivisionError: a division or remainder by zero (the condition fails).
    """
    if isinstance(tree, sp.Symbol):
        return env[tree]
    if tree.is_Integer:
        return int(tree)
    if tree.is_Rational:
        return Fraction(int(tree.p), int(tree.q))
    if tree is sp.true or tree is sp.false:
        return bool(tree)
    args = [evaluate(a, env) for a in tree.args]
    if isinstance(tree, sp.Add):
        return sum(args)
    if isinstance(tree, sp.Mul):
        return math.prod(args)
    if isinstance(tree, sp.Pow):
        base, power = args
        if not isinstance(power, int):
            raise ValueError("only whole powers are evaluated exactly")
        return Fraction(base) ** power if power < 0 else base ** power
    if isinstance(tree, sp.Mod):
        return args[0] % args[1]
    if isinstance(tree, sp.floor):
        return math.floor(args[0])
    if isinstance(tree, sp.ceiling):
        return math.ceil(args[0])
    if isinstance(tree, sp.And):
        return all(args)
    if isinstance(tree, sp.Or):
        return any(args)
    if isinstance(tree, sp.Not):
        return not args[0]
    relations = {sp.Eq: "__eq__", sp.Ne: "__ne__", sp.Lt: "__lt__", sp.Le: "__le__", sp.Gt: "__gt__",
                 sp.Ge: "__ge__"}
    for kind, method in relations.items():
        if isinstance(tree, kind):
            return getattr(args[0], method)(args[1])
    raise TypeError(f"cannot evaluate {type(tree).__name__}")


def environment(space: VariantSpace, chosen: Values) -> dict[sp.Symbol, Any]:
    """Every ``[values]`` symbol's number with ``chosen`` in place of the defaults."""
    env: dict[sp.Symbol, Any] = {}
    for name, default in space.defaults.items():
        env[symbol(name)] = chosen[name] if name in chosen else evaluate(default, env)
    return env


def holds(space: VariantSpace, chosen: Values) -> bool:
    """Whether ``chosen`` meets every ``require`` condition and the single layers' assumptions."""
    env = environment(space, chosen)
    try:
        return all(evaluate(c, env) is True for _, c in space.require) and all(
            evaluate(a, env) is True for a in space.assumptions)
    except (ZeroDivisionError, KeyError):
        return False


def valid_variants(space: VariantSpace) -> list[Values] | None:
    """Every combination meeting the conditions, in order; None when the space is too large to list."""
    if space.size > ENUMERATION_LIMIT:
        return None
    names = list(space.choices)
    combos = (dict(zip(names, combo)) for combo in itertools.product(*space.choices.values()))
    return [combo for combo in combos if holds(space, combo)]


# --- drawing ------------------------------------------------------------------


def _rng(seed: str | int, key: str) -> random.Random:
    digest = hashlib.sha256(f"symcnn-variant\0{seed}\0{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def draw(space: VariantSpace, seed: str | int, key: str, avoid: list[Values] | None = None) -> Values:
    """The variant of ``key`` (a student id) under ``seed``: only these two decide it.

    ``avoid``: variants not to repeat (earlier numbered variants).

    Raises:
        SpecError: no draw meets the conditions.
    """
    rng = _rng(seed, key)
    for _ in range(DRAWS):
        chosen = {name: rng.choice(options) for name, options in space.choices.items()}
        if (avoid is None or chosen not in avoid) and holds(space, chosen):
            return chosen
    raise impossible(space)


def impossible(space: VariantSpace) -> SpecError:
    """The one error for conditions no combination meets."""
    conditions = "; ".join(text for text, _ in space.require) or "the layers' own conditions"
    return SpecError(f"{space.source}: variants: no combination of the choices meets the conditions "
                     f"({conditions}); widen the choices or relax require")


def numbered(space: VariantSpace, seed: str | int, count: int) -> tuple[list[Values], int | None]:
    """Variants 1..count: distinct while the space allows; returns them and the number of distinct ones.

    Variant k depends on the seed (and on variants 1..k-1 only to stay distinct):
    asking for more variants never changes the earlier ones.
    """
    listed = valid_variants(space)
    if listed is not None:
        if not listed:
            raise impossible(space)
        order = list(listed)
        _rng(seed, "order").shuffle(order)
        return [order[k % len(order)] for k in range(count)], len(order)
    chosen: list[Values] = []
    for k in range(1, count + 1):
        try:
            chosen.append(draw(space, seed, str(k), avoid=chosen))
        except SpecError:
            if not chosen:
                raise
            return chosen + [chosen[m % len(chosen)] for m in range(count - len(chosen))], len(chosen)
    return chosen, None


def for_students(space: VariantSpace, seed: str | int, ids: list[str]) -> dict[str, Values]:
    """Each student's variant, from the seed and the id alone."""
    return {student: draw(space, seed, f"id:{student}") for student in ids}


# --- the variant as an assignment -----------------------------------------------


def variant_table(space: VariantSpace, chosen: Values) -> dict[str, Any]:
    """The assignment's TOML table with ``chosen`` under [values] and networks made numeric."""
    table = copy.deepcopy(space.table)
    table.pop("variants", None)
    values = table.setdefault("values", {})
    for name, value in chosen.items():
        values[name] = value
    env = environment(space, chosen)
    numbers = {sym.name: value for sym, value in env.items()}
    for part in table.get("parts", []):
        if isinstance(part, dict) and "network" in part:
            part["network"] = _numeric(part["network"], numbers)
    return table


def _numeric(value: Any, numbers: dict[str, Any]) -> Any:
    """A network table with each expression string over known symbols replaced by its integer."""
    if isinstance(value, dict):
        return {key: v if key in ("type", "name") else _numeric(v, numbers) for key, v in value.items()}
    if isinstance(value, list):
        return [_numeric(v, numbers) for v in value]
    if isinstance(value, str):
        try:
            expr = parse_expression(value)
        except ExpressionError:
            return value  # a torch word such as "same": the layer reads it
        if expr.free_symbols and all(s.name in numbers for s in expr.free_symbols):
            result = evaluate(expr, {s: numbers[s.name] for s in expr.free_symbols})
            if isinstance(result, int) or (isinstance(result, Fraction) and result.denominator == 1):
                return int(result)
    return value


def variant_assignment(space: VariantSpace, chosen: Values) -> Assignment:
    """The assignment a student with ``chosen`` gets.

    Raises:
        SpecError: a layer the variant makes impossible.
    """
    try:
        return assignment_from_table(variant_table(space, chosen), space.source)
    except SymcnnError as error:
        raise SpecError(f"variant {describe(chosen)}: {error}") from None


def describe(chosen: Values) -> str:
    """``W = 256, K_1 = 3``: a variant in one line."""
    return ", ".join(f"{name} = {value}" for name, value in chosen.items())
