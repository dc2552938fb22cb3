"""A restricted parser for the small expressions users write in TOML files.

Grammar (no ``eval``, ``sympify`` or ``parse_expr`` anywhere)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '//') unary | implicit)*
    unary  := ('+' | '-') unary | power
    power  := atom (('^' | '**') unary)?
    atom   := INTEGER | NAME | NAME '(' expr ')' | '(' expr ')'

The only calls are ``floor`` and ``ceil``. A number directly followed by a name
or a parenthesis multiplies (``2P``, ``16i``). ``×``, ``·`` and ``−`` are read as
``*``, ``*`` and ``-``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from symcnn.errors import ExpressionError
from symcnn.formula.symbols import symbol

_TOKEN = re.compile(
    r"\s*(?:(?P<int>\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>//|\*\*|[-+*/^()]))"
)
_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "floor": sp.floor,
    "ceil": sp.ceiling,
}
_UNICODE = str.maketrans({"×": "*", "·": "*", "−": "-", "⋅": "*"})
MAX_LENGTH = 500


def parse_expression(text: str, *, evaluate: bool = True) -> sp.Expr:
    """Parse ``text`` into a sympy expression over symcnn's notation.

    Args:
        text: e.g. ``"2*P + 1"``, ``"floor((W - K)/S) + 1"``, ``"16i - 44"``.
        evaluate: ``False`` keeps the writer's term order (for display).

    Raises:
        ExpressionError: anything outside the grammar, with the position.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    with sp.evaluate(evaluate):
        return _Parser(text.translate(_UNICODE)).parse()


def to_sympy(value: int | str | sp.Basic) -> sp.Expr:
    """An int, a sympy expression, or a string read by :func:`parse_expression`; never ``eval``.

    Raises:
        TypeError: any other type (a float, a bool, None, ...).
        ExpressionError: a string outside the grammar.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str, sp.Basic)):
        raise TypeError(f"expected an int, a sympy expression or an expression string, got {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    return parse_expression(value) if isinstance(value, str) else value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0

    def _tokenize(self, text: str) -> list[tuple[str, str, int]]:
        tokens, at = [], 0
        while at < len(text):
            match = _TOKEN.match(text, at)
            if match is None or match.end() == at:
                if text[at:].strip() == "":
                    break
                column = at + len(text[at:]) - len(text[at:].lstrip())
                raise self._error(f"unexpected character {text[column]!r}", column)
            kind = match.lastgroup or ""
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
            if op := self._accept("*", "/", "//"):
                right = self._unary()
                if op == "*":
                    result = result * right
                elif op == "/":
                    result = result / right
                else:
                    result = sp.floor(result / right)
            elif self._starts_implicit_factor(result):
                result = result * self._power()
            else:
                return result

    def _starts_implicit_factor(self, left: sp.Expr) -> bool:
        token = self._peek()
        if token is None or not left.is_Number:
            return False
        return token[0] == "name" or token[1] == "("

    def _unary(self) -> sp.Expr:
        if op := self._accept("+", "-"):
            operand = self._unary()
            return -operand if op == "-" else operand
        return self._power()

    def _power(self) -> sp.Expr:
        base = self._atom()
        if self._accept("^", "**"):
            return base ** self._unary()
        return base

    def _atom(self) -> sp.Expr:
        token = self._peek()
        if token is None:
            raise self._error("expression ends too soon")
        kind, text, column = token
        self.pos += 1
        if kind == "int":
            return sp.Integer(text)
        if kind == "name":
            if self._accept("("):
                if text not in _FUNCTIONS:
                    raise self._error(f"{text}() is not allowed: only floor() and ceil()", column)
                inner = self._expr()
                self._expect_close()
                return _FUNCTIONS[text](inner)
            if text in _FUNCTIONS:
                raise self._error(f"{text} must be called, as {text}(...)", column)
            return symbol(text)
        if text == "(":
            inner = self._expr()
            self._expect_close()
            return inner
        raise self._error(f"unexpected {text!r}", column)

    def _expect_close(self) -> None:
        if not self._accept(")"):
            raise self._error("missing ')'")
