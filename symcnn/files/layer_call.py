"""A layer written as torch writes it, ``Conv2d(64, 128, 3, padding=1)``, read without eval.

Grammar (a small recursive-descent reader; nothing is executed)::

    call   := NAME '(' [arg (',' arg)*] [','] ')'
    arg    := [NAME '='] value
    value  := INT | FLOAT | '-' (INT | FLOAT) | STRING | True | False | None | NAME | '(' value (',' value)* ')'

A string or a bare name is a symbol or a small expression (``kernel_size="K"``,
``padding=P``), read later by the layer itself through symcnn's restricted
parser; ``None`` leaves torch's default. The call becomes the same table a
TOML spec gives (``{type = "Conv2d", out_channels = 128, ...}``), so one reader
checks both.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from symcnn.errors import SpecError

_TOKEN = re.compile(r"""\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"""
                    r"""|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"""
                    r"""|(?P<string>"[^"\\]*"|'[^'\\]*')|(?P<op>[(),=\-]))""")
_WORDS = {"True": True, "False": False, "None": None}
MAX_LENGTH = 500


def _tokens(text: str, where: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) of each token."""
    tokens, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise SpecError(f"{where}: cannot read {text[at:].strip()[:20]!r} at character {at + 1}; write the "
                            "layer as torch does, e.g. \"Conv2d(64, 128, 3, padding=1)\"")
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind), match.start(kind)))
        at = match.end()
    return tokens


class _Reader:
    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where
        self.tokens = _tokens(text, where)
        self.at = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            found = "the end" if token is None else repr(token[1])
            wanted = repr(expected) if expected else "a value"
            raise SpecError(f"{self.where}: expected {wanted} but found {found} in {self.text!r}")
        self.at += 1
        return token

    def value(self) -> Any:
        kind, text, _ = self.take()
        if text == "-":
            number = self.take()
            if number[0] != "number":
                raise SpecError(f"{self.where}: '-' must be followed by a number in {self.text!r}")
            return -_number(number[1])
        if kind == "number":
            return _number(text)
        if kind == "string":
            return text[1:-1]
        if kind == "name":
            return _WORDS.get(text, text)
        if text == "(":
            items = [self.value()]
            while self.peek() is not None and self.peek()[1] == ",":  # type: ignore[index]
                self.take(",")
                if self.peek() is not None and self.peek()[1] == ")":  # type: ignore[index]
                    break
                items.append(self.value())
            self.take(")")
            return items if len(items) > 1 else items[0]
        raise SpecError(f"{self.where}: unexpected {text!r} in {self.text!r}")

    def call(self) -> tuple[str, list[Any], dict[str, Any]]:
        kind, name, _ = self.take()
        if kind != "name":
            raise SpecError(f"{self.where}: a layer call starts with its type, e.g. Conv2d(...), not {name!r}")
        self.take("(")
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        while self.peek() is not None and self.peek()[1] != ")":  # type: ignore[index]
            token, following = self.peek(), self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
            if token is not None and token[0] == "name" and following is not None and following[1] == "=":
                self.at += 2
                if token[1] in keywords:
                    raise SpecError(f"{self.where}: {token[1]} is given twice")
                keywords[token[1]] = self.value()
            elif keywords:
                raise SpecError(f"{self.where}: a positional argument follows a keyword one in {self.text!r}")
            else:
                positional.append(self.value())
            if self.peek() is not None and self.peek()[1] == ",":  # type: ignore[index]
                self.take(",")
            elif self.peek() is None or self.peek()[1] != ")":  # type: ignore[index]
                self.take(")")
        self.take(")")
        if self.peek() is not None:
            raise SpecError(f"{self.where}: unexpected {self.peek()[1]!r} after the call")  # type: ignore[index]
        return name, positional, keywords


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


def layer_table(text: str, where: str = "layer") -> dict[str, Any]:
    """``"Conv2d(64, 128, 3, padding=1)"`` -> ``{"type": "Conv2d", "in_channels": 64, ...}``.

    Raises:
        SpecError: text outside the grammar, an unknown layer type, or too many positional arguments.
    """
    from symcnn.files.spec import LAYER_TYPES, suggestion

    if len(text) > MAX_LENGTH:
        raise SpecError(f"{where}: the call is longer than {MAX_LENGTH} characters")
    name, positional, keywords = _Reader(text, where).call()
    name = name.removeprefix("torch.").removeprefix("nn.")
    if name not in LAYER_TYPES:
        raise SpecError(f"{where}: unknown layer {name!r}{suggestion(name, list(LAYER_TYPES))}")
    arguments = [f.name for f in fields(LAYER_TYPES[name]) if f.init]  # type: ignore[arg-type]
    if len(positional) > len(arguments):
        raise SpecError(f"{where}: {name} takes at most {len(arguments)} positional arguments "
                        f"({', '.join(arguments)}), got {len(positional)}")
    table: dict[str, Any] = {"type": name}
    for key, value in zip(arguments, positional):
        table[key] = value
    for key, value in keywords.items():
        if key in table:
            raise SpecError(f"{where}: {name} got {key} both by position and by name")
        table[key] = value
    return {key: value for key, value in table.items() if value is not None}


def input_sizes(text: str, where: str = "--input") -> list[int | str]:
    """``"64,256,256"`` or ``"C_in,H,W"`` -> [64, 256, 256] or ["C_in", "H", "W"] (read later by the restricted parser).

    Raises:
        SpecError: an empty entry.
    """
    parts = [part.strip() for part in text.strip().strip("[]()").split(",")]
    if not parts or any(not part for part in parts):
        raise SpecError(f"{where}: give the input as C,H,W (e.g. 64,256,256 or C_in,H,W) or N for a vector")
    return [int(part) if part.isdigit() else part for part in parts]
