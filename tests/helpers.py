"""What several test modules share."""

from __future__ import annotations

from hypothesis import settings


def reproducible(max_examples: int) -> settings:
    """Reproducible hypothesis settings: the same examples on every run, no example database."""
    return settings(max_examples=max_examples, derandomize=True, deadline=None, database=None)
