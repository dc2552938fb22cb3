"""The notation: every symbol of the assignment, defined once.

Sizes, kernels, strides, channels, neurons and the batch are positive
integers; paddings are nonnegative integers. The same name always carries the
same assumptions, so ``symbol("W") is W``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import NUMERIC

_POSITIVE = {"integer": True, "positive": True}
_NONNEGATIVE = {"integer": True, "nonnegative": True}

#: name -> (LaTeX, assumptions, meaning)
_TABLE: dict[str, tuple[str, dict[str, bool], str]] = {
    "W": ("W", _POSITIVE, "input width"),
    "H": ("H", _POSITIVE, "input height"),
    "L": ("L", _POSITIVE, "input length (a sequence: Conv1d, pooling 1-D)"),
    "T": ("T", _POSITIVE, "input depth (frames of a video: Conv3d, pooling 3-D)"),
    "C_in": ("C_{in}", _POSITIVE, "input channels"),
    "C_out": ("C_{out}", _POSITIVE, "output channels"),
    "K_1": ("K_1", _POSITIVE, "kernel width"),
    "K_2": ("K_2", _POSITIVE, "kernel height"),
    "P": ("P", _NONNEGATIVE, "padding"),
    "S": ("S", _POSITIVE, "stride"),
    "D": ("D", _POSITIVE, "dilation"),
    "G": ("G", _POSITIVE, "groups"),
    "K": ("K", _POSITIVE, "pooling kernel size"),
    "S_2": ("S_2", _POSITIVE, "pooling stride"),
    "P_2": ("P_2", _NONNEGATIVE, "pooling padding"),
    "N": ("N", _POSITIVE, "neurons of the fully connected layer"),
    "B": ("B", _POSITIVE, "batch size"),
    "W_out": ("W_{out}", _POSITIVE, "output width"),
    "H_out": ("H_{out}", _POSITIVE, "output height"),
    "M": ("M", _POSITIVE, "memory budget in bytes"),
    "b": ("b", _POSITIVE, "bytes per element"),
    "n_max": ("n_{max}", _POSITIVE, "elements of the largest activation of one sample"),
    "n_kept": ("n_{kept}", _POSITIVE, "activation elements kept for backward, per sample"),
    "theta": (r"|\theta|", _NONNEGATIVE, "number of parameters"),
    "s": ("s", _NONNEGATIVE, "optimizer values kept per parameter"),
    "i": ("i", _NONNEGATIVE, "output row index"),
    "j": ("j", _NONNEGATIVE, "output column index"),
}

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@cache
def symbol(name: str) -> sp.Symbol:
    """The symbol called ``name``: the notation's own, else a positive integer.

    Raises:
        ValueError: ``name`` is not a plain identifier.
    """
    checked_name(name)
    assumptions = _TABLE[name][1] if name in _TABLE else _POSITIVE
    return sp.Symbol(name, **assumptions)


def checked_name(name: str) -> str:
    """``name``, if it can name a symbol: a plain identifier.

    Raises:
        ValueError: ``name`` is not a plain identifier.
    """
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a symbol name: {name!r}")
    return name


def latex_name(sym: sp.Symbol) -> str:
    """Textbook LaTeX for a symbol: ``C_in`` -> ``C_{in}``, ``W_12`` -> ``W_{12}``."""
    return _latex_of(sym.name)


@cache  # a layer's analysis names each new size (W_12), in every reading
def _latex_of(name: str) -> str:
    if name in _TABLE:
        return _TABLE[name][0]
    base, _, sub = name.partition("_")
    if not sub:
        return base if len(base) == 1 else rf"\mathit{{{base}}}"
    return f"{base}_{sub}" if len(sub) == 1 else f"{base}_{{{sub}}}"


def meaning(sym: sp.Symbol) -> str:
    """What a notation symbol stands for ('' for symbols outside the notation)."""
    return _TABLE[sym.name][2] if sym.name in _TABLE else ""


_NAMED = frozenset({"W", "H", "C_in", "C_out", "K_1", "K_2", "P", "S", "D", "G", "K", "S_2", "P_2", "N", "B",
                    "W_out", "H_out", "i", "j", "M", "b", "L", "T"})
"""The notation's symbols this module offers by name (``from symcnn.formula.symbols import W``)."""


def __getattr__(name: str) -> Any:
    """The symbols above, and ``NOTATION`` (every symbol of the notation by name), made on first use.

    Made lazily so that importing the modules that name them imports no sympy
    (a numeric summary needs none); read them as ``notation.W`` where that matters.
    """
    if name in _NAMED:
        return symbol(name)
    if name == "NOTATION":
        return {key: symbol(key) for key in _TABLE}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:  # what type checkers see
    W, H, C_in, C_out, K_1, K_2, P, S, D, G, K, S_2, P_2, N, B, W_out, H_out, i, j, M, b, L, T = (
        sp.Symbol(n) for n in ("W", "H", "C_in", "C_out", "K_1", "K_2", "P", "S", "D", "G", "K", "S_2", "P_2", "N",
                               "B", "W_out", "H_out", "i", "j", "M", "b", "L", "T"))
    NOTATION: dict[str, sp.Symbol]


def layer_symbol(base: str, index: int) -> sp.Symbol:
    """The symbol of a network's intermediate size, e.g. ``W_3`` for layer 3.

    In the numeric reading, where every size is a number and none is named,
    only its name (:class:`Unmade`): no sympy.
    """
    return size_symbol(f"{base}_{index}")


def size_symbol(name: str) -> sp.Symbol:
    """The symbol ``name`` of a new size; in the numeric reading only its name (:class:`Unmade`): no sympy."""
    return Unmade(name) if NUMERIC.get() else symbol(name)


class Unmade(NamedTuple):
    """The name of a symbol the numeric reading does not make (it would name a size that is a number)."""

    name: str
