"""A network written back as a spec file (TOML) that ``symcnn`` reads, as a person would write it.

Every layer is named; an argument is left out when it is torch's default or
follows from the input shape (``in_channels``, ``in_features``, ``num_features``),
and a (height, width) pair of equal values is written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import MISSING, fields
from typing import Any

import sympy as sp

from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import _Pool2d
from symcnn.cnn.network import Network

INFERRED = ("in_channels", "in_features", "num_features")
"""Arguments the incoming shape fixes: symcnn checks them when given, and the spec leaves them out."""

_TORCH_DEFAULTS = {"stride": 1, "padding": 0}
"""Torch's defaults of the arguments symcnn's symbolic layers take as symbols (their field default is None)."""


PER_AXIS = ("kernel_size", "stride", "padding", "dilation", "output_padding", "output_size", "size", "scale_factor")
"""Arguments that take one value per spatial axis, or one for all (not ``normalized_shape``: its sizes are axes)."""


def _single(value: Any, key: str = "kernel_size") -> Any:
    """Equal values per axis as one value, as torch reads ``kernel_size=3``; other arguments as they are."""
    if key in PER_AXIS and isinstance(value, (tuple, list)) and len(value) in (1, 2, 3) \
            and len(set(map(repr, value))) == 1:
        return value[0]
    return value


def _is_default(layer: Layer, key: str, value: Any, default: Any) -> bool:
    if key in INFERRED:
        return True
    if default is not None and default is not MISSING:
        return bool(value == default)
    if key == "stride" and isinstance(layer, _Pool2d):
        return bool(value == _single(layer.kernel_size))
    if key in _TORCH_DEFAULTS:
        return bool(value == _TORCH_DEFAULTS[key])
    return value is None


def layer_arguments(layer: Layer) -> dict[str, Any]:
    """The arguments a spec file needs to give for ``layer``, in the constructor's order."""
    written = {}
    for field in fields(layer):  # type: ignore[arg-type]
        if not field.init:
            continue
        value = _single(getattr(layer, field.name), field.name)
        if value is None or _is_default(layer, field.name, value, field.default):
            continue
        written[field.name] = value
    return written


def toml_value(value: Any) -> str:
    """One value in TOML: ints and booleans as they are, expressions as strings symcnn parses."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, sp.Integer):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a TOML basic string: quotes and backslashes escaped


def spec_text(
    network: Network,
    values: Mapping[sp.Symbol, Any] | None = None,
    comment: str | None = None,
    scopes: Mapping[str, type] | None = None,
) -> str:
    """The spec file of ``network``: name, input, values, then one named [[layers]] table per layer.

    With ``scopes`` (module path -> class, as an import finds them), the classes used at several
    paths are written once as [blocks.NAME] and used by name (see :mod:`symcnn.files.spec_blocks`).
    """
    lines = [f"# {line}".rstrip() for line in (comment or "").splitlines()]
    lines += [f"name = {toml_value(network.name)}", f"input = {toml_value(list(network.input_shape))}  # [C, H, W]"]
    if values:
        lines += ["", "[values]"] + [f"{sym} = {toml_value(value)}" for sym, value in values.items()]
    reference = str
    placed: dict[int, dict[str, Any]] = {}
    covered: set[int] = set()
    if scopes:
        from symcnn.files.spec_blocks import block_tables, inline_table

        blocks = block_tables(network, scopes)
        reference, placed, covered = blocks.reference, blocks.placed, blocks.covered  # type: ignore[assignment]
        for name, block in blocks.tables.items():
            lines += ["", f"[blocks.{name}]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in block.items() if key != "layers"]
            lines += ["layers = ["] + [f"  {inline_table(table)}," for table in block["layers"]] + ["]"]
    for position, analysis in enumerate(network.layers):
        if placed.get(position):
            lines += ["", "[[layers]]"] + [f"{key} = {toml_value(value)}" for key, value in placed[position].items()]
        if position in covered:
            continue
        kind = type(analysis.layer).__name__
        lines += ["", "[[layers]]", f"name = {toml_value(analysis.name)}", f"type = {toml_value(kind)}"]
        lines += [f"{key} = {toml_value(value)}" for key, value in layer_arguments(analysis.layer).items()]
        reads = network.inputs_of(position)
        if reads != (position,):  # a graph node reading other than the node before it
            names = [reference(network.node_name(node)) for node in reads]
            lines.append(f"input = {toml_value(names[0])}" if len(names) == 1 else f"inputs = {toml_value(names)}")
    return "\n".join(lines) + "\n"
