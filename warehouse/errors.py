"""The error of a build that cannot finish (the previous warehouse is left untouched)."""

from __future__ import annotations


class BuildError(RuntimeError):
    """A build that could not complete; the previous warehouse is untouched."""
