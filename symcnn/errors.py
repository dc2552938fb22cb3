"""The one exception family of symcnn.

Every message is one line that names where the problem is and how to fix it;
the CLI prints it and exits with :attr:`SymcnnError.exit_code`. A warning
(:class:`SymcnnWarning`) is printed the same way, and the command goes on.
"""

from __future__ import annotations


class SymcnnError(Exception):
    """Base of every error symcnn raises on purpose."""

    exit_code = 2


class LayerError(SymcnnError):
    """Raised when a layer's hyperparameters cannot describe a real layer."""


class ExpressionError(SymcnnError):
    """Raised when a user-written expression is not in symcnn's small grammar."""


class MissingValueError(SymcnnError, ValueError):
    """Raised when a derivation needs a value that was not given."""


class SpecError(SymcnnError):
    """Raised when a TOML file (network, assignment, claims) is malformed."""


class TexError(SymcnnError):
    """Raised when the TeX engine fails on a generated document."""

    exit_code = 3


class SymcnnWarning(UserWarning):
    """Issued when an input is valid but probably not what was meant (the CLI prints one line)."""


def suggestion(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """``"; did you mean 'x'?"`` for the nearest choice, or the list of choices."""
    import difflib  # here: only a mistake needs it, and every command imports this module

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {str(close[0])!r}?"  # str(): choices may be StrEnum members
    return f"; valid: {', '.join(choices)}"
