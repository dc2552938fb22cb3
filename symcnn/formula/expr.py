"""A restricted parser for the small expressions users write in TOML files.

Grammar (no ``eval``, ``sympify`` or ``parse_expr`` anywhere)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '//' | '%') unary | implicit)*
    unary  := ('+' | '-') unary | power
    power  := atom (('^' | '**') unary)?
    atom   := INTEGER | NAME | NAME '(' expr ')' | '(' expr ')'

Conditions (:func:`parse_condition`, for the ``require`` of an assignment's
variants) add comparisons and ``and``/``or``/``not``::

    cond   := conj ('or' conj)*
    conj   := neg ('and' neg)*
    neg    := 'not' neg | '(' cond ')' | expr CMP expr
    CMP    := '==' | '!=' | '<' | '<=' | '>' | '>='

``a % b`` is the remainder (sympy ``Mod``). The only calls are ``floor`` and
``ceil``. A number directly followed by a name or a parenthesis multiplies
(``2P``, ``16i``). ``×``, ``·`` and ``−`` are read as ``*``, ``*`` and ``-``;
any other character outside ASCII (a full-width digit ``２``) is refused with
its column.

Limits, checked while reading, before any arithmetic is done (so that no input
can make symcnn hang or grow without bound): at most :data:`MAX_LENGTH`
characters, :data:`MAX_DIGITS` digits in a number, :data:`MAX_DEPTH` nested
parentheses or signs, a whole-number exponent of at most :data:`MAX_EXPONENT`,
and no value larger than about 10^:data:`MAX_MAGNITUDE` when every symbol is
at most 10^4 (a bound computed from the tree, not by evaluating it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from symcnn.errors import ExpressionError
from symcnn.formula.lazy import sympy as sp
from symcnn.formula.numbers import PYTHON_TYPES, NotNumeric, exactly, is_whole, number, numeric, whole
from symcnn.formula.sizes import is_size
from symcnn.formula.symbols import symbol

_TOKEN = re.compile(
    r"\s*(?:(?P<int>[0-9]+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>//|\*\*|==|!=|<=|>=|[-+*/^()%<>]))", re.ASCII
)
_FUNCTIONS = {"floor": "floor", "ceil": "ceiling"}
"""The calls the grammar reads, and sympy's names for them."""
_KEYWORDS = ("and", "or", "not")
COMPARISONS = {"==": "Eq", "!=": "Ne", "<": "Lt", "<=": "Le", ">": "Gt", ">=": "Ge"}
"""The comparisons the grammar reads, and sympy's names for them."""
_UNICODE = str.maketrans({"×": "*", "·": "*", "−": "-", "⋅": "*"})
MAX_LENGTH = 500
MAX_DIGITS = 100
MAX_DEPTH = 50
MAX_EXPONENT = 100
MAX_MAGNITUDE = 1000
_ASCII_SPACE = " \t\n\r\f\v"
_SYMBOL_DIGITS = 4  # a symbol is taken as up to 10^4 when bounding a value's size


def parse_expression(text: str, *, evaluate: bool = True) -> sp.Expr:
    """Parse ``text`` into a sympy expression over symcnn's notation.

    Args:
        text: e.g. ``"2*P + 1"``, ``"floor((W - K)/S) + 1"``, ``"16i - 44"``.
        evaluate: ``False`` keeps the writer's term order (for display).

    Raises:
        ExpressionError: anything outside the grammar, with the position.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters; shorten it")
    with sp.evaluate(evaluate):
        result = _Parser(text.translate(_UNICODE)).parse()
    if result.has(sp.zoo, sp.oo, sp.nan, -sp.oo) or (not evaluate and sp.Integer(0) in _divisors(result)):
        raise ExpressionError(f"division by zero in {text!r}")
    if digits(result) > MAX_MAGNITUDE:
        raise ExpressionError(
            f"{text!r} may reach 10^{digits(result)}; values up to about 10^{MAX_MAGNITUDE} are accepted"
        )
    return result


def _divisors(tree: sp.Basic) -> list[sp.Basic]:
    """The bases of ``x^-1`` in an unevaluated tree (``a/b`` is ``a·b^-1``)."""
    return [node.base for node in sp.preorder_traversal(tree) if node.is_Pow and node.exp == -1]


def digits(expr: sp.Basic) -> int:
    """An upper bound of the decimal digits of ``expr``'s value, each symbol taken as up to 10^4."""
    if isinstance(expr, Fraction):
        return digits(expr.numerator) + digits(expr.denominator)
    if isinstance(expr, int) or expr.is_Integer:
        return max(1, (abs(int(expr)).bit_length() * 30103) // 100000 + 1)
    if expr.is_Rational:
        return digits(sp.Integer(expr.p)) + digits(sp.Integer(expr.q))
    if expr.is_Symbol:
        return _SYMBOL_DIGITS
    if expr.is_Pow and expr.exp.is_Integer:
        return digits(expr.base) * max(1, abs(int(expr.exp)))
    parts = [digits(arg) for arg in expr.args]
    if not parts:
        return 1
    if expr.is_Add:
        return max(parts) + len(parts)
    return sum(parts)


def parse_condition(text: str) -> sp.Basic:
    """Parse a condition such as ``"(W + 2*P - K_1) % S == 0 and C_out >= C_in"``.

    Returns a sympy relational or boolean (``Eq``, ``And``, ``Or``, ``Not``), unevaluated
    where sympy would decide it early, so the condition can be shown as written.

    Raises:
        ExpressionError: anything outside the grammar, with the position.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"condition longer than {MAX_LENGTH} characters")
    return _ConditionParser(text.translate(_UNICODE)).parse_condition()


def to_sympy(value: int | str | sp.Basic) -> sp.Expr:
    """An int, a sympy expression, or a string read by :func:`parse_expression`; never ``eval``.

    Raises:
        TypeError: any other type (a float, a bool, None, ...).
        ExpressionError: a string outside the grammar.
    """
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return number(value)  # a Python int in the numeric reading
    if is_size(value):
        return value  # the periodic reading's sizes are values already
    if isinstance(value, str):
        if numeric():
            raise NotNumeric(f"{value!r} is an expression")
        return _parsed(value)
    if not isinstance(value, sp.Basic):
        raise TypeError(f"expected an int, a sympy expression or an expression string, got {value!r}")
    return value


@lru_cache(maxsize=1 << 12)  # a layer's arguments are read again at each analysis: "K", "2*P + 1"
def _parsed(text: str) -> sp.Expr:
    return parse_expression(text)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.depth = 0
        self.exponents = 0  # how many exponents are being read around the current token

    def _nested(self, column: int) -> None:
        """One level deeper (a parenthesis, a call, a sign); refused past :data:`MAX_DEPTH`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"nested more than {MAX_DEPTH} levels deep; simplify the expression", column)

    def _tokenize(self, text: str) -> list[tuple[str, str, int]]:
        tokens, at = [], 0
        while at < len(text):
            match = _TOKEN.match(text, at)
            if match is None or match.end() == at:
                rest = text[at:]
                if rest.strip(_ASCII_SPACE) == "":
                    break
                column = at + len(rest) - len(rest.lstrip(_ASCII_SPACE))
                raise self._error(
                    f"unexpected character {text[column]!r}; write digits 0-9, ASCII letters and + - * / ^ ( )",
                    column,
                )
            kind = match.lastgroup or ""
            if kind == "int" and len(match.group(kind)) > MAX_DIGITS:
                raise self._error(f"a number longer than {MAX_DIGITS} digits", match.start(kind))
            tokens.append((kind, match.group(kind), match.start(kind)))
            at = match.end()
        return tokens

    def _error(self, what: str, column: int | None = None) -> ExpressionError:
        if column is None:
            column = self.tokens[self.pos][2] if self.pos < len(self.tokens) else len(self.text)
        return ExpressionError(f"{what} at column {column + 1} of {self.text!r}")

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _accept(self, *ops: str) -> str | None:
        token = self._peek()
        if token and token[0] == "op" and token[1] in ops:
            self.pos += 1
            return token[1]
        return None

    def parse(self) -> sp.Expr:
        if not self.tokens:
            raise self._error("empty expression")
        result = self._expr()
        if self._peek() is not None:
            raise self._error(f"unexpected {self._peek()[1]!r}")  # type: ignore[index]
        return result

    def _expr(self) -> sp.Expr:
        result = self._term()
        while op := self._accept("+", "-"):
            right = self._term()
            result = result + right if op == "+" else result - right
        return result

    def _term(self) -> sp.Expr:
        result = self._unary()
        while True:
            if op := self._accept("*", "/", "//", "%"):
                right = self._unary()
                if op == "*":
                    result = result * right
                elif op == "/":
                    result = self._divided(result, right)
                elif op == "%":
                    if right == 0:  # sympy's Mod raises ZeroDivisionError: say it as a division by zero is said
                        raise ExpressionError(f"division by zero in {self.text!r}")
                    result = self._remainder(result, right)
                else:
                    result = self._rounded("floor", self._divided(result, right))
            elif self._starts_implicit_factor(result):
                result = result * self._power()
            else:
                return result

    def _starts_implicit_factor(self, left: sp.Expr) -> bool:
        token = self._peek()
        if token is None or not (type(left) in PYTHON_TYPES or left.is_Number):  # a number literal, as written
            return False
        return (token[0] == "name" and token[1] not in _KEYWORDS) or token[1] == "("

    def _unary(self) -> sp.Expr:
        start = self._peek()
        if op := self._accept("+", "-"):
            self._nested(start[2])  # type: ignore[index]
            operand = self._unary()
            self.depth -= 1
            return -operand if op == "-" else operand
        return self._power()

    def _power(self) -> sp.Expr:
        base = self._atom()
        token = self._peek()
        if self._accept("^", "**"):
            self.exponents += 1
            exponent = self._unary()
            self.exponents -= 1
            column = token[2]  # type: ignore[index]
            if not is_whole(exponent) or abs(int(exponent)) > MAX_EXPONENT:
                raise self._error(
                    f"the exponent must be a whole number from -{MAX_EXPONENT} to {MAX_EXPONENT}", column
                )
            if digits(base) * max(1, abs(int(exponent))) > MAX_MAGNITUDE:
                raise self._error(f"a power past about 10^{MAX_MAGNITUDE}", column)
            if base == 0 and exponent < 0:
                raise self._error("division by zero (0 to a negative power)", column)
            return self._raised(base, exponent)
        return base

    def _atom(self) -> sp.Expr:
        token = self._peek()
        if token is None:
            raise self._error("expression ends too soon")
        kind, text, column = token
        self.pos += 1
        if kind == "int":
            return self._number(text)
        if kind == "name":
            if self._accept("("):
                self._nested(column)
                if text not in _FUNCTIONS:
                    raise self._error(f"{text}() is not allowed: only floor() and ceil()", column)
                inner = self._expr()
                self._expect_close()
                self.depth -= 1
                return self._rounded(_FUNCTIONS[text], inner)
            if text in _KEYWORDS:
                raise self._error(f"{text!r} joins conditions; it is not a symbol", column)
            if text in _FUNCTIONS:
                raise self._error(f"{text} must be called, as {text}(...)", column)
            return self._name(text)
        if text == "(":
            self._nested(column)
            inner = self._expr()
            self._expect_close()
            self.depth -= 1
            return inner
        raise self._error(f"unexpected {text!r}", column)

    def _expect_close(self) -> None:
        if not self._accept(")"):
            raise self._error("missing ')'")

    # what the grammar's atoms and operations make: sympy's expressions here, Python's numbers in _NumberParser

    def _number(self, text: str) -> sp.Expr:
        return sp.Integer(text)

    def _name(self, text: str) -> sp.Expr:
        return symbol(text)

    def _divided(self, numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
        return numerator / denominator

    def _remainder(self, dividend: sp.Expr, divisor: sp.Expr) -> sp.Expr:
        return sp.Mod(dividend, divisor)

    def _rounded(self, function: str, value: sp.Expr) -> sp.Expr:
        return getattr(sp, function)(value)

    def _raised(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        return base**exponent


class _NumberParser(_Parser):
    """The grammar read with Python's exact numbers, each name one of ``names`` (the numeric reading: no sympy)."""

    def __init__(self, text: str, names: Mapping[str, int]) -> None:
        super().__init__(text)
        self.names = names

    def _number(self, text: str) -> Any:
        return int(text)

    def _name(self, text: str) -> Any:
        if text not in self.names:
            raise NotNumeric(f"{text} is a symbol")
        if self.exponents:  # sympy's reading refuses a name in an exponent (not a whole number as written)
            raise NotNumeric(f"{text} in an exponent, which the sympy reading refuses")
        return self.names[text]

    def _divided(self, numerator: Any, denominator: Any) -> Any:
        if denominator == 0:
            raise NotNumeric("a division by zero, which the sympy reading reports")
        return whole(Fraction(numerator) / denominator)

    def _remainder(self, dividend: Any, divisor: Any) -> Any:
        return whole(dividend % divisor)

    def _rounded(self, function: str, value: Any) -> Any:
        return exactly(function, [value])

    def _raised(self, base: Any, exponent: Any) -> Any:
        return exactly("Pow", [base, exponent])


def evaluate_expression(text: str, names: Mapping[str, int]) -> int | Fraction:
    """``text`` evaluated in Python's exact numbers, each name one of ``names``; the numeric reading's parse.

    Raises:
        ExpressionError: anything outside the grammar, with the position.
        NotNumeric: a name not in ``names``, or what the sympy reading reports (a division by zero, a
            value past the accepted magnitude).
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters; shorten it")
    result = _NumberParser(text.translate(_UNICODE), names).parse()
    if digits(result) > MAX_MAGNITUDE:
        raise NotNumeric("a value past the accepted magnitude, which the sympy reading reports")
    return result  # type: ignore[no-any-return]


def expression_names(text: str) -> set[str]:
    """The names ``text`` reads (not floor, ceil or the condition keywords); its tokens, nothing evaluated.

    Raises:
        ExpressionError: a character outside the grammar.
    """
    tokens = _Parser(text.translate(_UNICODE)).tokens
    return {text for kind, text, _ in tokens if kind == "name" and text not in _FUNCTIONS and text not in _KEYWORDS}


class _ConditionParser(_Parser):
    """The expression grammar plus comparisons joined by ``and``, ``or`` and ``not``."""

    def parse_condition(self) -> sp.Basic:
        if not self.tokens:
            raise self._error("empty condition")
        result = self._disjunction()
        if self._peek() is not None:
            raise self._error(f"unexpected {self._peek()[1]!r}")  # type: ignore[index]
        return result

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token[0] == "name" and token[1] == word:
            self.pos += 1
            return True
        return False

    def _disjunction(self) -> sp.Basic:
        terms = [self._conjunction()]
        while self._keyword("or"):
            terms.append(self._conjunction())
        return terms[0] if len(terms) == 1 else sp.Or(*terms, evaluate=False)

    def _conjunction(self) -> sp.Basic:
        terms = [self._negation()]
        while self._keyword("and"):
            terms.append(self._negation())
        return terms[0] if len(terms) == 1 else sp.And(*terms, evaluate=False)

    def _negation(self) -> sp.Basic:
        if self._keyword("not"):
            return sp.Not(self._negation(), evaluate=False)
        start = self.pos
        if self._accept("("):  # a condition in parentheses, or an expression that starts with '('
            try:
                inner = self._disjunction()
                self._expect_close()
                after = self._peek()
                if after is None or after[1] == ")" or after[1] in _KEYWORDS:
                    return inner
            except ExpressionError:
                pass
            self.pos = start  # not a condition: read it again as an expression
        left = self._expr()
        token = self._peek()
        if token is None or token[1] not in COMPARISONS:
            raise self._error("expected a comparison (==, !=, <, <=, >, >=)")
        self.pos += 1
        right = self._expr()
        return getattr(sp, COMPARISONS[token[1]])(left, right, evaluate=False)
