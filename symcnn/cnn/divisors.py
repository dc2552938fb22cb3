"""The greatest common divisor as a sympy function, unevaluated while symbolic: adaptive pooling's overlaps.

Apart from :mod:`symcnn.cnn.layers_adaptive`, which names it only where a
size is symbolic, so that a numeric summary imports no sympy.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp


class gcd(sp.Function):  # type: ignore[misc]  # noqa: N801  (sympy is untyped; named as printed: \gcd, gcd(H, 7))
    """The greatest common divisor of two positive integers, unevaluated while symbolic."""

    is_integer = True
    is_positive = True

    @classmethod
    def eval(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
        if a.is_Integer and b.is_Integer:
            return sp.Integer(math.gcd(int(a), int(b)))
        if a == b:
            return a
        if a == 1 or b == 1:
            return sp.Integer(1)
        return None

    def _latex(self, printer: Any) -> str:
        return r"\gcd(" + ", ".join(printer._print(arg) for arg in self.args) + ")"
