"""sympy, imported on its first use: a numeric summary never uses it.

``import sympy`` takes half a second, most of a numeric summary's process.
The modules a summary runs name sympy through this stand-in, which imports
it when one of its names is first read and keeps each name it hands out, so
the symbolic readings pay one attribute lookup as before.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any


class _Imported(types.ModuleType):
    """A module that is imported when one of its names is first read."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module(self.__name__), name)
        setattr(self, name, value)  # read directly from now on
        return value


if TYPE_CHECKING:
    import sympy as sympy
else:
    sympy = _Imported("sympy")
