"""The packages the default rule set is made from, named without importing the engine.

The package front (``dfix/__init__.py``) names ``dfix.transforms`` here when
``dfix`` is imported; the engine reads the names when a run first asks for
the default rules. Naming them costs nothing, so ``import dfix`` for
``dfix.parse`` and ``dfix --version`` load no engine.
"""

from __future__ import annotations

__all__ = ["DEFAULT_PACKAGES", "name_default_packages"]

#: Dotted names of the default rule packages, in the order given.
DEFAULT_PACKAGES: list[str] = []


def name_default_packages(*packages: str) -> None:
    """Make ``packages`` the default rule packages (the engine's ``use_rule_packages`` overrides them)."""
    DEFAULT_PACKAGES[:] = packages
