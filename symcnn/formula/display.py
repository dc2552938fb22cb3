"""How symcnn's objects show themselves in a notebook, without importing the renderers.

:class:`Displayable` holds the one lazy import of :mod:`symcnn.render.notebook`,
which sits above the objects it shows (as sympy's ``Printable`` does for its
printers): a short ``repr``, typeset math (``_repr_latex_``) and Markdown
(``_repr_markdown_``). A dataclass that mixes it in says ``repr=False``, so
that the dataclass's own field dump does not replace the short ``repr``.
"""

from __future__ import annotations


class Displayable:
    """Mixin: ``repr``, ``_repr_latex_`` and ``_repr_markdown_`` by :mod:`symcnn.render.notebook`."""

    __slots__ = ()

    def __repr__(self) -> str:
        from symcnn.render import notebook

        return notebook.short(self)

    def _repr_latex_(self) -> str | None:
        from symcnn.render import notebook

        return notebook.latex(self)

    def _repr_markdown_(self) -> str | None:
        from symcnn.render import notebook

        return notebook.markdown(self)
