"""Layer classes named and parametrised like ``torch.nn``.

Every argument takes an int, a sympy expression or a symbol name (a string,
read by symcnn's restricted parser). ``Conv2d()``, ``MaxPool2d()``,
``AvgPool2d()`` and ``Linear()`` with no argument at all are the symbolic
layers of the assignment (K_1 x K_2 kernel, stride S, padding P; K x K pool,
stride S_2, padding P_2; N neurons); given any argument, the rest take torch's
defaults.

Counting conventions (one place, quoted by the README):
    * multiplications: one per weight x input product (MACs); FLOPs = 2 x MACs
      as torch's FlopCounterMode counts them; fvcore's "flops" are MACs.
    * additions: the sums of each dot product, plus one per output element for
      the bias; the bias costs no multiplication.
    * pooling: no parameters, no multiplications; max pooling does K_h K_w - 1
      comparisons per output, average pooling K_h K_w - 1 additions and one
      division per output (windows counted whole, padding included).
    * ReLU: one comparison per element; BatchNorm2d (inference, folded): one
      multiplication and one addition per element, and a training step's
      counts beside them (``batch_*``, see :mod:`symcnn.cnn.norm_counts`);
      Dropout: none.

Kernel sizes, strides and paddings are (height, width) pairs as in torch; the
assignment's K_1 is the kernel *width* (it pairs with W), so ``Conv2d()`` has
``kernel_size=(K_2, K_1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from symcnn.cnn.analysis import (
    LayerAnalysis,
    Shape,
    Window,
    elements,
    quantity,
    shaped,
    spatial_quantities,
)
from symcnn.cnn.arguments import Arg, Pair, as_expr, at_least, require
from symcnn.cnn.layer import UNSET, Layer, divisible_check, feature_map, no_weights, per_output, same_as_given
from symcnn.cnn.norm_counts import normalisation_counts
from symcnn.cnn.windows import _default_input, _kernel_product, _windows
from symcnn.errors import LayerError
from symcnn.formula import symbols as notation
from symcnn.formula import trees as f
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import is_number, is_whole, number, numeric
from symcnn.formula.quantity import Quantity


def same_windows(windows: tuple[Window, ...], analysis: LayerAnalysis) -> bool:
    """Windows of stride 1 that give the input's sizes back, on the input ``analysis`` had, hence on every size.

    Of stride 1 the output size is ``W + 2P - D(K - 1)``, affine of slope 1
    (torch's ceil mode chooses its branch by ``P >= D(K - 1) + 1``, whatever
    the size), so one size that comes back unchanged means ``2P = D(K - 1)``
    for every size: the kernel then fits every padded input of at least one
    element, and a ceil-mode output is the input's size, at least 1. The
    channels may change: they are numbers here.
    """
    return (analysis.output_shape[1:] == analysis.input_shape[1:] and all(window.stride == 1 for window in windows)
            and all(is_whole(size) for size in analysis.input_shape))


@dataclass(frozen=True, eq=True)
class Conv2d(Layer):
    """2-D convolution, as ``torch.nn.Conv2d``."""

    in_channels: Arg | None = UNSET
    out_channels: Arg | None = UNSET
    kernel_size: Pair | None = UNSET
    stride: Pair | None = UNSET
    padding: Pair | None = UNSET
    dilation: Pair = 1
    groups: Arg = 1
    bias: bool = True
    windows: tuple[Window, ...] = field(init=False, repr=False, compare=False)

    @property
    def sliding_windows(self) -> tuple[Window, ...]:
        return self.windows

    kind: ClassVar[str] = "conv"
    weight_products: ClassVar[bool] = True
    rank: ClassVar[int] = 2
    """Spatial axes: 1 (Conv1d), 2, or 3 (Conv3d)."""

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if self.rank == 2 and self.out_channels is None and self.kernel_size is None and self.stride is None:
            defaults = {"out_channels": notation.C_out, "kernel_size": (notation.K_2, notation.K_1),
                        "stride": notation.S, "padding": notation.P}
            if self.padding is None:
                for key, value in defaults.items():
                    object.__setattr__(self, key, value)
        if self.out_channels is None or self.kernel_size is None:
            missing = "out_channels" if self.out_channels is None else "kernel_size"
            raise LayerError(f"{owner}: {missing} is required (or give no argument at all for the symbolic layer)")
        for key, default in (("stride", 1), ("padding", 0)):
            if getattr(self, key) is None:
                object.__setattr__(self, key, default)
        if self.padding in ("same", "valid"):  # torch's string paddings, not symbol names
            raise LayerError(
                f"{owner}: padding={self.padding!r} is not supported; give the padding as a number "
                f"(0 for 'valid', (kernel_size - 1) // 2 for 'same' with an odd kernel and stride 1)"
            )
        windows = _windows(owner, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.rank)
        for arg in ("in_channels", "out_channels", "groups"):
            value = getattr(self, arg)
            if value is not None:
                require(as_expr(value, owner, arg), owner, arg, minimum=1)
        object.__setattr__(self, "windows", windows)

    def keeps_sizes(self, analysis: LayerAnalysis) -> bool:
        return same_windows(self.windows, analysis)

    def size_windows(self) -> tuple[tuple[Window, ...], bool] | None:
        return self.windows, False  # its sizes are spatial_quantities' alone; the rest is of channels

    def default_input(self) -> Shape:
        given = self.in_channels
        channels = notation.C_in if given is None else as_expr(given, type(self).__name__, "in_channels")
        return _default_input(self.rank, channels)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        shaped(self, shape, name, self.rank + 1)
        channels = shape[0]
        assumptions = list(same_as_given(channels, self.in_channels, name, "in_channels", "input channels"))
        out_channels = as_expr(self.out_channels, name, "out_channels")
        groups = as_expr(self.groups, name, "groups")
        for arg, count in (("in_channels", channels), ("out_channels", out_channels)):
            assumptions += divisible_check(count, groups, name, arg)
        spatial, sizes, fits = spatial_quantities(shape, self.windows, out_symbols, owner=name)
        output_shape = (out_channels, *sizes)
        per_group = channels if groups == 1 else f.div(channels, groups)
        weights = f.mul(_kernel_product(self.windows), per_group)
        params = f.mul(f.add(weights, 1), out_channels) if self.bias else f.mul(weights, out_channels)
        mults = f.mul(weights, *reversed(sizes), out_channels)
        sums = f.add(f.sub(weights, 1), 1) if self.bias else f.sub(weights, 1)
        adds = f.mul(sums, *reversed(sizes), out_channels)
        counts = [
            quantity("params", params),
            quantity("mults", mults),
            quantity("adds", adds),
        ]
        return feature_map(self, name, shape, output_shape, spatial + counts, tuple(assumptions) + fits)


@dataclass(frozen=True, eq=True)
class _Pool2d(Layer):
    """What max and average pooling share: the window and its checks."""

    kernel_size: Pair | None = UNSET
    stride: Pair | None = UNSET
    padding: Pair | None = UNSET
    ceil_mode: bool = False
    windows: tuple[Window, ...] = field(init=False, repr=False, compare=False)
    padding_unsure: tuple[Window, ...] = field(init=False, repr=False, compare=False)
    """The windows whose padding is at most half the kernel only under an assumption (symbols)."""

    @property
    def sliding_windows(self) -> tuple[Window, ...]:
        return self.windows

    kind: ClassVar[str] = "pool"
    rank: ClassVar[int] = 2
    """Spatial axes: 1 (MaxPool1d, AvgPool1d), 2, or 3 (MaxPool3d, AvgPool3d)."""

    def _dilation(self) -> Pair:
        return 1

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if self.kernel_size is None:
            if self.stride is not None or self.padding is not None:
                raise LayerError(
                    f"{owner}: kernel_size is required (or give no argument at all for the symbolic layer)"
                )
            for key, value in (("kernel_size", notation.K), ("stride", notation.S_2), ("padding", notation.P_2)):
                object.__setattr__(self, key, value)
        if self.stride is None:  # torch: stride defaults to kernel_size
            object.__setattr__(self, "stride", self.kernel_size)
        if self.padding is None:
            object.__setattr__(self, "padding", 0)
        windows = _windows(owner, self.kernel_size, self.stride, self.padding, self._dilation(),
                           self.rank)
        unsure = []
        for window in windows:
            verdict = at_least(window.kernel, 2 * window.padding)
            if verdict is False:
                k, p = window.kernel, window.padding
                raise LayerError(
                    f"{owner}: padding {p} is more than half of kernel_size {k}; "
                    f"torch allows at most {k // 2 if is_number(k) else 'K/2'}"
                )
            if verdict is None:
                unsure.append(window)
        object.__setattr__(self, "windows", windows)
        object.__setattr__(self, "padding_unsure", tuple(unsure))

    def keeps_sizes(self, analysis: LayerAnalysis) -> bool:
        return same_windows(self.windows, analysis)

    def size_windows(self) -> tuple[tuple[Window, ...], bool] | None:
        return self.windows, self.ceil_mode  # its sizes are spatial_quantities' alone (padding_unsure: arguments)

    def default_input(self) -> Shape:
        return _default_input(self.rank, notation.C_in)

    def _window_quantities(
        self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]
    ) -> tuple[list[Quantity], Shape, tuple[sp.Basic, ...]]:
        shaped(self, shape, name, self.rank + 1)
        spatial, sizes, fits = spatial_quantities(
            shape, self.windows, out_symbols, ceil_mode=self.ceil_mode, owner=name
        )
        assumptions = fits + tuple(f.stated(2 * w.padding, "<=", w.kernel) for w in self.padding_unsure)
        return spatial, (shape[0], *sizes), assumptions

    def _window_size(self) -> sp.Expr:
        kernels = {window.kernel for window in self.windows}
        if len(self.windows) > 1 and len(kernels) == 1:
            return f.power(self.windows[0].kernel, len(self.windows))
        return _kernel_product(self.windows)


@dataclass(frozen=True, eq=True)
class MaxPool2d(_Pool2d):
    """2-D max pooling, as ``torch.nn.MaxPool2d``."""

    dilation: Pair = 1
    return_indices: bool = False

    def _dilation(self) -> Pair:
        return self.dilation

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        spatial, output_shape, assumptions = self._window_quantities(shape, name, out_symbols)
        compares = per_output(f.sub(self._window_size(), 1), output_shape)
        counts = no_weights() + [quantity("comparisons", compares)]
        return feature_map(self, name, shape, output_shape, spatial + counts, assumptions)


@dataclass(frozen=True, eq=True)
class AvgPool2d(_Pool2d):
    """2-D average pooling, as ``torch.nn.AvgPool2d``."""

    count_include_pad: bool = True
    divisor_override: int | None = None

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        spatial, output_shape, assumptions = self._window_quantities(shape, name, out_symbols)
        adds = per_output(f.sub(self._window_size(), 1), output_shape)
        counts = no_weights()[:2] + [
            quantity("adds", adds),
            quantity("divisions", elements(output_shape)),
        ]
        return feature_map(self, name, shape, output_shape, spatial + counts, assumptions)


@dataclass(frozen=True, eq=True)
class Linear(Layer):
    """Fully connected layer, as ``torch.nn.Linear``; ``Linear()`` has N neurons."""

    in_features: Arg | None = UNSET
    out_features: Arg | None = UNSET
    bias: bool = True

    kind: ClassVar[str] = "fc"
    weight_products: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.out_features is None:
            object.__setattr__(self, "out_features", notation.N)
        for arg in ("in_features", "out_features"):
            value = getattr(self, arg)
            if value is not None:
                require(as_expr(value, "Linear", arg), "Linear", arg, minimum=1)

    def default_input(self) -> Shape:
        """The assignment's flattened W x H x C_in input (or ``in_features``)."""
        if self.in_features is not None:
            return (as_expr(self.in_features, "Linear", "in_features"),)
        return (f.mul(notation.W, notation.H, notation.C_in),)

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        shaped(self, shape, name, 1)
        (features,) = shape
        assumptions = same_as_given(features, self.in_features, name, "in_features", "incoming features")
        out_features = as_expr(self.out_features, name, "out_features")
        params = f.mul(f.add(features, 1), out_features) if self.bias else f.mul(features, out_features)
        mults = f.mul(features, out_features)
        adds = f.mul(f.add(f.sub(features, 1), 1) if self.bias else f.sub(features, 1), out_features)
        counts = [
            quantity("output_features", out_features),
            quantity("params", params),
            quantity("mults", mults),
            quantity("adds", adds),
        ]
        return feature_map(self, name, shape, (out_features,), counts, assumptions)


@dataclass(frozen=True, eq=True)
class Flatten(Layer):
    """Flattens (C, H, W) into one feature vector, as ``torch.nn.Flatten()``."""

    start_dim: int = 1
    end_dim: int = -1

    kind: ClassVar[str] = "flatten"
    stores_output: ClassVar[bool] = False  # a view of its input

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        if (self.start_dim, self.end_dim) != (1, -1):
            raise LayerError(f"{name}: only Flatten(start_dim=1, end_dim=-1) is supported")
        output = quantity("output_features", elements(shape))
        return feature_map(self, name, shape, (output.expr,), [output] + no_weights())


@dataclass(frozen=True, eq=True)
class ReLU(Layer):
    """Rectified linear unit; one comparison per element."""

    inplace: bool = False

    kind: ClassVar[str] = "relu"
    keeps_shape: ClassVar[bool] = True

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        compares = quantity("comparisons", elements(shape))
        return feature_map(self, name, shape, shape, no_weights() + [compares])


@dataclass(frozen=True, eq=True)
class Dropout(Layer):
    """Dropout: the identity at inference; no parameters, no arithmetic counted."""

    p: float = 0.5
    inplace: bool = False

    kind: ClassVar[str] = "dropout"
    keeps_shape: ClassVar[bool] = True

    def __post_init__(self) -> None:
        p = self.p
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise LayerError(f"Dropout: p is the probability of dropping an element, from 0 to 1; got {p!r}")

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        return feature_map(self, name, shape, shape, no_weights())


@dataclass(frozen=True, eq=True)
class BatchNorm2d(Layer):
    """Batch normalisation; 2C parameters with ``affine`` (running stats are buffers)."""

    num_features: Arg | None = UNSET
    eps: float = 1e-5
    momentum: float | None = 0.1
    affine: bool = True
    track_running_stats: bool = True

    kind: ClassVar[str] = "bn"
    ranks: ClassVar[tuple[int, ...]] = (3,)
    """The input ranks torch accepts: (C, H, W); BatchNorm1d (N,) or (C, L); BatchNorm3d (C, T, H, W)."""

    def _analyze(self, shape: Shape, name: str, out_symbols: tuple[sp.Symbol, sp.Symbol]) -> LayerAnalysis:
        if len(shape) not in self.ranks:
            shaped(self, shape, name, self.ranks[-1])
        assumptions = same_as_given(shape[0], self.num_features, name, "num_features", "input channels")
        params = f.mul(2, shape[0]) if self.affine else number(0)
        counts = [
            quantity("params", params),
            quantity("mults", elements(shape)),
            quantity("adds", elements(shape)),
        ]
        # a training step normalises each channel over the batch: n = B·H·W values per channel (counts of the
        # symbol B: the numeric reading, which makes numbers only, leaves them to the sympy reading)
        if not numeric():
            counts += normalisation_counts(f.mul(notation.B, elements(shape)), shape[0], self.affine,
                                           prefix="batch_")
        return feature_map(self, name, shape, shape, counts, assumptions)
