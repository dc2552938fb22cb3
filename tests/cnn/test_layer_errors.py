"""Every way a layer can be wrong raises LayerError naming the layer and the argument.

Errors found when the layer is built name its type (``Conv2d``); errors found
when it meets its input name it as the caller did (``conv1``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d
from symcnn.errors import LayerError, SymcnnError
from symcnn.formula.symbols import K_1, S_2, C_in, C_out, K, P

#: (id, what raises, words the message must contain: the layer, the argument, ...)
ERRORS: list[tuple[str, Callable[[], object], tuple[str, ...]]] = [
    # the kernel does not fit the padded input
    ("conv-kernel-too-large", lambda: Conv2d(3, 8, 7).analyze((3, 4, 4), name="conv1"),
     ("conv1", "kernel_size", "padding")),
    ("conv-kernel-too-wide", lambda: Conv2d(3, 8, (1, 7)).analyze((3, 9, 4), name="conv1"),
     ("conv1", "kernel_size", "width")),
    ("conv-kernel-too-tall", lambda: Conv2d(3, 8, (7, 1)).analyze((3, 4, 9), name="conv1"),
     ("conv1", "kernel_size", "height")),
    ("conv-padding-not-enough", lambda: Conv2d(3, 8, 7, padding=1).analyze((3, 4, 4), name="conv1"),
     ("conv1", "kernel_size", "padding")),
    ("conv-dilated-kernel-too-large", lambda: Conv2d(3, 8, 3, dilation=3).analyze((3, 6, 6), name="conv1"),
     ("conv1", "kernel_size")),
    ("maxpool-kernel-too-large", lambda: MaxPool2d(5).analyze((1, 4, 4), name="pool1"),
     ("pool1", "kernel_size")),
    ("avgpool-kernel-too-large", lambda: AvgPool2d(5, padding=1).analyze((1, 2, 2), name="pool1"),
     ("pool1", "kernel_size")),
    # stride
    ("conv-stride-zero", lambda: Conv2d(3, 8, 3, stride=0), ("Conv2d", "stride")),
    ("conv-stride-negative", lambda: Conv2d(3, 8, 3, stride=-1), ("Conv2d", "stride")),
    ("conv-stride-pair-negative", lambda: Conv2d(3, 8, 3, stride=(1, -2)), ("Conv2d", "stride")),
    ("maxpool-stride-zero", lambda: MaxPool2d(2, stride=0), ("MaxPool2d", "stride")),
    ("avgpool-stride-negative", lambda: AvgPool2d(2, stride=-2), ("AvgPool2d", "stride")),
    # kernel
    ("conv-kernel-zero", lambda: Conv2d(3, 8, 0), ("Conv2d", "kernel_size")),
    ("conv-kernel-negative", lambda: Conv2d(3, 8, -3), ("Conv2d", "kernel_size")),
    ("conv-kernel-pair-zero", lambda: Conv2d(3, 8, (3, 0)), ("Conv2d", "kernel_size")),
    ("maxpool-kernel-zero", lambda: MaxPool2d(0), ("MaxPool2d", "kernel_size")),
    ("avgpool-kernel-negative", lambda: AvgPool2d(-2), ("AvgPool2d", "kernel_size")),
    ("conv-kernel-three-values", lambda: Conv2d(3, 8, (3, 3, 3)), ("Conv2d", "kernel_size")),
    # padding
    ("conv-padding-negative", lambda: Conv2d(3, 8, 3, padding=-1), ("Conv2d", "padding")),
    ("conv-padding-pair-negative", lambda: Conv2d(3, 8, 3, padding=(0, -1)), ("Conv2d", "padding")),
    ("maxpool-padding-negative", lambda: MaxPool2d(2, padding=-1), ("MaxPool2d", "padding")),
    ("maxpool-padding-over-half", lambda: MaxPool2d(3, padding=2), ("MaxPool2d", "padding", "kernel_size")),
    ("avgpool-padding-over-half", lambda: AvgPool2d((2, 4), padding=(2, 1)),
     ("AvgPool2d", "padding", "kernel_size")),
    ("maxpool-symbolic-padding-over-half", lambda: MaxPool2d(K, padding=K), ("MaxPool2d", "padding")),
    # dilation, groups, channels
    ("conv-dilation-zero", lambda: Conv2d(3, 8, 3, dilation=0), ("Conv2d", "dilation")),
    ("maxpool-dilation-negative", lambda: MaxPool2d(2, dilation=-1), ("MaxPool2d", "dilation")),
    ("conv-groups-zero", lambda: Conv2d(4, 8, 3, groups=0), ("Conv2d", "groups")),
    ("conv-in-channels-not-divisible", lambda: Conv2d(6, 8, 3, groups=4).analyze((6, 8, 8), name="conv2"),
     ("conv2", "in_channels", "groups")),
    ("conv-out-channels-not-divisible", lambda: Conv2d(8, 6, 3, groups=4).analyze((8, 8, 8), name="conv2"),
     ("conv2", "out_channels", "groups")),
    ("conv-input-channels-not-divisible", lambda: Conv2d(out_channels=8, kernel_size=3, groups=4)
     .analyze((6, 8, 8), name="conv2"), ("conv2", "in_channels", "groups")),
    ("conv-in-channels-disagree", lambda: Conv2d(3, 8, 3).analyze((4, 8, 8), name="conv1"),
     ("conv1", "in_channels")),
    ("conv-out-channels-zero", lambda: Conv2d(3, 0, 3), ("Conv2d", "out_channels")),
    ("conv-in-channels-negative", lambda: Conv2d(-3, 8, 3), ("Conv2d", "in_channels")),
    ("conv-missing-kernel", lambda: Conv2d(3, 8), ("Conv2d", "kernel_size")),
    ("batchnorm-channels-disagree", lambda: BatchNorm2d(4).analyze((3, 8, 8), name="bn1"),
     ("bn1", "num_features")),
    # Linear
    ("linear-in-features-disagree", lambda: Linear(10, 5).analyze((12,), name="fc1"),
     ("fc1", "in_features", "10", "12")),
    ("linear-on-feature-map", lambda: Linear(48, 5).analyze((3, 4, 4), name="fc1"),
     ("fc1", "Linear", "Flatten")),
    ("linear-out-features-zero", lambda: Linear(10, 0), ("Linear", "out_features")),
    ("linear-in-features-negative", lambda: Linear(-10, 5), ("Linear", "in_features")),
    ("conv-on-feature-vector", lambda: Conv2d(3, 8, 3).analyze((48,), name="conv1"), ("conv1", "Conv2d")),
    # floats, bools, fractions
    ("conv-float-in-channels", lambda: Conv2d(3.0, 8, 3), ("Conv2d", "in_channels")),
    ("conv-float-out-channels", lambda: Conv2d(3, 8.0, 3), ("Conv2d", "out_channels")),
    ("conv-float-kernel", lambda: Conv2d(3, 8, 3.5), ("Conv2d", "kernel_size")),
    ("conv-float-in-pair", lambda: Conv2d(3, 8, (3, 2.0)), ("Conv2d", "kernel_size")),
    ("conv-float-stride", lambda: Conv2d(3, 8, 3, stride=1.0), ("Conv2d", "stride")),
    ("conv-float-padding", lambda: Conv2d(3, 8, 3, padding=0.5), ("Conv2d", "padding")),
    ("conv-float-groups", lambda: Conv2d(4, 8, 3, groups=2.0), ("Conv2d", "groups")),
    ("conv-bool-kernel", lambda: Conv2d(3, 8, True), ("Conv2d", "kernel_size")),
    ("conv-bool-padding", lambda: Conv2d(3, 8, 3, padding=False), ("Conv2d", "padding")),
    ("conv-sympy-float-kernel", lambda: Conv2d(3, 8, sp.Float(3)), ("Conv2d", "kernel_size")),
    ("conv-fraction-kernel", lambda: Conv2d(3, 8, sp.Rational(3, 2)), ("Conv2d", "kernel_size")),
    ("maxpool-float-kernel", lambda: MaxPool2d(2.0), ("MaxPool2d", "kernel_size")),
    ("avgpool-bool-stride", lambda: AvgPool2d(2, stride=True), ("AvgPool2d", "stride")),
    ("linear-float-in-features", lambda: Linear(10.0, 5), ("Linear", "in_features")),
    ("linear-bool-in-features", lambda: Linear(True, 5), ("Linear", "in_features")),
    ("linear-float-out-features", lambda: Linear(10, 5.0), ("Linear", "out_features")),
    ("conv-unparsable-kernel", lambda: Conv2d(3, 8, "K_1 +"), ("Conv2d", "kernel_size")),
    # torch's string paddings must not be read as symbols called "same" or "valid"
    ("conv-padding-same", lambda: Conv2d(3, 8, 3, padding="same"), ("Conv2d", "padding", "same")),
    ("conv-padding-valid", lambda: Conv2d(3, 8, 3, padding="valid"), ("Conv2d", "padding", "valid")),
]


@pytest.mark.parametrize(("make", "words"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_error_names_layer_and_argument(make: Callable[[], object], words: tuple[str, ...]) -> None:
    """LayerError (a SymcnnError), its one-line message naming the layer and the argument."""
    with pytest.raises(LayerError) as raised:
        make()
    message = str(raised.value)
    assert isinstance(raised.value, SymcnnError)
    assert "\n" not in message
    missing = [word for word in words if word not in message]
    assert not missing, f"{missing} not in {message!r}"


def test_errors_of_the_input_use_the_given_name() -> None:
    """The same layer reports under the name it is given; standalone, under its type."""
    layer = Conv2d(3, 8, 7)
    for name in ("conv1", "stem"):
        with pytest.raises(LayerError, match=f"^{name}: "):
            layer.analyze((3, 4, 4), name=name)
    with pytest.raises(LayerError, match="^Conv2d: "):
        layer.analyze((3, 4, 4))


def test_kernel_error_gives_the_sizes() -> None:
    """The kernel-too-large message names the kernel, the input and the padding sizes."""
    with pytest.raises(LayerError) as raised:
        Conv2d(3, 8, 7, padding=1).analyze((3, 4, 4), name="conv1")
    assert all(number in str(raised.value) for number in ("7", "4", "6", "1"))


# ------------------------------------------------------- what must be allowed

ALLOWED: list[tuple[str, Layer, tuple[object, ...]]] = [
    # a convolution may pad more than half its kernel (torch allows it); pooling may not
    ("conv-numeric-padding-over-kernel", Conv2d(3, 8, 3, padding=5), (3, 4, 4)),
    ("conv-symbolic-padding-over-kernel", Conv2d(C_in, C_out, K_1, padding="K_1 + 1"), (C_in, 4, 4)),
    ("conv-symbolic-padding", Conv2d(C_in, C_out, K_1, padding=P), (C_in, 4, 4)),
    ("conv-kernel-equals-padded-input", Conv2d(3, 8, 6, padding=1), (3, 4, 4)),
    ("pool-padding-half-kernel", MaxPool2d(4, padding=2), (1, 1, 1)),
    ("pool-symbolic-stride", MaxPool2d(2, stride=S_2), (1, 4, 4)),
    ("conv-symbolic-groups", Conv2d(C_in, C_out, 3, groups="G"), (C_in, 5, 5)),
    ("linear-without-in-features", Linear(out_features=5), (12,)),
]


@pytest.mark.parametrize(
    ("layer", "shape"), [case[1:] for case in ALLOWED], ids=[case[0] for case in ALLOWED]
)
def test_valid_layers_do_not_raise(layer: Layer, shape: tuple[object, ...]) -> None:
    """Layers torch accepts, or that hold for some values of their symbols, analyze."""
    analysis = layer.analyze(shape)
    assert analysis["params"] is not None


def test_symbolic_padding_larger_than_kernel_is_allowed() -> None:
    """Conv2d padding K_1 + 1 on a K_1 kernel: allowed, and the input then always fits."""
    analysis = Conv2d(C_in, C_out, K_1, padding="K_1 + 1").analyze()
    assert analysis.output_shape[0] == C_out
    assert analysis.assumptions == (), "W + 2(K_1 + 1) >= K_1 always holds"
