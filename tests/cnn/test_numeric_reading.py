"""The numeric and periodic readings against the sympy reading: the same summary, without sympy.

A network of numbers is summarised in the numeric reading (Python integers,
:func:`symcnn.formula.numbers.numeric_reading`), and proved valid for every
input size in the periodic reading (:mod:`symcnn.formula.sizes`). Both must
give byte for byte what the sympy reading gives, on every example network and
on random ones, and a numeric ``symcnn summary`` must import neither sympy,
nor jinja2, nor matplotlib.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symcnn.cnn.graph import Node, build_graph
from symcnn.cnn.joins import Add, Concat
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU
from symcnn.cnn.layers_adaptive import AdaptiveAvgPool2d
from symcnn.cnn.layers_resize import Upsample, ZeroPad2d
from symcnn.cnn.layers_transposed import ConvTranspose2d
from symcnn.cnn.network import Network, build_network
from symcnn.cnn.summary import as_json, as_table, summarize, summarized
from symcnn.cnn.validity import _periodic_validity, _symbolic_validity
from symcnn.errors import LayerError
from symcnn.files.spec import read_network
from symcnn.formula.numbers import numeric_reading, whole
from symcnn.formula.periodic import NotPeriodic
from symcnn.formula.sizes import Derived
from tests.helpers import reproducible

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = sorted(p for p in (ROOT / "examples").glob("*.toml") if not p.stem.endswith(("claims", "assignment")))
SYMPY_FREE = tuple(p.stem for p in NETWORKS)
"""Every example network: none needs sympy for its summary, joins and transposed convolutions included."""


def both_readings(make: Callable[[], Network], **options: Any) -> tuple[str, str]:
    """The summary (JSON and table) of the network ``make`` builds, in the sympy and in the numeric reading."""
    texts = []
    for numeric in (False, True):
        if numeric:
            with numeric_reading():
                summary = summarize(make(), **options)
        else:
            summary = summarize(make(), **options)
        texts.append(json.dumps(as_json(summary), indent=2) + "\n" + as_table(summary))
    return texts[0], texts[1]


@pytest.mark.parametrize("spec", NETWORKS, ids=lambda p: p.stem)
def test_every_example_summary_is_the_same_in_the_numeric_reading(spec: Path) -> None:
    sympy_text, numeric_text = both_readings(lambda: read_network(spec)[0], batch=32, budget="12GiB",
                                             optimizer="adam")
    assert numeric_text == sympy_text


@pytest.mark.parametrize("name", SYMPY_FREE)
def test_a_numeric_summary_imports_no_sympy_and_prints_the_same_bytes(name: str) -> None:
    spec = ROOT / "examples" / f"{name}.toml"
    script = (
        "import sys\n"
        "from symcnn.cli import main\n"
        f"code = main(['summary', {str(spec)!r}, '--json', '--memory', '8GiB'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'jinja2', 'matplotlib'})\n"
        "print(heavy, file=sys.stderr)\n"
        "sys.exit(code or (1 if heavy else 0))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    summary = summarize(*read_network(spec), budget="8GiB")  # the sympy reading, in this process
    assert run.stdout == json.dumps(as_json(summary), indent=2) + "\n"


@pytest.mark.parametrize("text", [
    'input = [2, 50]\n[[layers]]\ntype = "Conv1d"\nout_channels = 4\nkernel_size = 3\n'
    '[[layers]]\ntype = "MaxPool1d"\nkernel_size = 2\n',
    'input = [2, 9, 16, 16]\n[[layers]]\ntype = "Conv3d"\nout_channels = 4\nkernel_size = [3, 3, 3]\n'
    'stride = 2\n[[layers]]\ntype = "AvgPool3d"\nkernel_size = 2\n',
], ids=("1-D", "3-D"))
def test_a_numeric_1d_or_3d_summary_imports_no_sympy_either(text: str, tmp_path: Path) -> None:
    """Their new sizes are named L_k and T_k beside H_k and W_k: in the numeric reading, names only."""
    spec = tmp_path / "spec.toml"
    spec.write_text(text)
    script = (
        "import sys\n"
        "from symcnn.cli import main\n"
        f"code = main(['summary', {str(spec)!r}, '--json'])\n"
        "sys.exit(code or (1 if 'sympy' in sys.modules else 0))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout == json.dumps(as_json(summarize(*read_network(spec))), indent=2) + "\n"


def test_a_spec_with_symbols_is_summarised_in_the_sympy_reading() -> None:
    summary = summarized(lambda: read_network(ROOT / "examples" / "seed_network.toml"))
    assert summary.rows and summarized(lambda: (build_network([Conv2d()], ("C_in", "H", "W")), {})).rows[0].params \
        == Conv2d().params


def test_an_error_is_said_as_the_sympy_reading_says_it() -> None:
    with pytest.raises(LayerError) as sympy_error:
        summarize(build_network([Conv2d(3, 8, 5)], (3, 4, 4)))
    with pytest.raises(LayerError) as numeric_error:
        summarized(lambda: (build_network([Conv2d(3, 8, 5)], (3, 4, 4)), {}))
    assert str(numeric_error.value) == str(sympy_error.value)


# --- random networks ----------------------------------------------------------------------------------------------

Recipe = list[tuple[type[Layer], dict[str, Any]]]


@st.composite
def recipes(draw: st.DrawFn) -> Recipe:
    """A chain of 1-8 layers with numeric arguments (built anew in each reading), mostly ones that fit."""
    recipe: Recipe = []
    channels = 3
    for _ in range(draw(st.integers(1, 8))):
        family = draw(st.integers(0, 9))
        k, s, p = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
        if family <= 2:
            out = draw(st.sampled_from([4, 6, 8]))
            recipe.append((Conv2d, dict(in_channels=channels, out_channels=out, kernel_size=k, stride=s,
                                        padding=min(p, k // 2 + 1), dilation=draw(st.integers(1, 2)),
                                        bias=draw(st.booleans()))))
            channels = out
        elif family == 3:
            recipe.append((MaxPool2d, dict(kernel_size=max(k, 2), stride=s, padding=min(p, max(k, 2) // 2),
                                           ceil_mode=draw(st.booleans()))))
        elif family == 4:
            recipe.append((AvgPool2d, dict(kernel_size=k, stride=s, padding=min(p, k // 2),
                                           ceil_mode=draw(st.booleans()))))
        elif family == 5:
            recipe.append((ZeroPad2d, dict(padding=p)))
        elif family == 6:
            recipe.append((Upsample, dict(scale_factor=draw(st.integers(1, 3)))))
        elif family == 7:
            recipe.append((ConvTranspose2d, dict(in_channels=channels, out_channels=4, kernel_size=k, stride=s,
                                                 padding=min(p, k - 1))))
            channels = 4
        elif family == 8:
            recipe.append(draw(st.sampled_from([(ReLU, {}), (BatchNorm2d, dict(num_features=channels))])))
        else:
            recipe.append((AdaptiveAvgPool2d, dict(output_size=draw(st.integers(1, 4)))))
    if draw(st.booleans()):
        recipe += [(Flatten, {}), (Linear, dict(out_features=draw(st.integers(1, 10))))]
    return recipe


def chain(recipe: Recipe, size: int) -> Callable[[], Network]:
    return lambda: build_network([cls(**kwargs) for cls, kwargs in recipe], (3, size, size + 3))


def outcome(make: Callable[[], Network], **options: Any) -> tuple[str, str] | str:
    """Both readings' summaries, or the one error message both readings must give."""
    try:
        return both_readings(make, **options)
    except LayerError as error:
        with numeric_reading(), pytest.raises(LayerError) as numeric_error:
            summarize(make(), **options)
        assert str(numeric_error.value) == str(error)
        return str(error)


@reproducible(max_examples=120)
@given(recipes(), st.integers(1, 40))
def test_random_chains_are_summarised_alike_in_both_readings(recipe: Recipe, size: int) -> None:
    result = outcome(chain(recipe, size), batch=4, budget="1MiB")
    if isinstance(result, tuple):
        assert result[1] == result[0]


@reproducible(max_examples=120)
@given(recipes(), st.integers(8, 40))
def test_the_periodic_proof_agrees_with_the_symbolic_one(recipe: Recipe, size: int) -> None:
    try:
        with numeric_reading():
            network = chain(recipe, size)()
    except LayerError:
        return
    symbolic = _symbolic_validity(chain(recipe, size)(), None)
    try:
        with numeric_reading():
            periodic = _periodic_validity(network)
    except NotPeriodic:
        return  # left to the sympy reading, which the summary then uses
    assert periodic.condition == symbolic.condition
    assert [str(v) for v in periodic.variables] == [str(v) for v in symbolic.variables]
    assert periodic.smallest == symbolic.smallest
    assert not symbolic.undecided and not symbolic.joins


@reproducible(max_examples=60)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2)), min_size=1, max_size=10),
       st.integers(1, 64))
def test_a_chain_of_windows_is_proved_without_sympy(windows: list[tuple[int, int, int]], size: int) -> None:
    """Convolutions and poolings (no ceil mode) leave only conditions the periodic reading decides."""
    with numeric_reading():
        layers: list[Layer] = []
        for k, s, p in windows:
            layers += [Conv2d(3, 3, k, stride=s, padding=min(p, k // 2)), MaxPool2d(2, stride=s)]
        try:
            network = build_network(layers, (3, size, size))
        except LayerError:
            return
        validity = _periodic_validity(network)
    assert validity.condition == _symbolic_validity(network, None).condition


@st.composite
def repeated_blocks(draw: st.DrawFn) -> Recipe:
    """A block of layers that mostly keep their input's shape, repeated: the layers the numeric reading
    and a chain's proof analyse once per input (sometimes a downsampling in the block, so the input changes)."""
    channels = draw(st.sampled_from([3, 4]))
    block: Recipe = []
    for _ in range(draw(st.integers(1, 4))):
        family = draw(st.integers(0, 4))
        k = draw(st.sampled_from([1, 3, 5]))
        if family == 0:
            block.append((Conv2d, dict(in_channels=channels, out_channels=channels, kernel_size=k, padding=k // 2,
                                       bias=draw(st.booleans()))))
        elif family == 1:
            block.append((MaxPool2d, dict(kernel_size=k, stride=1, padding=k // 2)))
        elif family == 2:
            block.append(draw(st.sampled_from([(ReLU, {}), (BatchNorm2d, dict(num_features=channels))])))
        elif family == 3:
            block.append((AvgPool2d, dict(kernel_size=2, stride=draw(st.integers(1, 2)))))
        else:
            block.append((Conv2d, dict(in_channels=channels, out_channels=channels, kernel_size=3,
                                       padding=draw(st.integers(0, 1)))))
    stem: Recipe = [(Conv2d, dict(in_channels=3, out_channels=channels, kernel_size=1))]
    return stem + block * draw(st.integers(2, 6))


@reproducible(max_examples=60)
@given(repeated_blocks(), st.integers(1, 70))
def test_repeated_blocks_are_summarised_and_proved_alike_in_both_readings(recipe: Recipe, size: int) -> None:
    """A layer met again on the same input is analysed once in the numeric and the periodic reading: the
    summary and the valid-input proof stay the sympy reading's."""
    result = outcome(chain(recipe, size), batch=2)
    if not isinstance(result, tuple):
        return
    assert result[1] == result[0]
    with numeric_reading():
        network = chain(recipe, size)()
        try:
            periodic = _periodic_validity(network)
        except NotPeriodic:
            return
    symbolic = _symbolic_validity(chain(recipe, size)(), None)
    assert (periodic.condition, periodic.smallest) == (symbolic.condition, symbolic.smallest)


def test_a_chain_of_equal_blocks_is_analysed_once_per_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """25 equal blocks on one input: each distinct layer analysed once in the numeric reading, and not by the
    proof (each keeps the sizes); each block's rows are still its own (names, numbers)."""
    calls: list[str] = []
    analyze = Conv2d._analyze

    def counted(self: Conv2d, *args: Any) -> Any:
        calls.append(args[1])
        return analyze(self, *args)

    monkeypatch.setattr(Conv2d, "_analyze", counted)
    with numeric_reading():
        block = [Conv2d(8, 16, 3, padding=1), ReLU(), Conv2d(16, 8, 3, padding=1)]
        summary = summarize(build_network([Conv2d(3, 8, 1), *block * 25], (3, 32, 32)))
    assert calls == ["conv1", "conv2", "conv3"]
    rows = as_json(summary)["layers"]
    assert [row["name"] for row in rows[-2:]] == ["relu25", "conv51"]
    assert rows[-1]["params"] == 16 * 8 * 9 + 8 and rows[-1]["output_shape"] == [8, 32, 32]
    assert rows[-1]["receptive_field"]["size"] == [101, 101]
    assert as_json(summary)["validity"]["condition"] == "H ≥ 1; W ≥ 1"


@reproducible(max_examples=150)
@given(st.sampled_from(["conv", "max", "avg"]), st.integers(1, 6), st.integers(0, 3) | st.none(), st.integers(1, 3),
       st.booleans(), st.integers(1, 40))
def test_a_window_said_to_keep_sizes_keeps_every_size(kind: str, k: int, p: int | None, d: int, ceil: bool,
                                                       size: int) -> None:
    """A layer that keeps the sizes of one input of numbers (keeps_sizes: the proof leaves it out) gives
    every size back in the periodic reading, and states only conditions that hold for sizes of at least 1."""
    from symcnn.formula.sizes import Condition, Named
    from symcnn.formula.symbols import Unmade

    names = (Unmade("H_1"), Unmade("W_1"))
    d = 1 if kind == "avg" else d
    p = d * (k - 1) // 2 if p is None else p  # None: the "same" padding where there is one
    with numeric_reading():
        try:
            layer: Layer = (Conv2d(2, 2, k, padding=p, dilation=d) if kind == "conv" else
                            MaxPool2d(k, stride=1, padding=p, dilation=d, ceil_mode=ceil) if kind == "max" else
                            AvgPool2d(k, stride=1, padding=p, ceil_mode=ceil))
            numeric = layer.analyze((2, size, size + 1), name="layer", out_symbols=names)
        except LayerError:
            return
        if not layer.keeps_sizes(numeric):
            assert numeric.output_shape != numeric.input_shape  # of stride 1: a shape kept is said
            return
        height, width = Named("H"), Named("W")
        periodic = layer.analyze((2, height, width), name="layer", out_symbols=names)
    assert periodic.output_shape[1] is height and periodic.output_shape[2] is width
    assert all(isinstance(c, Condition) and c.implied for c in periodic.assumptions)


GraphRecipe = list[tuple[str, type[Layer], dict[str, Any], tuple[str, ...]]]


@st.composite
def residual_graphs(draw: st.DrawFn) -> GraphRecipe:
    """Residual and concatenating blocks: a branch of windows beside an identity or a second branch."""
    nodes: GraphRecipe = [("stem", Conv2d, dict(in_channels=3, out_channels=4, kernel_size=3, padding=1), ())]
    for block in range(draw(st.integers(1, 3))):
        k, s = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        source = nodes[-1][0]
        nodes.append((f"b{block}a", Conv2d, dict(in_channels=4, out_channels=4, kernel_size=k, stride=s,
                                                 padding=k // 2), (source,)))
        other = source
        if draw(st.booleans()):
            other = f"b{block}b"
            nodes.append((other, Conv2d, dict(in_channels=4, out_channels=4, kernel_size=1, stride=s), (source,)))
        join = draw(st.sampled_from([Add, Concat]))
        nodes.append((f"b{block}j", join, {}, (f"b{block}a", other)))
        if join is Concat:
            nodes.append((f"b{block}c", Conv2d, dict(in_channels=8, out_channels=4, kernel_size=1), (f"b{block}j",)))
    return nodes


@reproducible(max_examples=60)
@given(residual_graphs(), st.integers(1, 40))
def test_random_graphs_are_summarised_alike_in_both_readings(recipe: GraphRecipe, size: int) -> None:
    def make() -> Network:
        return build_graph([Node(name, cls(**kwargs), inputs) for name, cls, kwargs, inputs in recipe],
                           (3, size, size))

    result = outcome(make)
    if isinstance(result, tuple):
        assert result[1] == result[0]


def _every_family() -> dict[str, Callable[[], Network]]:
    """Small networks that use every layer family between them (built anew in each reading)."""
    from symcnn.cnn.joins import Mul
    from symcnn.cnn.layers import Dropout
    from symcnn.cnn.layers_adaptive import AdaptiveMaxPool2d
    from symcnn.cnn.layers_elementwise import GELU, Hardswish, LeakyReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh
    from symcnn.cnn.layers_nd import AvgPool1d, AvgPool3d, Conv1d, Conv3d, MaxPool1d, MaxPool3d
    from symcnn.cnn.layers_norm import BatchNorm1d, BatchNorm3d, GroupNorm, LayerNorm
    from symcnn.cnn.layers_resize import Identity

    return {
        "1-D": lambda: build_network([Conv1d(4, 8, 3, stride=2, padding=1), BatchNorm1d(8),
                                      MaxPool1d(2, ceil_mode=True), AvgPool1d(3, padding=1), Flatten(),
                                      Linear(out_features=5), Softmax(dim=1)], (4, 37)),
        "3-D": lambda: build_network([Conv3d(2, 4, 3, padding=(1, 0, 1), dilation=(1, 2, 1)), BatchNorm3d(4),
                                      MaxPool3d(2), AvgPool3d(2, stride=1, ceil_mode=True)], (2, 9, 12, 11)),
        "norms and activations": lambda: build_network(
            [Conv2d(3, 8, 3, groups=1, bias=False), GroupNorm(2, 8), LayerNorm([8, 14, 14]), GELU(), SiLU(),
             Sigmoid(), Tanh(), ReLU6(), LeakyReLU(0.2), Hardswish(), Dropout(0.5), Identity(),
             Conv2d(8, 8, 3, groups=8, padding=2, dilation=2)], (3, 16, 16)),
        "resizing": lambda: build_network(
            [ZeroPad2d((1, 2, 0, 3)), Upsample(scale_factor=2, mode="bilinear", align_corners=True),
             Upsample(size=(40, 30)), AdaptiveMaxPool2d((5, 7)), AdaptiveAvgPool2d((3, None)),
             ConvTranspose2d(3, 6, 3, stride=2, padding=1, output_padding=1, dilation=1, groups=3)], (3, 11, 13)),
        "joins": lambda: build_graph(
            [Node("a", Conv2d(3, 4, 3, padding=1)), Node("b", Conv2d(3, 4, 1), ("input",)),
             Node("s", Add(), ("a", "b")), Node("gate", AdaptiveAvgPool2d(1), ("s",)),
             Node("m", Mul(), ("s", "gate")), Node("c", Concat(), ("m", "a"))], (3, 12, 12)),
    }


@pytest.mark.parametrize("name", list(_every_family()))
def test_every_layer_family_is_summarised_alike_in_both_readings(name: str) -> None:
    result = outcome(_every_family()[name], batch=2, budget="1MiB")
    assert isinstance(result, tuple), result  # these networks are valid
    assert result[1] == result[0]


@reproducible(max_examples=200)
@given(st.fractions(min_value=0, max_value=4, max_denominator=6).filter(lambda a: a > 0),
       st.fractions(min_value=-5, max_value=5, max_denominator=6), st.integers(-3, 3), st.booleans())
def test_a_named_size_is_written_as_sympy_writes_it(a: Fraction, b: Fraction, k: int, up: bool) -> None:
    """definition_text against sympy's str of the same value, as the sympy reading makes it."""
    import sympy as sp

    from symcnn.formula.evaluation import applied
    from symcnn.formula.sizes import Named, definition_text
    from symcnn.formula.symbols import symbol

    base, letter = Named("H_4"), symbol("H_4")
    affine = (base, whole(a), whole(b))
    value = sp.Rational(a.numerator, a.denominator) * letter + sp.Rational(b.numerator, b.denominator)
    assert definition_text(Derived(base, affine).named("H_5")) == str(value) or affine[1:] == (1, 0)
    if a.denominator == 1 and b.denominator == 1:
        return  # an integer: no rounding stays (sympy drops it too)
    rounded = applied(sp.ceiling if up else sp.floor, value) + k
    assert definition_text(Derived(base, None, (up, affine, k), base.periodic).named("H_5")) == str(rounded)


EXPRESSIONS = ["planes * 4", "2 planes + 1", "(planes - 1)//2", "planes % 3", "floor(planes/3)", "ceil(planes/3)",
               "2^planes", "planes/4", "2^-2 * planes", "(2 + 3)planes", "planes(2)", "-planes + 7", "planes^2 - 1",
               "growth * (2 + planes) // 3", "planes // 0", "planes % 0", "same", "2 *", "K + planes"]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_the_number_parser_reads_the_grammar_as_the_sympy_parser(text: str) -> None:
    """Block arguments are put in with Python numbers: the same value, or the same refusal, as sympy's reading."""
    import sympy as sp

    from symcnn.errors import ExpressionError
    from symcnn.formula.expr import evaluate_expression, parse_expression
    from symcnn.formula.numbers import NotNumeric

    names = {"planes": 6, "growth": 32}
    try:
        expected = parse_expression(text).xreplace({sp.Symbol(k, integer=True, positive=True): v
                                                    for k, v in names.items()})
    except ExpressionError as error:  # refused: in the same words, or handed to the sympy reading (NotNumeric)
        with pytest.raises((ExpressionError, NotNumeric)) as refused:
            evaluate_expression(text, names)
        assert isinstance(refused.value, NotNumeric) or str(refused.value) == str(error)
        return
    try:
        value = evaluate_expression(text, names)
    except NotNumeric:
        assert not expected.is_number or expected.has(sp.zoo, sp.nan)  # a symbol, or what sympy reports
        return
    assert expected.is_number and value == expected


def test_a_number_is_juxtaposed_only_as_written() -> None:
    """``2P`` multiplies; an unevaluated ``(2 + 3)P`` or ``2^3 P`` is refused, as ever."""
    from symcnn.errors import ExpressionError
    from symcnn.formula.expr import parse_expression

    assert str(parse_expression("2P", evaluate=False)) == "2*P"
    for text in ("(2+3)P", "2^3 P"):
        with pytest.raises(ExpressionError):
            parse_expression(text, evaluate=False)
