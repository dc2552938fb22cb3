"""Reading TOML files (networks, and the tables assignments and claims share).

Errors name the file, the place (layer index and name, key) and the fix, in
one line; a typo gets the nearest valid key or type. Strings are read by
symcnn's restricted expression parser only.
"""

from __future__ import annotations

import math
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

from symcnn.cnn.analysis import LayerAnalysis, Shape, elements
from symcnn.cnn.layer import Layer
from symcnn.cnn.layer_types import LAYER_TYPES
from symcnn.cnn.layers import Linear
from symcnn.cnn.network import Network, build_network
from symcnn.errors import ExpressionError, LayerError, SpecError, SymcnnError, SymcnnWarning, suggestion
from symcnn.formula.expr import MAX_DIGITS, to_sympy
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NotNumeric, is_number, is_whole, numeric
from symcnn.formula.symbols import symbol

if TYPE_CHECKING:
    from symcnn.cnn.memory import Budget

_LAYER_KEYS = ("type", "name", "repeat")
MAX_LAYERS = 10_000
"""The most layers a network may have, ``repeat`` included (checked before any is built).

Real networks pass 1,000 layers (ResNet-1001, DenseNet-264); cost is linear in
depth, about 3 ms a layer fully symbolic (``bench/results.md``), so the largest
network a spec may ask for takes about half a minute.
"""
MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 20
_IMAGE_CHANNELS = (1, 3, 4)
"""Grey, RGB, RGBA: a last input entry like these, after two large ones, is probably channels-last."""
_NETWORK_KEYS = ("name", "input", "layers", "values", "blocks")
_GRAPH_KEYS = frozenset({"block", "input", "inputs"})
"""Keys that make a [[layers]] entry part of a graph rather than a chain."""
_JOINS = ("Add", "Mul", "Concat")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file.

    Raises:
        SpecError: missing file or invalid TOML, naming the file and line.
    """
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_FILE_BYTES + 1)
        if len(text) > MAX_FILE_BYTES:
            raise SpecError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes; a spec or claims file is far smaller")
        table = tomllib.loads(text.decode("utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: is a directory, not a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not a UTF-8 text file") from None
    except (ValueError, RecursionError) as error:  # an integer past Python's digit limit, arrays nested too deep
        raise SpecError(f"{path}: not readable TOML ({error}); numbers have at most {MAX_DIGITS} digits") from None
    _check_sizes(table, str(path))
    return table


def _check_sizes(table: Any, where: str) -> None:
    """Refuse integers past :data:`MAX_DIGITS` digits, floats that are not finite, and deep nesting."""
    found = _too_large(table, 0)
    if found is not None:
        path, problem = found
        raise SpecError(f"{where}{''.join(reversed(path))}: {problem}")


def _too_large(value: Any, depth: int) -> tuple[list[str], str] | None:
    """What :func:`_check_sizes` refuses first in ``value``: where (innermost first) and why; None: nothing.
    (The place is written only for what is refused: a spec has hundreds of values.)"""
    if depth > MAX_NESTING:
        return [], f"tables or arrays nested more than {MAX_NESTING} levels deep; flatten them"
    kind = type(value)
    if kind is int and not -_LIMIT < value < _LIMIT:
        return [], f"an integer of more than {MAX_DIGITS} digits; numbers have at most {MAX_DIGITS}"
    if kind is float and not math.isfinite(value):
        return [], f"{value} is not a finite number"
    if kind is dict or kind is list:
        shallow = depth < MAX_NESTING
        for key, item in value.items() if kind is dict else enumerate(value):
            plain = type(item)
            if shallow and (plain is str or plain is bool or (plain is int and -_LIMIT < item < _LIMIT)):
                continue  # most of a spec's values: a call each would cost a fifth of reading the spec
            found = _too_large(item, depth + 1)
            if found is not None:
                found[0].append(f": {key}" if kind is dict else f"[{key}]")
                return found
    return None


_LIMIT = 10**MAX_DIGITS
"""The least integer of more than :data:`MAX_DIGITS` digits."""


def check_keys(table: Mapping[str, Any], allowed: tuple[str, ...] | list[str], where: str) -> None:
    """Refuse a key outside ``allowed``, suggesting the nearest one."""
    for key in table:
        if key not in allowed:
            raise SpecError(f"{where}: unknown key {key!r}{suggestion(key, list(allowed))}")


def read_value(value: Any, where: str) -> sp.Expr:
    """An int or a restricted expression string, as sympy.

    Raises:
        SpecError: any other type, or a string outside the grammar.
    """
    try:
        return to_sympy(value)  # the one converter; this says where in the file
    except TypeError:
        raise SpecError(f"{where}: expected an integer or an expression string, got {value!r}") from None
    except ExpressionError as error:
        raise SpecError(f"{where}: {error}") from None


def read_values(table: Any, where: str) -> dict[sp.Symbol, sp.Expr]:
    """A ``[values]`` table: symbol name -> integer (or expression of earlier ones)."""
    if not isinstance(table, dict):
        raise SpecError(f"{where}: expected a table of symbol = value")
    if table and numeric():
        raise NotNumeric("values for symbols: the network has symbols")
    values: dict[sp.Symbol, sp.Expr] = {}
    for name, value in table.items():
        try:
            sym = symbol(name)
        except ValueError:
            raise SpecError(f"{where}: {name!r} is not a symbol name") from None
        values[sym] = read_value(value, f"{where}.{name}").xreplace(values)
        least = 1 if sym.is_positive else 0
        if values[sym].is_number and (not values[sym].is_integer or values[sym] < least):
            kind = "positive" if least else "nonnegative"
            raise SpecError(f"{where}.{name} must be a {kind} integer, got {values[sym]}")
    return values


def read_network(path: str | Path) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """Load a network spec file: the network and the values it assigns.

    Raises:
        SpecError: anything wrong with the file, naming file, layer and key.
    """
    return network_from_table(read_toml(path), str(path))


def memory_options(table: Mapping[str, Any], where: str) -> tuple[Budget | None, str, str]:
    """The ``memory``, ``dtype`` and ``optimizer`` keys of a network part or target, checked."""
    from symcnn.cnn.memory import check_training_options, parse_budget  # a network's summary needs neither

    dtype, optimizer = table.get("dtype", "float32"), table.get("optimizer", "sgd")
    try:
        check_training_options(dtype, optimizer)
    except SymcnnError as error:
        raise SpecError(f"{where}: {error}") from None
    budget = None
    if "memory" in table:
        try:
            budget = parse_budget(table["memory"])
        except SymcnnError as error:
            raise SpecError(f"{where}: memory: {error}") from None
    return budget, dtype, optimizer


def network_reference(reference: Any, beside: Path, where: str) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """A network given as a spec file name (relative to the file ``beside``) or an inline table."""
    if isinstance(reference, str):
        spec = beside.parent / reference
        if not spec.exists():
            raise SpecError(
                f"{where}: network = {reference!r}: no such file in {spec.parent.resolve()} (the folder of "
                f"{beside.name}); give the spec file's path from there, or the network inline: network = {{ ... }}"
            )
        return network_from_table(read_toml(spec), str(spec))
    if isinstance(reference, dict):
        return network_from_table(reference, f"{where}: network")
    raise SpecError(f"{where}: network must be a file name or an inline table")


def network_from_table(table: Mapping[str, Any], where: str) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """Build a network from a parsed table (a whole file, or an inline part)."""
    check_keys(table, _NETWORK_KEYS, where)
    name = table.get("name", "network")
    if not isinstance(name, str):
        raise SpecError(f"{where}: name must be a string")
    input_shape = read_shape(table.get("input"), where)
    entries = table.get("layers")
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{where}: no layers; add [[layers]] tables with type = \"Conv2d\" etc.")
    values = read_values(table.get("values", {}), f"{where}: values")
    counts = [_repeat(entry, where, index) for index, entry in enumerate(entries, start=1)]
    if sum(counts) > MAX_LAYERS:
        raise SpecError(
            f"{where}: {sum(counts):,} layers (repeat included); a network has at most {MAX_LAYERS:,}"
        )
    if "blocks" in table or any(type(e) is dict and (not _GRAPH_KEYS.isdisjoint(e) or e.get("type") in _JOINS)
                                for e in entries):
        return _graph_from_table(table, entries, input_shape, values, name, where)
    layers: list[tuple[str, Layer] | Layer] = []
    made: dict[str, Layer] = {}
    for index, entry in enumerate(entries, start=1):
        layers += _layers_from_entry(entry, f"{where}: layer {index}", made)
    try:
        network = build_network(layers, input_shape, name)
        if values:  # the values must not break a layer's assumptions (without any, none can)
            network.values(values)
        return network, values
    except LayerError as error:
        raise SpecError(f"{where}: {error}") from None


def _repeat(entry: Any, where: str, index: int) -> int:
    """How many layers entry number ``index`` makes (its ``repeat``), checked."""
    repeat = entry.get("repeat", 1) if type(entry) is dict else 1
    if type(repeat) is not int or repeat < 1:  # (a bool is no int here)
        raise SpecError(f"{where}: layer {index}: repeat must be a positive integer, got {repeat!r}")
    if repeat > MAX_LAYERS:
        raise SpecError(f"{where}: layer {index}: repeat = {repeat:,}; a network has at most {MAX_LAYERS:,} layers")
    return repeat


def _graph_from_table(
    table: Mapping[str, Any], entries: list[Any], input_shape: Shape, values: dict[sp.Symbol, sp.Expr],
    name: str, where: str,
) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """A graph network: blocks expanded, nodes built, joins that can never agree refused."""
    from symcnn.cnn.graph import build_graph
    from symcnn.cnn.validity import input_validity
    from symcnn.files.blocks import expand, read_blocks

    nodes = expand(entries, read_blocks(table.get("blocks"), where), where)
    try:
        network = build_graph(nodes, input_shape, name)
        network.values(values)
    except LayerError as error:
        raise SpecError(f"{where}: {error}") from None
    if any(not is_whole(size) for size in input_shape[1:]):
        for check in input_validity(network, values).joins:
            if check.never:
                raise SpecError(f"{where}: {check.statement}; make the branches' strides and paddings match")
    return network, values


def _layers_from_entry(entry: Any, where: str, made: dict[str, Layer]) -> list[tuple[str, Layer] | Layer]:
    """One [[layers]] entry: its layer, ``repeat`` times, named if a name is given.

    ``made``: the layers of the entries read before, by their arguments written out; an entry equal to one
    of them but for its name and ``repeat`` is the same layer, as the copies of one ``repeat`` are.
    """
    if type(entry) is not dict:
        return [layer_from_table(entry, where)]  # which says what is wrong
    name, repeat = entry.get("name"), entry.get("repeat", 1)
    if isinstance(name, str):
        where = f"{where} ({name})"
    # its arguments written out, which tells ``1`` from ``true`` and ``3`` from ``3.0``
    key = repr(entry) if name is None and "repeat" not in entry else repr(
        {k: v for k, v in entry.items() if k not in ("name", "repeat")})
    layer = made.get(key)
    if layer is None:
        layer = made[key] = layer_from_table(entry, where)
    if type(repeat) is not int or repeat < 1:  # (a bool is no int here)
        raise SpecError(f"{where}: repeat must be a positive integer, got {repeat!r}")
    if name is None:
        return [layer] * repeat
    if not isinstance(name, str):
        raise SpecError(f"{where}: name must be a string")
    return [(name if repeat == 1 else f"{name}_{k}", layer) for k in range(1, repeat + 1)]


def read_shape(shape: Any, where: str) -> Shape:
    """An ``input = [C, H, W]`` (or ``[N]``) of positive sizes; warns when it looks channels-last.

    Raises:
        SpecError: not a list of one or three sizes, or a size that is not a positive integer.
    """
    if not isinstance(shape, list) or len(shape) not in (1, 2, 3, 4):
        raise SpecError(f"{where}: input must be [C, H, W] (or [N], [C, L], [C, T, H, W]), got {shape!r}")
    sizes = tuple(read_value(size, f"{where}: input[{k}]") for k, size in enumerate(shape))
    for k, size in enumerate(sizes):
        if is_number(size) and (not is_whole(size) or size < 1):
            raise SpecError(f"{where}: input[{k}] must be a positive integer, got {size}")
    if len(sizes) == 3 and all(is_whole(size) for size in sizes):
        height, width, channels = (int(size) for size in sizes)
        if channels in _IMAGE_CHANNELS and min(height, width) >= 16:
            warnings.warn(
                f"{where}: input = {list(shape)} looks channels-last (H, W, C), but symcnn reads [C, H, W] "
                f"as torch does: {height} channels of {width} x {channels}; if {channels} is the channel count, "
                f"write input = [{channels}, {height}, {width}]",
                SymcnnWarning, stacklevel=2,
            )
    return sizes


def layer_analysis(entry: Any, shape: Any, where: str) -> LayerAnalysis:
    """One layer (a ``{ type = ... }`` table) analysed on ``shape`` ([C, H, W], [N], or None: symbolic).

    Raises:
        SpecError: a bad layer table or input, or a layer that cannot take the input.
    """
    return part_layer(entry, shape, where)[0]


def part_layer(entry: Any, shape: Any, where: str) -> tuple[LayerAnalysis, Shape | None]:
    """As :func:`layer_analysis`, with the [C, H, W] input a fully connected layer flattens (else None).

    A single layer has no room for a Flatten before it, so a Linear given a
    [C, H, W] input sees it flattened, as the assignment's fully connected part does.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise SpecError(f'{where}: layer must be a table with a type, e.g. {{ type = "Conv2d" }}')
    layer = layer_from_table(entry, f"{where}: layer")
    sizes = None if shape is None else read_shape(shape, where)
    flattened = None
    if isinstance(layer, Linear) and sizes is not None and len(sizes) == 3:
        flattened, sizes = sizes, (elements(sizes),)
    try:
        return layer.analyze(sizes, name=entry["type"]), flattened
    except SymcnnError as error:
        raise SpecError(f"{where}: layer: {error}") from None


def layer_from_table(entry: Any, where: str) -> Layer:
    """A layer from a table like ``{ type = "Conv2d", out_channels = 64, kernel_size = 3 }``.

    Raises:
        SpecError: unknown type or key (with the nearest valid one), wrong value type,
            or hyperparameters no layer can have.
    """
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: each layer must be a table")
    kind = entry.get("type")
    if not isinstance(kind, str):
        raise SpecError(f"{where}: missing type; e.g. type = \"Conv2d\"")
    if kind not in LAYER_TYPES:
        raise SpecError(f"{where}: unknown type {kind!r}{suggestion(kind, list(LAYER_TYPES))}")
    cls = LAYER_TYPES[kind]
    kinds = _kinds(cls)
    check_keys(entry, [*_LAYER_KEYS, *kinds], f"{where} {kind}")
    kwargs = {key: _argument(kinds[key], key, value, where) for key, value in entry.items()
              if key not in _LAYER_KEYS}
    try:
        return cls(**kwargs)
    except SymcnnError as error:
        raise SpecError(f"{where}: {error}") from None


def _kinds(cls: type[Layer]) -> dict[str, str | int | None]:
    """Each argument of a layer type with how :func:`_argument` reads it (:func:`_kind`), once per type."""
    if cls.__qualname__ not in _KINDS:
        _KINDS[cls.__qualname__] = {f.name: _kind(cls, f.name, f.type) for f in fields(cls)  # type: ignore[arg-type]
                                    if f.init}
    return _KINDS[cls.__qualname__]


_KINDS: dict[str, dict[str, str | int | None]] = {}


_HINTS: dict[str, dict[str, Any]] = {}


def _hints(cls: type[Layer]) -> dict[str, Any]:
    """A layer's argument types, resolved once per type (its annotations are strings).

    sympy's types (only in fields a spec does not set, such as a transposed
    convolution's ``extra``) resolve to ``Any``: reading a spec imports no sympy.
    """
    if cls.__qualname__ not in _HINTS:
        _HINTS[cls.__qualname__] = get_type_hints(cls, localns={"sp": _SympyTypes()})
    return _HINTS[cls.__qualname__]


class _SympyTypes:
    """What ``sp.Expr`` and the like resolve to in :func:`_hints`."""

    def __getattr__(self, name: str) -> Any:
        return Any


_AXES = {1: "[length]", 2: "[height, width]", 3: "[depth, height, width]", 4: "[left, right, top, bottom]"}


def _argument(kind: str | int | None, key: str, value: Any, where: str) -> Any:
    """Check a value's type against the argument's ``kind`` (:func:`_kind`)."""
    place = f"{where}: {key}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise SpecError(f"{place} must be true or false, got {value!r}")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{place} must be a number, got {value!r}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(f"{place} must be an integer, got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise SpecError(f"{place} must be a string, got {value!r}")
        return value
    if kind == "any":  # size / scale_factor: the layer says what it accepts
        if isinstance(value, list):
            return tuple(v if isinstance(v, float) else _int_or_text(v, place) for v in value)
        return value if isinstance(value, float) else _int_or_text(value, place)
    if isinstance(kind, int) and isinstance(value, list):  # one value per axis, or a quad of paddings
        if len(value) != kind:
            raise SpecError(f"{place} must be one value or {_AXES[kind]}, got {value!r}")
        return tuple(_int_or_text(v, place) for v in value)
    return _int_or_text(value, place)


def _kind(cls: type[Layer], key: str, written: str) -> str | int | None:
    """How :func:`_argument` reads ``key`` of ``cls``, annotated ``written``: bool, number, int, str, any,
    the length of a list of values per axis, or None (an int or an expression).

    The annotations the layers write are read as written (:data:`_WRITTEN`); any other is resolved.
    """
    if written in ("Pair", "Pair | None"):
        return getattr(cls, "rank", 2)  # type: ignore[no-any-return]
    if written in _WRITTEN:
        return _WRITTEN[written]
    return _resolved_kind(cls, key)


_WRITTEN: dict[str, str | int | None] = {
    "Any": "any", "Arg": None, "Arg | None": None, "Quad": 4, "bool": "bool", "bool | None": "bool",
    "float": "number", "float | None": "number", "int": "int", "int | None": "int", "str": "str",
}
"""The kinds of the annotations the layers write, without resolving them (``get_type_hints`` takes a
millisecond per layer type, a fifth of a small network's summary); a test holds them to the resolved kinds."""


def _resolved_kind(cls: type[Layer], key: str) -> str | int | None:
    """:func:`_kind` from the resolved annotation."""
    hint = _hints(cls)[key]
    options = set(get_args(hint)) or {hint}
    if options <= {bool, type(None)}:
        return "bool"
    if float in options:
        return "number"
    if options <= {int, type(None)}:
        return "int"
    if hint is str:
        return "str"
    if hint is Any:
        return "any"
    lengths = {len(get_args(option)) for option in options if get_origin(option) is tuple}
    if lengths:
        return 4 if 4 in lengths else getattr(cls, "rank", 2)
    return None


def _int_or_text(value: Any, place: str) -> int | str:
    """An int, or a string the layer reads itself (its restricted parser; torch words like "same")."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{place}: expected an integer or an expression string, got {value!r}")
    return value
