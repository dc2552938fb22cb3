"""The known wrong ways to compose receptive fields, beside symcnn's right one.

Per axis a region is ``(a·i + b_0 : a·i + b_1)``. One layer further up
(kernel K, stride S, padding P, extent K_e) the right composition is
:meth:`Interval.through`: ``a' = a·S``, ``b_0' = b_0 - a·P``,
``b_1' = b_1 + a·(K_e - 1 - P)``. Two mistakes are common:

* ``no_jump``: the offsets added without multiplying them by the jump ``a``
  accumulated below (``b_0' = b_0 - P``, ``b_1' = b_1 + K_e - 1 - P``), the
  jump itself right;
* ``reversed``: the layer's window ``(S·i - P : S·i - P + K_e - 1)`` applied to
  the region found so far, as if the layers came in the opposite order
  (``b_0' = S·b_0 - P``, ``b_1' = S·b_1 - P + K_e - 1``).

For a stride-1 layer the two give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from .analysis import Window
from .network import Network
from .quantity import evaluated, value_of
from .receptive_field import Interval

RULES = ("right", "no_jump", "reversed")
Pair = tuple[Interval, Interval]


def step(interval: Interval, window: Window, rule: str, values: Mapping[sp.Symbol, sp.Expr]) -> Interval:
    """``interval`` one layer further up, composed by ``rule``, numbers bound."""
    if rule == "right":
        return interval.through(window).bound(dict(values))
    kernel, stride, padding = (
        value_of(e, values) for e in (evaluated(window.extent), window.stride, window.padding)
    )
    if rule == "no_jump":
        moved = Interval(
            interval.jump * stride, interval.first - padding, interval.last + kernel - 1 - padding
        )
    elif rule == "reversed":
        moved = Interval(
            interval.jump * stride,
            stride * interval.first - padding,
            stride * interval.last - padding + kernel - 1,
        )
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return moved.bound(dict(values))


def step_pair(
    pair: Pair, windows: tuple[Window, Window] | None, rule: str, values: Mapping[sp.Symbol, sp.Expr]
) -> Pair:
    """Both axes one layer further up (a layer without a window keeps the region)."""
    if windows is None:
        return pair
    return step(pair[0], windows[0], rule, values), step(pair[1], windows[1], rule, values)


def chain(network: Network, upto: str, rule: str, values: Mapping[sp.Symbol, sp.Expr]) -> Pair | None:
    """The region of layer ``upto`` when every layer from the input up is composed by ``rule``.

    None past a Flatten (those neurons see the whole input).
    """
    identity = Interval(sp.Integer(1), sp.Integer(0), sp.Integer(0))
    pair: Pair = (identity, identity)
    for analysis in network.layers:
        if len(analysis.output_shape) == 1:
            return None
        pair = step_pair(pair, getattr(analysis.layer, "windows", None), rule, values)
        if analysis.name == upto:
            return pair
    return None
