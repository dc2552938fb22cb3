"""The output-size relations of Dumoulin & Visin's guide, numbered as the paper numbers them.

V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
learning", arXiv:1603.07285. Chapter 2 (convolution): relations 1-6;
chapter 3 (pooling): 7; chapter 4 (transposed convolution): 8-14, where
``a = (i + 2p - k) mod s``; chapter 5 (dilated convolution): 15.
For a transposed convolution ``i'`` is its input and ``o'`` its output, the
input ``i`` of the direct convolution it transposes.
"""

from __future__ import annotations

from dataclasses import dataclass

from symcnn.cnn.window_geometry import AxisGeometry

CITATION = "Dumoulin & Visin, A guide to convolution arithmetic for deep learning (arXiv:1603.07285)"


@dataclass(frozen=True)
class Relation:
    """One numbered relation of the guide: its name and output size (LaTeX, the paper's notation)."""

    number: int
    name: str
    formula: str


RELATIONS = {relation.number: relation for relation in (
    Relation(1, "no zero padding, unit strides", r"o = (i - k) + 1"),
    Relation(2, "zero padding, unit strides", r"o = (i - k) + 2p + 1"),
    Relation(3, "half (same) padding", r"o = i"),
    Relation(4, "full padding", r"o = i + (k - 1)"),
    Relation(5, "no zero padding, non-unit strides", r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1"),
    Relation(6, "zero padding, non-unit strides", r"o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1"),
    Relation(7, "pooling", r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1"),
    Relation(8, "no zero padding, unit strides, transposed", r"o' = i' + (k - 1)"),
    Relation(9, "zero padding, unit strides, transposed", r"o' = i' + (k - 1) - 2p"),
    Relation(10, "half (same) padding, transposed", r"o' = i'"),
    Relation(11, "full padding, transposed", r"o' = i' - (k - 1)"),
    Relation(12, "no zero padding, non-unit strides, transposed", r"o' = s(i' - 1) + k"),
    Relation(13, "zero padding, non-unit strides, transposed", r"o' = s(i' - 1) + k - 2p"),
    Relation(14, "zero padding, non-unit strides, transposed, with a = (i + 2p − k) mod s",
             r"o' = s(i' - 1) + a + k - 2p"),
    Relation(15, "dilated convolution", r"o = \left\lfloor \frac{i + 2p - k - (k - 1)(d - 1)}{s} \right\rfloor + 1"),
)}


def relation_number(geometry: AxisGeometry, pooling: bool = False) -> int:
    """The most specific relation of the guide that gives this axis's output size.

    A dilated transposed convolution, which the guide does not treat, gets the
    general transposed relation 14 with the dilated kernel d(k - 1) + 1 for k.
    """
    k, s, p = geometry.kernel, geometry.stride, geometry.padding
    if geometry.transposed:
        if geometry.dilation > 1 or s > 1:
            if geometry.dilation > 1 or geometry.output_padding:
                return 14
            return 12 if p == 0 else 13
        return 8 if p == 0 else 10 if k % 2 == 1 and p == k // 2 else 11 if p == k - 1 else 9
    if geometry.dilation > 1:
        return 15
    if pooling:
        return 7 if p == 0 else 6
    if s == 1:
        return 1 if p == 0 else 3 if k % 2 == 1 and p == k // 2 else 4 if p == k - 1 else 2
    return 5 if p == 0 else 6


def relation(geometry: AxisGeometry, pooling: bool = False) -> Relation:
    """The :class:`Relation` of :func:`relation_number`."""
    return RELATIONS[relation_number(geometry, pooling)]


def guide_output_size(number: int, i: int, k: int, s: int = 1, p: int = 0, d: int = 1, a: int = 0) -> int:
    """The output size that relation ``number`` gives, computed as the paper writes it.

    For the transposed relations 8-14, ``i`` is the transposed convolution's input i'.
    """
    formulas = {
        1: lambda: (i - k) + 1,
        2: lambda: (i - k) + 2 * p + 1,
        3: lambda: i,
        4: lambda: i + (k - 1),
        5: lambda: (i - k) // s + 1,
        6: lambda: (i + 2 * p - k) // s + 1,
        7: lambda: (i - k) // s + 1,
        8: lambda: i + (k - 1),
        9: lambda: i + (k - 1) - 2 * p,
        10: lambda: i,
        11: lambda: i - (k - 1),
        12: lambda: s * (i - 1) + k,
        13: lambda: s * (i - 1) + k - 2 * p,
        14: lambda: s * (i - 1) + a + (d * (k - 1) + 1) - 2 * p,
        15: lambda: (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1,
    }
    return formulas[number]()
