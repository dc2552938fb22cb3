"""Blocks: a part of a graph defined once in a spec file and used with arguments.

A spec's ``[blocks.NAME]`` table holds ``args`` (a list of required names, or
a table of defaults), optionally ``inputs`` (the names its inputs go by
inside, default ``["in"]``) and ``layers``. A ``[[layers]]`` entry with
``block = "NAME"`` uses it; its other keys are the arguments, plus ``name``,
``repeat``, ``first``, ``input``/``inputs``. Repeated uses are numbered as
``nn.Sequential`` numbers its children, ``NAME.0``, ``NAME.1``, ... from
``first`` (default 0), or put in place of ``{}`` (``denselayer{}``). With
``inline = true`` the block's layers keep the enclosing names (its ``name``
then only lets later layers read its output): a block that wraps another. Inside a block, a layer reads the layer
before it, or the ones its ``input``/``inputs`` name among the block's own
layers and inputs; names are qualified by the use's name, as torch's module
paths are (``layer2.0.conv1``). A block may use other blocks.

Argument values reach the layers through symcnn's restricted parser only: a
string value in a block (``"planes * 4"``) is read as an expression and the
arguments are put in; the result goes to the layer as an int or an expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from symcnn.cnn.graph import INPUT, Node
from symcnn.errors import ExpressionError, SpecError
from symcnn.formula.expr import evaluate_expression, expression_names, parse_expression
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NotNumeric, number, numeric
from symcnn.formula.plain import plain
from symcnn.formula.symbols import checked_name, symbol

_USE_KEYS = ("block", "name", "repeat", "first", "input", "inputs", "inline")
_BLOCK_KEYS = ("args", "inputs", "layers")
_DEEPEST = 16


@dataclass(frozen=True)
class Block:
    """A block definition: its arguments (None: required), its input names, its layer tables."""

    name: str
    args: dict[str, Any]
    inputs: tuple[str, ...]
    layers: tuple[dict[str, Any], ...]


def read_blocks(table: Any, where: str) -> dict[str, Block]:
    """The ``[blocks]`` table of a spec, each block checked."""
    from symcnn.files.spec import check_keys

    if table is None:
        return {}
    if not isinstance(table, dict):
        raise SpecError(f"{where}: blocks must be a table of [blocks.NAME] tables")
    blocks = {}
    for name, body in table.items():
        place = f"{where}: blocks.{name}"
        if not isinstance(body, dict):
            raise SpecError(f"{place}: expected a table with args and layers")
        check_keys(body, _BLOCK_KEYS, place)
        args = body.get("args", {})
        if isinstance(args, list) and all(isinstance(a, str) for a in args):
            args = {a: None for a in args}
        if not isinstance(args, dict):
            raise SpecError(f'{place}: args must be a list of names or a table of defaults, e.g. args = ["planes"]')
        inputs = body.get("inputs", ["in"])
        if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
            raise SpecError(f'{place}: inputs must be a list of names, e.g. inputs = ["in", "skip"]')
        layers = body.get("layers")
        if not isinstance(layers, list) or not layers or not all(isinstance(e, dict) for e in layers):
            raise SpecError(f"{place}: layers must be a non-empty list of layer tables")
        for arg in args:
            _argument_symbol(arg, place)
        blocks[name] = Block(name, dict(args), tuple(inputs), tuple(layers))
    return blocks


def expand(entries: list[Any], blocks: Mapping[str, Block], where: str) -> list[Node]:
    """The graph nodes of a spec's ``[[layers]]``, blocks expanded in place."""
    return _Expansion(blocks, where).scope(entries, prefix="", inputs={INPUT: INPUT}, first=INPUT,
                                           arguments={}, place=where, depth=0)


def _argument_symbol(name: str, place: str) -> sp.Symbol:
    """The symbol an argument name stands for; in the numeric reading, the name itself (checked)."""
    try:
        return checked_name(name) if numeric() else symbol(name)  # type: ignore[return-value]
    except ValueError:
        raise SpecError(f"{place}: argument {name!r} is not a plain name") from None


class _Expansion:
    """The walk over entries; ``nodes`` grows in topological order."""

    def __init__(self, blocks: Mapping[str, Block], where: str) -> None:
        self.blocks, self.where, self.nodes = blocks, where, []  # type: ignore[var-annotated]
        self.counters: dict[str, int] = {}

    def scope(self, entries: list[Any], prefix: str, inputs: dict[str, str], first: str,
              arguments: dict[sp.Symbol, sp.Expr], place: str, depth: int) -> list[Node]:
        """Expand ``entries`` under ``prefix``; ``inputs`` maps local names to global ones."""
        from symcnn.files.spec import layer_from_table

        local = dict(inputs)
        previous = first
        for index, entry in enumerate(entries, start=1):
            at = f"{place}: layer {index}"
            if not isinstance(entry, dict):
                raise SpecError(f"{at}: each layer must be a table")
            if isinstance(entry.get("name"), str):
                at = f"{at} ({entry['name']})"
            sources = self._sources(entry, local, previous, at)
            repeat = entry.get("repeat", 1)
            if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
                raise SpecError(f"{at}: repeat must be a positive integer, got {repeat!r}")
            name = entry.get("name")
            if name is not None and (not isinstance(name, str) or not name):
                raise SpecError(f"{at}: name must be a non-empty string")
            if "block" in entry:
                previous = self._use(entry, sources, prefix, arguments, at, depth, repeat)
            else:
                table = {k: _put(v, arguments, f"{at}: {k}") for k, v in entry.items() if k not in _USE_KEYS}
                layer = layer_from_table({**table, "type": entry.get("type")}, at)
                for k in range(1, repeat + 1):
                    own = None if name is None else (name if repeat == 1 else f"{name}_{k}")
                    full = self._named(prefix, own, layer.kind)
                    self.nodes.append(Node(full, layer, sources if k == 1 else (previous,)))
                    previous = full
            if name is not None:
                local[name] = previous
        return self.nodes

    def _named(self, prefix: str, own: str | None, kind: str) -> str:
        if own is None:
            key = f"{prefix}{kind}"
            self.counters[key] = self.counters.get(key, 0) + 1
            own = f"{kind}{self.counters[key]}"
        return f"{prefix}{own}"

    def _sources(self, entry: dict[str, Any], local: dict[str, str], previous: str, at: str) -> tuple[str, ...]:
        if "input" in entry and "inputs" in entry:
            raise SpecError(f"{at}: give input (one name) or inputs (a list), not both")
        given = entry.get("inputs", [entry["input"]] if "input" in entry else None)
        if given is None:
            return (previous,)
        if not isinstance(given, list) or not given or not all(isinstance(g, str) for g in given):
            raise SpecError(f'{at}: inputs must be a list of layer names, e.g. inputs = ["conv2", "in"]')
        unknown = [g for g in given if g not in local]
        if unknown:
            from symcnn.files.spec import suggestion

            raise SpecError(f"{at}: reads {unknown[0]!r}, which no earlier layer here is called"
                            f"{suggestion(unknown[0], list(local))}")
        return tuple(local[g] for g in given)

    def _use(self, entry: dict[str, Any], sources: tuple[str, ...], prefix: str,
             arguments: dict[sp.Symbol, sp.Expr], at: str, depth: int, repeat: int) -> str:
        """Expand one ``block = ...`` entry ``repeat`` times; return the last node's name."""
        from symcnn.files.spec import suggestion

        kind = entry["block"]
        if kind not in self.blocks:
            raise SpecError(f"{at}: unknown block {kind!r}{suggestion(str(kind), list(self.blocks))}")
        if depth >= _DEEPEST:
            raise SpecError(f"{at}: blocks nested more than {_DEEPEST} deep (does {kind!r} use itself?)")
        block = self.blocks[kind]
        given = {k: v for k, v in entry.items() if k not in _USE_KEYS}
        for key in given:
            if key not in block.args:
                raise SpecError(f"{at}: block {kind!r} has no argument {key!r}{suggestion(key, list(block.args))}")
        values: dict[sp.Symbol, sp.Expr] = {}
        for arg, default in block.args.items():
            if arg not in given and default is None:
                raise SpecError(f"{at}: block {kind!r} needs {arg} = ...")
            values[_argument_symbol(arg, at)] = _read(_put(given.get(arg, default), arguments, f"{at}: {arg}"),
                                                      f"{at}: {arg}")
        if len(sources) != len(block.inputs):
            raise SpecError(f"{at}: block {kind!r} takes {len(block.inputs)} inputs ({', '.join(block.inputs)}), "
                            f"got {len(sources)}")
        name = entry.get("name") or self._named("", None, kind)
        first = entry.get("first", 0)
        if isinstance(first, bool) or not isinstance(first, int) or first < 0:
            raise SpecError(f"{at}: first must be a nonnegative integer, got {first!r}")
        numbered = repeat > 1 or "first" in entry or "{}" in name
        last = sources[0]
        for k in range(repeat):
            number = str(first + k)
            own = (name.replace("{}", number) if "{}" in name else f"{name}.{number}") if numbered else name
            feeds = sources if k == 0 else (last,) + sources[1:]
            inner = prefix if entry.get("inline", False) is True else f"{prefix}{own}."
            self.scope(list(block.layers), inner, dict(zip(block.inputs, feeds)), feeds[0],
                       values, f"{self.where}: blocks.{kind}", depth + 1)
            last = self.nodes[-1].name  # type: ignore[assignment]
        return last


def _read(value: Any, place: str) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{place}: expected an integer or an expression string, got {value!r}")
    if isinstance(value, int):
        return number(value)  # type: ignore[no-any-return]
    if numeric():
        raise NotNumeric(f"{value!r} is an expression")
    try:
        return parse_expression(value)
    except ExpressionError as error:
        raise SpecError(f"{place}: {error}") from None


def _put(value: Any, arguments: Mapping[sp.Symbol, sp.Expr], place: str) -> Any:
    """A layer value with the block's arguments put in (strings only; lists element by element)."""
    if isinstance(value, list):
        return [_put(v, arguments, place) for v in value]
    if not isinstance(value, str) or not arguments:
        return value
    if numeric():
        return _put_number(value, arguments)  # type: ignore[arg-type]
    try:
        expr = parse_expression(value)
    except ExpressionError:
        return value  # a word the layer reads itself ("same", "nearest")
    if not expr.free_symbols & set(arguments):
        return value
    result = expr.xreplace(dict(arguments))
    return int(result) if result.is_Integer else plain(result)


def _put_number(value: str, arguments: Mapping[str, int]) -> int | str:
    """:func:`_put` in the numeric reading: the arguments are numbers, and so is the value they make.

    Raises:
        NotNumeric: a value that reads a symbol beside the arguments, or is no whole number.
    """
    try:
        if not expression_names(value) & arguments.keys():
            return value
        result = evaluate_expression(value, arguments)
    except ExpressionError:
        return value  # a word the layer reads itself ("same", "nearest")
    if not isinstance(result, int):
        raise NotNumeric(f"{value!r} is {result}, no whole number")
    return result
