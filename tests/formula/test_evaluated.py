"""``evaluated`` computes numeric subtrees in Python's exact arithmetic: the same results as sympy's own evaluation."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.core.facts import InconsistentAssumptions

from symcnn.formula import trees as f
from symcnn.formula.evaluation import applied, evaluated, evaluated_node, inclusive_count, multiplied, summed
from symcnn.formula.symbols import H, K, P, S, W
from tests.helpers import reproducible

ROOT = Path(__file__).resolve().parents[2]


def by_sympy(tree: sp.Basic) -> sp.Basic:
    """The evaluation before the Python fast path: every node by sympy, bottom up."""
    if not tree.args:
        return tree
    return evaluated_node(tree.func, [by_sympy(arg) for arg in tree.args])


leaves = st.one_of(st.integers(-50, 50).map(sp.Integer), st.sampled_from([W, P, S]))
nonzero = st.integers(1, 9).map(sp.Integer)


def branches(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda args: f.add(*args)),
        st.lists(children, min_size=2, max_size=3).map(lambda args: f.mul(*args)),
        st.tuples(children, children).map(lambda pair: f.sub(*pair)),
        st.tuples(children, nonzero).map(lambda pair: f.div(*pair)),
        st.tuples(children, st.integers(0, 3)).map(lambda pair: f.power(*pair)),
        children.map(f.floor),
        children.map(f.ceil),
        st.tuples(children, nonzero).map(lambda pair: f.mod(*pair)),
    )


trees = st.recursive(leaves, branches, max_leaves=12)


@reproducible(max_examples=200)
@given(trees)
def test_evaluated_agrees_with_sympy_node_by_node(tree: sp.Expr) -> None:
    expected = by_sympy(tree)
    result = evaluated(tree)
    assert result == expected
    assert type(result) is type(expected)


@reproducible(max_examples=100)
@given(st.lists(st.integers(-10**30, 10**30).map(sp.Integer), max_size=6))
def test_summed_integers_equal_sympys_sum(terms: list[sp.Integer]) -> None:
    result = summed(terms)
    assert result == sp.Add(*terms) and isinstance(result, sp.Integer)


@reproducible(max_examples=100)
@given(trees, st.sampled_from([W, P, S, sp.Integer(3)]), st.sampled_from(["floor", "ceiling", "Mod"]))
def test_applied_builds_the_node_sympy_builds_unevaluated(tree: sp.Expr, divisor: sp.Expr, name: str) -> None:
    func = getattr(sp, name)
    args = (tree, divisor) if func is sp.Mod else (tree,)
    expected, built = func(*args, evaluate=False), applied(func, *args)
    assert built == expected and hash(built) == hash(expected)
    assert sp.srepr(built) == sp.srepr(expected) and built.nargs == expected.nargs
    assert pickle.loads(pickle.dumps(built)) == pickle.loads(pickle.dumps(expected))
    assert substituted(built) == substituted(expected) and sp.latex(built) == sp.latex(expected)


def substituted(expr: sp.Expr) -> sp.Expr | str:
    """``expr`` with W = 7, or "fails": sympy's assumptions break on some unevaluated trees of zeros (``floor(W + 0
    - (0 + 0))``) whichever way the node is built, with an error that depends on what its cache holds."""
    try:
        return expr.subs(W, 7)
    except (ZeroDivisionError, InconsistentAssumptions):
        return "fails"


S_P = sp.Symbol("S_p", integer=True, positive=True)
factors = st.one_of(
    st.tuples(st.sampled_from([S, P, K, W, H, S_P]), st.integers(1, 600)).map(lambda pair: pair[0] ** pair[1]),
    st.just(K - 1 - P),
    st.tuples(st.sampled_from([S, W]), st.integers(-2, 2)).map(lambda pair: pair[0] + pair[1]),
    st.sampled_from([sp.Rational(1, 2), sp.sqrt(2), sp.floor(W / 2)]),
)
products = st.tuples(st.integers(-3, 3), st.lists(factors, max_size=3)).map(lambda p: sp.Mul(p[0], *p[1]))


@reproducible(max_examples=300)
@given(products, products)
def test_multiplied_builds_the_product_sympy_builds(left: sp.Expr, right: sp.Expr) -> None:
    built, expected = multiplied(left, right), left * right
    assert built == expected and hash(built) == hash(expected) and sp.srepr(built) == sp.srepr(expected)


names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)
ends = st.one_of(
    st.integers(-10**6, 10**6).map(sp.Integer),
    st.tuples(names, st.booleans()).map(lambda p: sp.Symbol(p[0], integer=True, positive=p[1] or None)),
    products,
)


@reproducible(max_examples=300)
@given(ends, ends)
def test_inclusive_count_is_sympys_last_minus_first_plus_one(first: sp.Expr, last: sp.Expr) -> None:
    built, expected = inclusive_count(first, last), last - first + 1
    assert built == expected and hash(built) == hash(expected) and sp.srepr(built) == sp.srepr(expected)


def test_summed_keeps_symbols() -> None:
    assert summed([W, sp.Integer(2), W]) == 2 * W + 2


def test_numeric_layer_arithmetic_loads_no_tensor_or_combinatorics_module() -> None:
    """Numbers stay Python numbers: building VGG-16 and its totals never reaches sympy's Add.flatten imports.

    (The summary's valid-input proof works on a symbolic input, so it does load them.)
    """
    script = ("import sys\nfrom symcnn.files.spec import read_network\n"
              "network, values = read_network('examples/vgg16.toml')\n"
              "totals = [network.total(key) for key in ('params', 'mults', 'adds')]\n"
              "print(sorted(m for m in sys.modules if m.startswith(('sympy.tensor.tensor', 'sympy.combinatorics'))))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    assert result.stdout.strip() == "[]"
