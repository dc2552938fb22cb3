"""Blocks found in an imported network: the module classes a model reuses, written once as [blocks.NAME].

Each use of a reused class (``layer1.0``, ``layer1.1`` ... of ``Bottleneck``) is
a contiguous run of nodes under its module path. Uses with the same layers and
connections share one block; the values that differ between them become the
block's arguments, named by their key (``out_channels``, ``stride``), and a
value that is a fixed multiple of an argument is written as that expression
(``"4 * out_channels"``). A use that does not fit (its nodes interleaved with
others, or an inner node read from outside) stays written layer by layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from symcnn.cnn.network import Network
from symcnn.files.spec_writer import _single, layer_arguments, toml_value


@dataclass(frozen=True)
class Use:
    """One use of a block: where its nodes are, what it reads, and its layer tables."""

    path: str
    first: int  # 0-based position of its first node
    last: int
    inputs: tuple[str, ...]  # outer node names it reads, in order ("input" for the network's input)
    tables: tuple[dict[str, Any], ...]  # local layer tables; "in", "in2" ... name the inputs
    full: tuple[dict[str, Any], ...]  # every argument of each layer, defaults included


@dataclass(frozen=True)
class Blocks:
    """What the spec writer needs: the [blocks] tables, each use's table by its first position,
    the positions the uses cover, and the name by which a use's output is read (its path)."""

    tables: dict[str, dict[str, Any]]
    placed: dict[int, dict[str, Any]]
    covered: set[int]
    outputs: dict[str, str]

    def reference(self, node_name: str) -> str:
        """How a spec reads ``node_name``: a use's last node by the use's path."""
        return self.outputs.get(node_name, node_name)


def _local_tables(network: Network, path: str, first: int, last: int) -> tuple[tuple[dict[str, Any], ...],
                                                                              tuple[str, ...]]:
    """The layer tables of nodes first..last with names relative to ``path``; the outer names they read."""
    outer: list[str] = []
    tables = []
    for position in range(first, last + 1):
        analysis = network.layers[position]
        table: dict[str, Any] = {"type": type(analysis.layer).__name__, "name": analysis.name[len(path) + 1:]}
        table.update(layer_arguments(analysis.layer))
        reads = []
        for node in network.inputs_of(position):
            if node >= 1 and first <= node - 1 <= last:  # node k is the layer at position k - 1
                reads.append(network.layers[node - 1].name[len(path) + 1:])
            else:
                outer_name = network.node_name(node)
                if outer_name not in outer:
                    outer.append(outer_name)
                reads.append("in" if outer.index(outer_name) == 0 else f"in{outer.index(outer_name) + 1}")
        previous = None if position == first else network.layers[position - 1].name[len(path) + 1:]
        if position == first and reads == ["in"]:
            pass
        elif reads != [previous]:
            table["inputs" if len(reads) > 1 else "input"] = reads if len(reads) > 1 else reads[0]
        tables.append(table)
    return tuple(tables), tuple(outer)


def find_uses(network: Network, scopes: Mapping[str, type]) -> list[Use]:
    """The uses of module classes called at two or more paths, outermost first, each checked to fit."""
    by_class: dict[type, list[str]] = {}
    for path, cls in scopes.items():
        if not cls.__module__.startswith("torch."):
            by_class.setdefault(cls, []).append(path)
    reused = {path for paths in by_class.values() if len(paths) > 1 for path in paths}
    outermost = [p for p in reused if not any(p.startswith(f"{q}.") for q in reused)]
    uses = []
    names = [a.name for a in network.layers]
    for path in outermost:
        inside = [k for k, name in enumerate(names) if name.startswith(f"{path}.")]
        if not inside or inside != list(range(inside[0], inside[-1] + 1)):
            continue
        first, last = inside[0], inside[-1]
        read_from_outside = any(node - 1 in range(first, last) for k, _ in enumerate(names)
                                if not first <= k <= last for node in network.inputs_of(k))
        if read_from_outside:
            continue
        tables, outer = _local_tables(network, path, first, last)
        full = tuple({k: _single(v, k) for k, v in network.layers[p].layer.arguments().items()}
                     for p in range(first, last + 1))
        uses.append(Use(path, first, last, outer, tables, full))
    return sorted(uses, key=lambda use: use.first)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shape_key(use: Use) -> tuple:
    """What two uses of one block share: everything but the int values (which may become arguments)."""
    return tuple(tuple(sorted((k, repr(v)) for k, v in table.items() if not _is_int(v))) for table in use.tables)


def _extra(use: Use, plainest: Use) -> str:
    """The first layer (by its top name) that ``use`` has and the class's plainest use lacks, or ''."""
    have = {str(t["name"]).split(".")[0] for t in plainest.tables}
    return next((top for t in use.tables if (top := str(t["name"]).split(".")[0]) not in have), "")


def _block_name(cls_name: str, taken: set[str], extra: str = "") -> str:
    """``Bottleneck`` -> ``bottleneck``; a variant with a downsample -> ``bottleneck_downsample``."""
    base = re.sub(r"(?<!^)(?=[A-Z])", "_", cls_name).lower()
    if extra:
        base += "_" + re.sub(r"\W", "_", extra)
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


def block_tables(network: Network, scopes: Mapping[str, type]) -> Blocks:
    """The blocks of ``network``: a class's uses with the same layers share one."""
    groups: dict[tuple, list[Use]] = {}
    for use in find_uses(network, scopes):
        groups.setdefault((scopes[use.path], _shape_key(use)), []).append(use)
    found = Blocks({}, {}, set(), {})
    taken: set[str] = set()
    by_size = sorted(groups.items(), key=lambda item: (item[0][0].__name__, len(item[1][0].tables)))
    written = [(cls, uses, arguments) for (cls, _), uses in by_size if (arguments := _arguments(uses)) is not None]
    for _, uses, _ in written:
        for use in uses:
            found.outputs[network.layers[use.last].name] = use.path
    first_of: dict[type, Use] = {}
    for cls, uses, (layers, args) in written:
        name = _block_name(cls.__name__, taken, _extra(uses[0], first_of.setdefault(cls, uses[0])))
        inputs = ["in"] + [f"in{k}" for k in range(2, len(uses[0].inputs) + 1)]
        found.tables[name] = {**({"args": list(args)} if args else {}),
                              **({"inputs": inputs} if len(inputs) > 1 else {}), "layers": layers}
        for index, use in enumerate(uses):
            table: dict[str, Any] = {"block": name, "name": use.path}
            table.update({arg: values[index] for arg, values in args.items()})
            reads = [found.reference(source) for source in use.inputs]
            if reads != [found.reference(network.node_name(use.first))]:
                table["inputs" if len(reads) > 1 else "input"] = reads if len(reads) > 1 else reads[0]
            found.placed[use.first] = table
            found.covered.update(range(use.first, use.last + 1))
    _repeat_runs(found.placed)
    return found


def _repeat_runs(placed: dict[int, dict[str, Any]]) -> None:
    """Consecutive uses ``layer1.1``, ``layer1.2`` of one block with the same arguments, each reading
    the one before: one table, ``name = "layer1"``, ``first = 1``, ``repeat = 2``."""
    run: list[int] = []

    def close() -> None:
        if len(run) > 1:
            head = placed[run[0]]
            stem, _, number = head["name"].rpartition(".")
            head.update(name=stem, first=int(number), repeat=len(run))
            for position in run[1:]:
                placed[position] = {}
        run.clear()

    for position in sorted(placed):
        table = placed[position]
        stem, _, number = table["name"].rpartition(".")
        if run:
            head = placed[run[0]]
            head_stem, _, head_number = head["name"].rpartition(".")
            same = {k: v for k, v in table.items() if k != "name"} == {k: v for k, v in head.items() if k != "name"}
            if same and stem == head_stem and number.isdigit() and int(number) == int(head_number) + len(run):
                run.append(position)
                continue
            close()
        if number.isdigit() and stem and "input" not in table and "inputs" not in table:
            run.append(position)
    close()


def _arguments(uses: list[Use]) -> tuple[list[dict[str, Any]], dict[str, list[Any]]] | None:
    """The block's layer tables, values that differ between uses replaced by arguments."""
    args: dict[str, list[Any]] = {}
    layers = []
    for position in range(len(uses[0].tables)):
        keys = list(dict.fromkeys(k for use in uses for k in use.tables[position]))  # the union, in order
        table = {}
        for key in keys:
            values = [use.tables[position].get(key, use.full[position].get(key)) for use in uses]
            if len(set(map(repr, values))) == 1:
                table[key] = values[0]
            elif all(_is_int(v) for v in values):
                table[key] = _argument_for(key, values, args)
            else:  # differing pairs, words or absent values make no argument: these uses stay inline
                return None
        layers.append(table)
    return layers, args


def _argument_for(key: str, values: list[Any], args: dict[str, list[Any]]) -> str:
    """An existing argument with these values, a multiple of one, or a new argument named by ``key``."""
    for arg, known in args.items():
        if known == values:
            return arg
    for arg, known in args.items():
        pairs = list(zip(known, values))
        if all(_is_int(k) and _is_int(v) and k and v % k == 0 for k, v in pairs) and \
                len({v // k for k, v in pairs}) == 1:
            return f"{values[0] // known[0]} * {arg}"
    arg, k = key, 1
    while arg in args:
        k += 1
        arg = f"{key}_{k}"
    args[arg] = values
    return arg


def inline_table(table: dict[str, Any]) -> str:
    """``{ type = "Conv2d", name = "conv1", ... }``: one layer of a block, on one line."""
    return "{ " + ", ".join(f"{key} = {toml_value(value)}" for key, value in table.items()) + " }"
