"""The counting convention of normalisation (BatchNorm, GroupNorm, LayerNorm), in one place.

Normalising a group of n values x, as a straightforward implementation does:

====================================  ================================================
step                                  operations
====================================  ================================================
mean μ = Σx / n                       n - 1 additions, 1 division
deviations d = x - μ                  n additions (subtractions)
variance σ² = Σd² / n                 n multiplications, n - 1 additions, 1 division
σ = √(σ² + ε)                         1 addition, 1 square root
normalise d / σ                       n divisions
affine γ·x̂ + β (if affine)            n multiplications, n additions (none without β)
====================================  ================================================

Per group: 3n - 1 additions (4n - 1 affine), n multiplications (2n affine),
n + 2 divisions, 1 square root. GroupNorm and LayerNorm normalise each sample
in groups; BatchNorm in training normalises each channel over the batch
(n = B·H·W, counted per training step on a batch of B; the running
statistics' update, a few operations per channel, is not counted). BatchNorm
at inference uses stored statistics, folded into one multiplication and one
addition per element.
"""

from __future__ import annotations

from symcnn.cnn.analysis import quantity
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.quantity import Quantity


def normalisation_counts(
    elements: sp.Expr, groups: sp.Expr, affine: bool, prefix: str = "", *, shift: bool | None = None,
) -> list[Quantity]:
    """mults, adds, divisions and square roots of normalising ``elements`` values in ``groups`` groups.

    ``affine``: scaled by a weight; ``shift``: a bias added too (default: as
    ``affine``; LayerNorm's ``bias=False`` scales only). ``prefix`` names the
    keys (``batch_`` for BatchNorm's training step).
    """
    shift = affine if shift is None else shift and affine
    adds = f.sub(f.mul(4 if shift else 3, elements), groups)
    mults = f.mul(2, elements) if affine else elements
    return [
        quantity(f"{prefix}mults", mults),
        quantity(f"{prefix}adds", adds),
        quantity(f"{prefix}divisions", f.add(elements, f.mul(2, groups))),
        quantity(f"{prefix}square_roots", groups),
    ]
