"""Assignment files: a title, the values of the symbols, and parts with questions.

A part is either one layer (``layer = { type = "Conv2d" }``: no argument is the
assignment's symbolic layer) or a network (a path to a network spec, or an
inline table) with the questions asked of it. See examples/seed_assignment.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from symcnn.cnn.analysis import LayerAnalysis, Shape
from symcnn.cnn.memory import Budget
from symcnn.cnn.network import Network
from symcnn.errors import SpecError, SymcnnError
from symcnn.files.spec import (
    check_keys,
    memory_options,
    network_reference,
    part_layer,
    read_toml,
    read_values,
    suggestion,
)
from symcnn.formula.display import Displayable
from symcnn.formula.prose import MarkupError, segments

LAYER_QUESTIONS = (
    "input_elements", "output_shape", "output_width", "output_height", "output_channels",
    "output_features", "output_elements", "params", "mults", "adds", "comparisons",
    "output_length", "output_depth", "divisions", "transcendentals", "square_roots",
    "stretched_width", "stretched_height", "direct_padding_width", "direct_padding_height",
    "direct_remainder_width", "direct_remainder_height",
)
NETWORK_QUESTIONS = (
    "activation_table", "bottleneck", "max_batch", "max_batch_training", "max_batch_inference", "receptive_field",
)
_TOP_KEYS = ("title", "author", "date", "values", "readings", "parts")
_PART_KEYS = ("title", "layer", "input", "network", "questions", "memory", "dtype", "optimizer",
              "receptive_field_layer", "note")


@dataclass(frozen=True)
class LayerPart:
    """One layer and the questions asked of it; ``flattened``: the [C, H, W] input a fully connected layer flattens."""

    title: str
    analysis: LayerAnalysis
    questions: tuple[str, ...]
    note: str = ""
    flattened: Shape | None = None


@dataclass(frozen=True)
class NetworkPart:
    """A network and the questions asked of it."""

    title: str
    network: Network
    questions: tuple[str, ...]
    budget: Budget | None = None
    dtype: str = "float32"
    optimizer: str = "sgd"
    receptive_field_layer: str | None = None
    note: str = ""


@dataclass(frozen=True, repr=False)
class Assignment(Displayable):
    """A whole assignment, as read from its TOML file."""

    title: str
    values: dict[sp.Symbol, sp.Expr]
    parts: tuple[LayerPart | NetworkPart, ...]
    author: str = ""
    date: str = ""
    readings: tuple[str, ...] = field(default=())
    source: str = ""


def bundled_assignment() -> Path:
    """The seed assignment shipped with symcnn (what ``symcnn solve`` runs by default)."""
    here = Path(__file__).resolve().parents[1]
    for folder in (here / "examples", here.parent / "examples"):
        if (folder / "seed_assignment.toml").is_file():
            return folder / "seed_assignment.toml"
    raise SymcnnError("the bundled seed assignment is missing from this installation")


def read_assignment(path: str | Path | None = None) -> Assignment:
    """Load an assignment file (default: the bundled seed assignment).

    Raises:
        SpecError: anything wrong, naming the file, the part and the key.
    """
    path = Path(path) if path is not None else bundled_assignment()
    table = read_toml(path)
    where = str(path)
    check_keys(table, _TOP_KEYS, where)
    title = _text(table, "title", where, required=True)
    values = read_values(table.get("values", {}), f"{where}: values")
    readings = table.get("readings", [])
    if not isinstance(readings, list) or not all(isinstance(r, str) for r in readings):
        raise SpecError(f"{where}: readings must be a list of strings")
    for k, reading in enumerate(readings, start=1):
        _prose(reading, f"{where}: readings[{k}]")
    parts_table = table.get("parts")
    if not isinstance(parts_table, list) or not parts_table:
        raise SpecError(f"{where}: no parts; add [[parts]] tables with a layer or a network")
    parts = tuple(_part(entry, path, f"{where}: part {k}") for k, entry in enumerate(parts_table, start=1))
    return Assignment(title, values, parts, _text(table, "author", where), _text(table, "date", where),
                      tuple(readings), where)


def _text(table: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise SpecError(f"{where}: {key} must be a {'non-empty ' if required else ''}string")
    return value


def _prose(text: str, where: str) -> str:
    """``text``, checked as symcnn's prose markup ($...$ math, see :mod:`symcnn.formula.prose`)."""
    try:
        segments(text)
    except MarkupError as error:
        raise SpecError(f"{where}: {error}") from None
    return text


def _questions(entry: dict[str, Any], allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    questions = entry.get("questions")
    if not isinstance(questions, list) or not questions:
        raise SpecError(f"{where}: questions must be a list, e.g. {list(allowed[:3])}")
    for question in questions:
        if question in allowed:
            continue
        if question in NETWORK_QUESTIONS:
            raise SpecError(f"{where}: {question} is a network question; ask it in a part with "
                            f"network = \"file.toml\" (or an inline network = {{ ... }}), not of one layer")
        if question in LAYER_QUESTIONS:
            raise SpecError(f"{where}: {question} is a question about one layer; ask it in a part with "
                            f"layer = {{ type = ... }}")
        raise SpecError(f"{where}: unknown question {question!r}{suggestion(str(question), list(allowed))}")
    return tuple(questions)


def _part(entry: Any, path: Path, where: str) -> LayerPart | NetworkPart:
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: each [[parts]] entry must be a table")
    check_keys(entry, _PART_KEYS, where)
    title = _text(entry, "title", where, required=True)
    where = f"{where} ({title})"
    note = _prose(_text(entry, "note", where), f"{where}: note")
    if ("layer" in entry) == ("network" in entry):
        raise SpecError(f"{where}: give either layer = {{ type = ... }} or network = \"file.toml\"")
    if "layer" in entry:
        analysis, flattened = part_layer(entry["layer"], entry.get("input"), where)
        questions = _questions(entry, LAYER_QUESTIONS, where)
        for question in questions:
            if analysis.get("output_width" if question == "output_shape" else question) is None:
                raise SpecError(f"{where}: a {analysis.name} has no {question}; ask another question")
        return LayerPart(title, analysis, questions, note, flattened)
    built, _ = network_reference(entry["network"], path, where)
    budget, dtype, optimizer = memory_options(entry, where)
    layer_name = entry.get("receptive_field_layer")
    if layer_name is not None:
        try:
            built.layer(layer_name)
        except SymcnnError as error:
            raise SpecError(f"{where}: receptive_field_layer: {error}") from None
    questions = _questions(entry, NETWORK_QUESTIONS, where)
    if "receptive_field" in questions and len(built.input_shape) != 3:
        raise SpecError(f"{where}: the receptive_field question needs a network on [C, H, W] images; "
                        f"this one takes {list(built.input_shape)} (summary shows its receptive fields)")
    if budget is None and {"max_batch", "max_batch_training", "max_batch_inference"} & set(questions):
        raise SpecError(f"{where}: the batch-size questions need a memory budget, e.g. memory = \"12GiB\"")
    return NetworkPart(title, built, questions, budget, dtype, optimizer, layer_name, note)
